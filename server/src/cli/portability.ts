// `policy-lens portability PATH... --cni calico,cilium,kubernetes`: the same manifests analysed as each CNI
// enforces them; every flow whose verdict differs, with the reason (tools/portability.ts).
import { analyze, parseFiles, CNIS, type Cni } from '../core/index';
import { portability, portabilityMarkdown, portabilityText } from '../tools/portability';
import { displayPath, oneOf, parse, readInputs, UsageError, type CliIO } from './common';

const FORMATS = ['text', 'json', 'markdown'] as const;

export const PORTABILITY_USAGE = `Usage: policy-lens portability PATH... [--cni calico,cilium,kubernetes] [--format text|json|markdown]
                                [--default-namespace NS] [--ipblock-matches-pods] [--fail-on-difference]

Analyses the same manifests as each CNI enforces them and lists every flow whose verdict differs between the
chosen CNIs, with the reason each one differs (a kind one CNI ignores, ICMP in "all traffic", ipBlock/CIDR and pod
addresses, rules that fail closed, or the same objects evaluated differently: both traces are shown).

  --cni LIST             comma-separated CNIs to compare (default: calico,cilium,kubernetes)
  --format, -f           text (default), json or markdown
  --default-namespace    namespace for objects without metadata.namespace (default: default)
  --ipblock-matches-pods the plain Kubernetes semantics let ipBlock match pods by status.podIP (Calico always does,
                         Cilium never does)
  --fail-on-difference   exit 1 when some flow differs (for CI)
Exit codes: 0 ok, 1 differences with --fail-on-difference, 2 usage or unreadable input.
`;

export async function portabilityCommand(args: string[], io: CliIO): Promise<number> {
  let values;
  let positionals: string[];
  let format: (typeof FORMATS)[number];
  let cnis: Cni[];
  try {
    ({ values, positionals } = parse(args, {
      format: { type: 'string', short: 'f' },
      'default-namespace': { type: 'string' },
      'fail-on-difference': { type: 'boolean' },
      'ipblock-matches-pods': { type: 'boolean' },
    }));
    if (values.help) {
      io.out(PORTABILITY_USAGE);
      return 0;
    }
    format = oneOf('--format', values.format, FORMATS, 'text');
    const list = typeof values.cni === 'string' ? values.cni.split(',').map((x) => x.trim()).filter(Boolean) : [...CNIS].sort();
    for (const c of list) if (!(CNIS as readonly string[]).includes(c)) throw new UsageError(`--cni takes a comma-separated list of ${CNIS.join(', ')}, not "${c}"`);
    cnis = [...new Set(list)] as Cni[];
    if (cnis.length < 2) throw new UsageError('--cni needs at least two CNIs to compare');
    if (positionals.length === 0) throw new UsageError('no PATH given');
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`policy-lens portability: ${e.message}\n${PORTABILITY_USAGE}`);
    return 2;
  }
  const { files, errors, warnings } = readInputs(positionals);
  for (const e of errors) io.err(`policy-lens portability: ${e}\n`);
  for (const w of warnings) io.err(`policy-lens portability: ${w}\n`);
  if (errors.length) return 2;
  const cluster = parseFiles(files.map((f) => ({ path: displayPath(f.path), text: f.text })), { defaultNamespace: values['default-namespace'] as string | undefined });
  const ipBlockMatchesPods = values['ipblock-matches-pods'] === true;
  const report = portability((cni) => analyze(cluster, { cni, ipBlockMatchesPods }), cnis);
  if (format === 'json') io.out(`${JSON.stringify(report, null, 2)}\n`);
  else if (format === 'markdown') io.out(portabilityMarkdown(report));
  else io.out(portabilityText(report));
  return values['fail-on-difference'] && report.flows.length ? 1 : 0;
}
