// `policy-lens` command-line interface.
//   policy-lens reach PATH... [--output text|json] [--explain SRC DST] [--default-namespace NS] [--cni CNI]
//                             [--ipblock-matches-pods]
//   policy-lens check | diff | verify | mcp ...   (each in its own module: check.ts, diff.ts, verify.ts, mcp.ts)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyzeFiles, ConnSet, type Diagnostic, type InputFile } from '../core/index';
import { renderTraceText } from '../core/explain/format';
import { podIpSplitDiagnostics } from '../core/lint/pod-ips';
import { check } from './check';
import { diff } from './diff';
import { mcp } from './mcp';
import { verify } from './verify';
import { portabilityCommand } from './portability';
import { describeChoice, isCniSetting, type CniSetting } from '../core/policy/cni';
import { runSuggest, takeSuggestArg, type SuggestCliOptions } from './suggest';

const USAGE = `Usage:
  policy-lens reach PATH... [--output text|json] [--explain SRC DST] [--default-namespace NS]
                            [--cni auto|kubernetes|calico|cilium] [--ipblock-matches-pods]
  policy-lens reach PATH... --explain SRC DST --suggest[=allow|block] [--port N[-M]] [--protocol P]
  policy-lens check PATH... [--format text|json|sarif|markdown] [--fail-on error|warning|information|never]
                            [--baseline-file FILE]
  policy-lens diff --base REF|PATH [PATH...] [--format text|json|markdown]
                            [--fail-on any-change|new-exposure|removed-allowed]
  policy-lens verify --rules FILE PATH... [--format text|json|markdown]
  policy-lens mcp [PATH]    Model Context Protocol server over stdio
  policy-lens portability PATH... [--cni calico,cilium,kubernetes] [--format text|json|markdown]
                            flows whose verdict differs between CNIs, and why
Every command accepts --cni auto|kubernetes|calico|cilium (default auto: detected from the objects).
  policy-lens COMMAND --help   details of one command

Options of reach:
  PATH                   YAML/JSON manifest files or folders (searched recursively for .yaml, .yml, .json)
  --output, -o           text (default) or json
  --explain SRC DST      explain why SRC can or cannot reach DST (ids: namespace/name, an external range or DNS name)
  --default-namespace    namespace for objects without metadata.namespace (default: default)
  --cni                  whose semantics evaluate the manifests: auto (default; a cilium-config ConfigMap or
                         cilium.io objects mean Cilium, projectcalico.org objects Calico), kubernetes, calico, cilium
  --ipblock-matches-pods Kubernetes NetworkPolicy ipBlock also matches pods whose status.podIP is inside
                         (CNI-specific; default: external addresses only; Calico always matches, Cilium never)
  --suggest              with --explain: propose verified policy edits that allow the flow (block it when it is
                         allowed); --port/--protocol narrow the flow (default: the destination's declared ports)
`;

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIO: CliIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

const MANIFEST = /\.(ya?ml|json)$/i;

export function collectFiles(paths: string[]): { files: InputFile[]; errors: string[] } {
  const files: InputFile[] = [];
  const errors: string[] = [];
  const visit = (p: string, explicit: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      errors.push(`${p}: no such file or directory`);
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        visit(join(p, name), false);
      }
    } else if (explicit || MANIFEST.test(p)) {
      files.push({ path: p, text: readFileSync(p, 'utf8') });
    }
  };
  for (const p of paths) visit(p, true);
  return { files, errors };
}

function formatDiagnostic(d: Diagnostic): string {
  return `${relative(process.cwd(), d.range.file) || d.range.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} [${d.code}] ${d.message}`;
}

