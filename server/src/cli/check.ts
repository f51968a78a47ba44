// `policy-lens check PATH... [--format text|json|sarif|markdown] [--fail-on error|warning|information|never]
//  [--baseline-file FILE]`: every diagnostic the language server would publish for the files, from the same
// LintProject (tools/findings.ts), as text, JSON, SARIF 2.1.0 (GitHub code scanning) or Markdown.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { countBySeverity, lintFiles, SEVERITY_RANK, type CheckFinding, type CheckSeverity } from '../tools/findings';
import { analyzeOptionsOf, displayPath, oneOf, packageVersion, parse, readInputs, UsageError, type CliIO } from './common';
import { RuleCatalog } from './rule-catalog';

export const CHECK_USAGE = `Usage:
  policy-lens check PATH... [--format text|json|sarif|markdown] [--fail-on error|warning|information|never]
                            [--baseline-file FILE] [--default-namespace NS] [--rule-docs-url URL]

  Reports every diagnostic the Policy Lens language server would show for the manifests (same rule ids, messages
  and '# policy-lens-disable' comments). Folders are searched recursively for .yaml/.yml manifests.

  --format, -f       text (default), json, sarif (SARIF 2.1.0 for GitHub code scanning) or markdown
  --fail-on          lowest severity that makes the exit code 1: error (default), warning, information, never
  --baseline-file    a previous 'check --format json' or '--format sarif' output: findings whose fingerprint it
                     lists are not reported (known findings)
  --default-namespace  namespace for objects without metadata.namespace (default: default)
  --rule-docs-url    base URL of the rule pages in reports (default: <repository>/blob/main/docs/rules/)

  Exit codes: 0 no finding at or above --fail-on, 1 findings at or above --fail-on, 2 usage or unreadable input.
`;

const FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
const FAIL_ON = ['error', 'warning', 'information', 'never'] as const;

/** Key under `partialFingerprints` (GitHub code scanning de-duplicates results by it across runs). */
export const FINGERPRINT_KEY = 'policyLensFinding/v1';

/** Reads the fingerprints of a baseline: a previous `check --format json` output or a SARIF log. */
export function readBaseline(path: string): Set<string> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read baseline file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const out = new Set<string>();
  const d = doc as { findings?: { fingerprint?: unknown }[]; runs?: { results?: { partialFingerprints?: Record<string, unknown> }[] }[] };
  if (Array.isArray(d?.findings)) {
    for (const f of d.findings) if (typeof f?.fingerprint === 'string') out.add(f.fingerprint);
  } else if (Array.isArray(d?.runs)) {
    for (const run of d.runs) for (const r of run?.results ?? []) {
      const fp = r?.partialFingerprints?.[FINGERPRINT_KEY];
      if (typeof fp === 'string') out.add(fp);
    }
  } else throw new UsageError(`baseline file ${path} is neither 'policy-lens check --format json' output nor a SARIF log`);
  return out;
}

const SARIF_LEVEL: Record<CheckSeverity, Result.level> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };
const RULE_LEVEL: Record<string, ReportingDescriptor['defaultConfiguration']> = {
  error: { level: 'error' },
  warning: { level: 'warning' },
  info: { level: 'note' },
  information: { level: 'note' },
  hint: { level: 'note' },
};

