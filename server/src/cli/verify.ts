// `policy-lens verify --rules FILE PATH...`: connectivity requirements (Policy Lens format or np-guard baseline
// rules) checked against the manifests by the engine. Exit 1 when a requirement is violated.
import { describeConns } from '../core/explain/format';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { analyzeFiles, ConnSet } from '../core/index';
import { compileRequirements, evaluateRequirements, type RequirementResult, type Violation } from '../tools/requirements';
import { analyzeOptionsOf, displayPath, oneOf, parse, readInputs, UsageError, type CliIO } from './common';

export const VERIFY_USAGE = `Usage:
  policy-lens verify --rules FILE PATH... [--format text|json|markdown] [--default-namespace NS] [--max-flows N]

  Checks connectivity requirements against the manifests in PATH (files or folders). FILE is either
  * the Policy Lens format: a "requirements:" list of allow / deny / only / defaultDeny entries
    (docs/verify.md), or
  * np-guard baseline rules: a YAML list of {name, description, action: allow|deny, from, to, from_ns, to_ns,
    protocol, port_min, port_max}.
  Each violated requirement is reported with the offending flows and the rules that allow them.

  --format, -f   text (default), json, or markdown (a pull-request comment)
  --max-flows    offending flows listed per requirement in text/markdown (default 20; json lists all)

  Exit codes: 0 all requirements hold, 1 some requirement is violated, 2 usage error, unreadable input or an
  invalid rules file.
`;

const FORMATS = ['text', 'json', 'markdown'] as const;

function describeViolation(v: Violation): string {
  if (v.workload) return v.reason;
  const rules = (v.rules ?? []).map((r) => `${r.policy} ${r.direction.toLowerCase()}[${r.ruleIndex}]${r.file ? ` (${displayPath(r.file)}:${r.line})` : ''}`);
  for (const d of v.notIsolated ?? []) rules.push(`${d === 'egress' ? `egress of ${v.src}` : `ingress of ${v.dst}`} not isolated (no policy selects it)`);
  return `${v.src} => ${v.dst}: ${v.reason}${rules.length ? `; allowed by ${rules.join(', ')}` : ''}`;
}

function summaryLine(results: RequirementResult[]): string {
  const violated = results.filter((r) => r.status === 'violated').length;
  const invalid = results.filter((r) => r.status === 'invalid').length;
  if (!violated && !invalid) return `All ${results.length} requirement(s) hold.`;
  return `${violated} requirement(s) (out of ${results.length}) violated${invalid ? `, ${invalid} could not be checked` : ''}.`;
}

export function verifyText(results: RequirementResult[], maxFlows: number): string {
  const out: string[] = [];
  for (const r of results) {
    const head = r.status === 'satisfied' ? 'PASS' : r.status === 'violated' ? 'FAIL' : 'ERROR';
    out.push(`${head} ${r.name}${r.description ? ` — ${r.description}` : ''}`);
    if (r.error) out.push(`    ${r.error}`);
    for (const v of r.violations.slice(0, maxFlows)) out.push(`    ${describeViolation(v)}`);
    if (r.violations.length > maxFlows) out.push(`    … and ${r.violations.length - maxFlows} more`);
  }
  out.push(summaryLine(results));
  return `${out.join('\n')}\n`;
}

export function verifyMarkdown(results: RequirementResult[], maxFlows: number): string {
  const out: string[] = ['### Policy Lens verify', ''];
  for (const r of results) {
    const icon = r.status === 'satisfied' ? ':white_check_mark:' : r.status === 'violated' ? ':x:' : ':warning:';
    out.push(`${icon} **${r.name}** ${r.status === 'satisfied' ? 'holds' : r.status === 'violated' ? 'is violated' : 'could not be checked'}${r.description ? ` — ${r.description}` : ''}`);
    if (r.error) out.push('', `> ${r.error}`);
    if (r.violations.length) {
      out.push('', '<details><summary>offending flows</summary>', '');
      if (r.kind === 'defaultDeny') for (const v of r.violations.slice(0, maxFlows)) out.push(`* ${v.reason}`);
      else {
        out.push('| Source | Destination | Connections | Allowed by |', '| --- | --- | --- | --- |');
        for (const v of r.violations.slice(0, maxFlows)) {
          const rules = [...(v.rules ?? []).map((x) => `${x.policy} ${x.direction.toLowerCase()}[${x.ruleIndex}]`), ...(v.notIsolated ?? []).map((d) => `${d} not isolated`)].join(', ') || '—';
          out.push(`| \`${v.src}\` | \`${v.dst}\` | ${describeConns(v.protocols ?? {})} | ${rules} |`);
        }
      }
      if (r.violations.length > maxFlows) out.push('', `… and ${r.violations.length - maxFlows} more`);
      out.push('', '</details>');
    }
    out.push('');
  }
  out.push(summaryLine(results));
  return `${out.join('\n')}\n`;
}

export async function verify(args: string[], io: CliIO): Promise<number> {
  let values;
  let positionals: string[];
  let format: (typeof FORMATS)[number];
  let maxFlows = 20;
  let rulesDoc: unknown;
  let analyzeOpts;
  try {
    ({ values, positionals } = parse(args, {
      rules: { type: 'string', short: 'r' },
      format: { type: 'string', short: 'f' },
      'default-namespace': { type: 'string' },
      'max-flows': { type: 'string' },
    }));
    if (values.help) {
      io.out(VERIFY_USAGE);
      return 0;
    }
    format = oneOf('--format', values.format, FORMATS, 'text');
    analyzeOpts = analyzeOptionsOf(values);
    if (values['max-flows'] !== undefined) {
      maxFlows = Number(values['max-flows']);
      if (!Number.isInteger(maxFlows) || maxFlows < 0) throw new UsageError('--max-flows must be a whole number');
    }
    if (typeof values.rules !== 'string') throw new UsageError('--rules FILE is required');
    if (positionals.length === 0) throw new UsageError('no PATH given');
    let text: string;
    try {
      text = readFileSync(values.rules, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read rules file ${values.rules}: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      rulesDoc = parseYaml(text);
    } catch (e) {
      throw new UsageError(`rules file ${values.rules} is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`policy-lens verify: ${e.message}\n${VERIFY_USAGE}`);
    return 2;
  }
  const { requirements, errors: ruleErrors } = compileRequirements(rulesDoc);
  for (const e of ruleErrors) io.err(`policy-lens verify: ${values.rules}: ${e}\n`);
  if (ruleErrors.length) return 2;
  const { files, errors, warnings } = readInputs(positionals);
  for (const e of errors) io.err(`policy-lens verify: ${e}\n`);
  for (const w of warnings) io.err(`policy-lens verify: ${w}\n`);
  if (errors.length) return 2;
  const { analysis } = analyzeFiles(files.map((f) => ({ path: displayPath(f.path), text: f.text })), { defaultNamespace: values['default-namespace'] as string | undefined }, analyzeOpts);
  const results = evaluateRequirements(analysis, requirements);
  if (format === 'json') {
    io.out(`${JSON.stringify({ requirements: results, summary: { total: results.length, violated: results.filter((r) => r.status === 'violated').length, invalid: results.filter((r) => r.status === 'invalid').length } }, null, 2)}\n`);
  } else if (format === 'markdown') io.out(verifyMarkdown(results, maxFlows));
  else io.out(verifyText(results, maxFlows));
  if (results.some((r) => r.status === 'invalid')) return 2;
  return results.some((r) => r.status === 'violated') ? 1 : 0;
}