export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(USAGE);
    return cmd ? 0 : 2;
  }
  if (cmd === 'reach' && (rest.includes('--help') || rest.includes('-h'))) {
    io.out(USAGE);
    return 0;
  }
  if (cmd === 'check') return check(rest, io);
  if (cmd === 'diff') return diff(rest, io);
  if (cmd === 'verify') return verify(rest, io);
  if (cmd === 'mcp') return mcp(rest, io);
  if (cmd === 'portability') return portabilityCommand(rest, io);
  if (cmd !== 'reach') {
    io.err(`policy-lens: unknown command "${cmd}"\n${USAGE}`);
    return 2;
  }
  const paths: string[] = [];
  let output = 'text';
  let explain: [string, string] | undefined;
  let defaultNamespace: string | undefined;
  let cni: CniSetting = 'auto';
  let ipBlockMatchesPods = false;
  const suggestOpts: SuggestCliOptions = { enabled: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const s = takeSuggestArg(rest, i, suggestOpts);
    if (typeof s === 'string') {
      io.err(`policy-lens: ${s}\n`);
      return 2;
    } else if (s !== undefined) i = s;
    else if (a === '--output' || a === '-o') output = rest[++i] ?? '';
    else if (a.startsWith('--output=')) output = a.slice('--output='.length);
    else if (a === '--explain') {
      const s = rest[++i];
      const d = rest[++i];
      if (!s || !d) {
        io.err('policy-lens: --explain needs SRC and DST\n');
        return 2;
      }
      explain = [s, d];
    } else if (a === '--default-namespace') defaultNamespace = rest[++i];
    else if (a === '--cni' || a.startsWith('--cni=')) {
      const v = a === '--cni' ? rest[++i] : a.slice('--cni='.length);
      if (!isCniSetting(v)) {
        io.err(`policy-lens: --cni must be one of auto, kubernetes, calico, cilium, not "${v ?? ''}"\n`);
        return 2;
      }
      cni = v;
    } else if (a === '--ipblock-matches-pods') ipBlockMatchesPods = true;
    else if (a.startsWith('-')) {
      io.err(`policy-lens: unknown option "${a}"\n${USAGE}`);
      return 2;
    } else paths.push(a);
  }
  if (output !== 'text' && output !== 'json') {
    io.err(`policy-lens: --output must be text or json, not "${output}"\n`);
    return 2;
  }
  if (paths.length === 0) {
    io.err(`policy-lens: no PATH given\n${USAGE}`);
    return 2;
  }
  if ((suggestOpts.enabled || suggestOpts.port !== undefined || suggestOpts.protocol !== undefined) && !(explain && suggestOpts.enabled)) {
    io.err('policy-lens: --suggest needs --explain SRC DST; --port and --protocol need --suggest\n');
    return 2;
  }
  const { files, errors } = collectFiles(paths);
  for (const e of errors) io.err(`policy-lens: ${e}\n`);
  if (errors.length) return 2;
  const { cluster, analysis } = analyzeFiles(files, { defaultNamespace }, { cni, ipBlockMatchesPods });
  for (const d of [...cluster.diagnostics, ...podIpSplitDiagnostics(cluster, { ipBlockMatchesPods })]) io.err(`${formatDiagnostic(d)}\n`);

  if (explain) {
    const [src, dst] = explain;
    if (suggestOpts.enabled) return runSuggest(io, files, analysis, src, dst, suggestOpts, output, defaultNamespace);
    const t = analysis.trace(src, dst);
    if (output === 'json') io.out(`${JSON.stringify({ src: t.src, dst: t.dst, protocols: t.allowed, explanation: t }, null, 2)}\n`);
    else io.out(renderTraceText(t, (r) => `${relative(process.cwd(), r.file) || r.file}:${r.start.line + 1}`, analysis.universe));
    return t.problem?.startsWith('Unknown endpoint') ? 1 : 0;
  }

  const result = analysis.result();
  if (output === 'json') {
    io.out(`${JSON.stringify({ endpoints: result.endpoints, connections: result.connections }, (k, v) => (k === 'range' ? undefined : v), 2)}\n`);
  } else {
    const workloads = result.endpoints.filter((e) => e.kind !== 'External').length;
    const calico = cluster.calico?.policies ?? [];
    const staged = calico.filter((p) => p.staged).length;
    const cilium = cluster.cilium?.policies ?? [];
    const cps = cluster.clusterPolicies ?? [];
    const clusterWide = cps.length ? `, ${cps.length} cluster network ${cps.length === 1 ? 'policy' : 'policies'}${cps.some((p) => p.kind !== 'ClusterNetworkPolicy') ? ` (${cps.filter((p) => p.kind !== 'ClusterNetworkPolicy').length} deprecated AdminNetworkPolicy/BaselineAdminNetworkPolicy)` : ''}` : '';
    const parts = [calico.length ? `${calico.length} Calico` : '', cilium.length ? `${cilium.length} Cilium` : ''].filter(Boolean);
    const policies = parts.length
      ? `${cluster.policies.length} Kubernetes and ${parts.join(' and ')} policies${staged ? ` (${staged} staged, not enforced)` : ''}${clusterWide}`
      : `${cluster.policies.length} network policies${clusterWide}`;
    io.out(`${workloads} workloads, ${policies}, ${result.connections.length} allowed connections\n`);
    if (analysis.cni.how !== 'default') io.out(`evaluated as ${describeChoice(analysis.cni)}\n`);
    for (const c of result.connections) io.out(`${c.src} => ${c.dst} : ${ConnSet.fromProtocolPorts(c.protocols).toString()}\n`);
  }
  return 0;
}