/** The SARIF 2.1.0 log of a check run. Paths are relative to `root` (uriBaseId %SRCROOT%). */
export function toSarif(findings: CheckFinding[], catalog: RuleCatalog, root = process.cwd()): Log {
  const ids = [...new Set([...catalog.ids(), ...findings.map((f) => f.code)])].sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  const rules: ReportingDescriptor[] = ids.map((id) => {
    const r = catalog.get(id);
    const desc: ReportingDescriptor = {
      id,
      shortDescription: { text: r.short },
      helpUri: r.helpUri,
      help: { text: `${r.short.replace(/\.$/, '')}. See ${r.helpUri}`, ...(r.markdown ? { markdown: r.markdown } : {}) },
      properties: { tags: ['kubernetes', 'network-policy', id.startsWith('calico-') ? 'calico' : 'networkpolicy'] },
    };
    const level = r.severity ? RULE_LEVEL[r.severity] : undefined;
    if (level) desc.defaultConfiguration = level;
    return desc;
  });
  const results: Result[] = findings.map((f) => ({
    ruleId: f.code,
    ruleIndex: index.get(f.code)!,
    level: SARIF_LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: f.file.startsWith('/') ? { uri: pathToFileURL(f.file).href } : { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: f.startLine, startColumn: f.startColumn, endLine: f.endLine, endColumn: Math.max(f.endColumn, f.endLine === f.startLine ? f.startColumn : 1) },
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
  }));
  const version = packageVersion();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'policy-lens', version, semanticVersion: version, informationUri: catalog.base.replace(/docs\/rules\/$/, ''), rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(resolve(root)).href.replace(/\/?$/, '/') } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function toMarkdown(findings: CheckFinding[], catalog: RuleCatalog, suppressed: number): string {
  const c = countBySeverity(findings);
  const lines = [`### Policy Lens check: ${c.error} error(s), ${c.warning} warning(s), ${c.information + c.hint} note(s)`, ''];
  if (findings.length === 0) lines.push('No findings.');
  else {
    lines.push('| Severity | Rule | Location | Message |', '| --- | --- | --- | --- |');
    for (const f of findings) lines.push(`| ${f.severity} | [${f.code}](${catalog.get(f.code).helpUri}) | \`${mdCell(f.file)}:${f.startLine}:${f.startColumn}\` | ${mdCell(f.message)} |`);
  }
  if (suppressed) lines.push('', `${suppressed} known finding(s) suppressed by the baseline file.`);
  return `${lines.join('\n')}\n`;
}

export async function check(args: string[], io: CliIO): Promise<number> {
  let format: (typeof FORMATS)[number];
  let failOn: (typeof FAIL_ON)[number];
  let baseline: Set<string> | undefined;
  let analyzeOpts;
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parse(args, {
      format: { type: 'string', short: 'f' },
      'fail-on': { type: 'string' },
      'baseline-file': { type: 'string' },
      'default-namespace': { type: 'string' },
      'rule-docs-url': { type: 'string' },
    }));
    if (values.help) {
      io.out(CHECK_USAGE);
      return 0;
    }
    format = oneOf('--format', values.format, FORMATS, 'text');
    failOn = oneOf('--fail-on', values['fail-on'], FAIL_ON, 'error');
    analyzeOpts = analyzeOptionsOf(values);
    if (positionals.length === 0) throw new UsageError('no PATH given');
    if (typeof values['baseline-file'] === 'string') baseline = readBaseline(values['baseline-file']);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`policy-lens check: ${e.message}\n${CHECK_USAGE}`);
    return 2;
  }
  const { files, errors, warnings } = readInputs(positionals);
  for (const e of errors) io.err(`policy-lens check: ${e}\n`);
  for (const w of warnings) io.err(`policy-lens check: ${w}\n`);
  if (errors.length) return 2;
  const catalog = new RuleCatalog(typeof values['rule-docs-url'] === 'string' ? values['rule-docs-url'] : undefined);
  const { findings: all, linted } = lintFiles(files, { defaultNamespace: values['default-namespace'] as string | undefined }, (p) => displayPath(p), analyzeOpts);
  const findings = baseline ? all.filter((f) => !baseline!.has(f.fingerprint)) : all;
  const suppressed = all.length - findings.length;
  const counts = countBySeverity(findings);

  if (format === 'json') {
    io.out(`${JSON.stringify({ version: 1, tool: { name: 'policy-lens', version: packageVersion() }, files: linted.map((p) => displayPath(p)), findings: findings.map((f) => ({ ...f, helpUri: catalog.get(f.code).helpUri })), summary: { ...counts, suppressedByBaseline: suppressed } }, null, 2)}\n`);
  } else if (format === 'sarif') {
    io.out(`${JSON.stringify(toSarif(findings, catalog), null, 2)}\n`);
  } else if (format === 'markdown') {
    io.out(toMarkdown(findings, catalog, suppressed));
  } else {
    for (const f of findings) io.out(`${f.file}:${f.startLine}:${f.startColumn}: ${f.severity} [${f.code}] ${f.message}\n`);
    io.out(`${linted.length} file(s) checked: ${counts.error} error(s), ${counts.warning} warning(s), ${counts.information} information, ${counts.hint} hint(s)${suppressed ? `; ${suppressed} known finding(s) suppressed by the baseline` : ''}\n`);
  }
  if (failOn === 'never') return 0;
  const threshold = SEVERITY_RANK[failOn];
  return findings.some((f) => SEVERITY_RANK[f.severity] >= threshold) ? 1 : 0;
}
