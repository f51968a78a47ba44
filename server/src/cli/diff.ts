// `policy-lens diff --base REF|PATH [PATH...]`: the semantic connectivity difference between a git ref (or a folder)
// and the working tree — added, removed and changed flows with the rules responsible on each side.
import { describeConns } from '../core/explain/format';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { analyzeFiles, ConnSet, type InputFile, type ProtocolPorts } from '../core/index';
import { semanticDiff, type FlowChange, type SemanticDiff } from '../tools/reach-diff';
import type { ResponsibleRule } from '../tools/trace';
import { analyzeOptionsOf, displayPath, oneOf, parse, readInputs, UsageError, type CliIO } from './common';
import { collectFiles } from './main';

export const DIFF_USAGE = `Usage:
  policy-lens diff --base REF|PATH [PATH...] [--format text|json|markdown]
                   [--fail-on any-change|new-exposure|removed-allowed|never] [--default-namespace NS]

  Compares the connectivity of the manifests in PATH (default: .) in the working tree with a baseline:
  --base REF   a git commit, branch or tag (e.g. origin/main): the same PATHs as of REF (git ls-tree / git show)
  --base PATH  a folder (or file) holding the old manifests
  Reports every flow newly allowed (added), no longer allowed (removed) or allowed on other ports (changed), with
  the rules that allow it before and after. "New exposure" = a newly allowed flow into a workload from another
  namespace or from external addresses.

  --format, -f   text (default), json, or markdown (a pull-request comment)
  --fail-on      exit 1 when: any-change (something changed), new-exposure (a new exposure),
                 removed-allowed (some previously allowed flow or port is blocked), never (default)

  Exit codes: 0 no failing change, 1 failing change (see --fail-on), 2 usage error, unreadable input or bad REF.
`;

const FORMATS = ['text', 'json', 'markdown'] as const;
const FAIL_ON = ['any-change', 'new-exposure', 'removed-allowed', 'never'] as const;
const MANIFEST = /\.(ya?ml|json)$/i;

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * The manifests under `paths` as of git `ref`: paths relative to the repository root are listed with
 * `git ls-tree -r REF -- <paths>` and read with `git show REF:<path>`. Files are named as in the working tree
 * (relative to the current directory), so both sides report the same file names. The same files count as
 * collectFiles picks in the working tree (.yaml/.yml/.json, no dot folders, no node_modules).
 */
export function filesAtRef(ref: string, paths: string[], cwd = process.cwd()): InputFile[] {
  let top: string;
  try {
    top = git(['rev-parse', '--show-toplevel'], cwd).trim();
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd);
  } catch {
    throw new UsageError(`--base ${ref} is neither a folder nor a git commit of the repository at ${cwd}`);
  }
  const rel = paths.map((p) => {
    const r = relative(top, resolve(cwd, p)).split(sep).join('/');
    if (r.startsWith('..')) throw new UsageError(`${p} is outside the git repository ${top}`);
    return r || '.';
  });
  const listed = git(['ls-tree', '-r', '-z', '--name-only', ref, '--', ...rel], top).split('\0').filter(Boolean);
  const explicit = new Set(rel);
  const files: InputFile[] = [];
  for (const p of listed.sort()) {
    const parts = p.split('/');
    if (!explicit.has(p) && (!MANIFEST.test(p) || parts.some((s) => s === 'node_modules' || s.startsWith('.')))) continue;
    const text = git(['show', `${ref}:${p}`], top);
    files.push({ path: displayPath(resolve(top, p), cwd), text });
  }
  return files;
}

function ports(pp: ProtocolPorts): string {
  return describeConns(pp);
}

function rules(rs: ResponsibleRule[], iso: { egressIsolated?: boolean; ingressIsolated?: boolean }, allowed: boolean): string {
  if (!allowed) return 'nothing allowed';
  const parts = rs.map((r) => `${r.policy} ${r.direction.toLowerCase()}[${r.ruleIndex}]${r.file ? ` (${displayPath(r.file)}:${r.line})` : ''}`);
  if (iso.egressIsolated === false) parts.push('egress not isolated');
  if (iso.ingressIsolated === false) parts.push('ingress not isolated');
  return parts.join('; ') || 'allowed';
}

function flag(c: FlowChange): string {
  return c.newExposure ? ' [new exposure]' : '';
}

export function diffText(d: SemanticDiff, base: string): string {
  const s = d.summary;
  const lines = [`Connectivity diff against ${base}: ${s.added} added, ${s.removed} removed, ${s.changed} changed (${s.newExposure} new exposure(s))`];
  for (const c of d.changes) {
    lines.push(`${c.change}: ${c.src} => ${c.dst}, before: ${ports(c.before.protocols)}, after: ${ports(c.after.protocols)}${flag(c)}`);
    if (Object.keys(c.before.protocols).length) lines.push(`    before: ${rules(c.before.rules, c.before, true)}`);
    if (Object.keys(c.after.protocols).length) lines.push(`    after:  ${rules(c.after.rules, c.after, true)}`);
  }
  for (const f of d.notCompared) lines.push(`note: ${f} external addresses are modelled on one side only and were not compared`);
  return `${lines.join('\n')}\n`;
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function diffMarkdown(d: SemanticDiff, base: string): string {
  const s = d.summary;
  const out = [`### Policy Lens connectivity diff against \`${md(base)}\``, ''];
  out.push(`**${s.added}** added · **${s.removed}** removed · **${s.changed}** changed${s.newExposure ? ` · :warning: **${s.newExposure}** new exposure(s)` : ''}`, '');
  if (d.changes.length === 0) out.push('No connectivity change.');
  else {
    out.push('| Change | Source | Destination | Before | After | Allowed by (before) | Allowed by (after) |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const c of d.changes) {
      const label = c.newExposure ? ':warning: new exposure' : c.change;
      const cell = (x: FlowChange['before']) => md(Object.keys(x.protocols).length ? rules(x.rules, x, true) : '—');
      out.push(`| ${label}${c.newExposure ? ` (${c.change})` : ''} | \`${md(c.src)}\` | \`${md(c.dst)}\` | ${md(ports(c.before.protocols))} | ${md(ports(c.after.protocols))} | ${cell(c.before)} | ${cell(c.after)} |`);
    }
  }
  for (const f of d.notCompared) out.push('', `_${f} external addresses are modelled on one side only and were not compared._`);
  return `${out.join('\n')}\n`;
}

export async function diff(args: string[], io: CliIO): Promise<number> {
  let values;
  let positionals: string[];
  let format: (typeof FORMATS)[number];
  let failOn: (typeof FAIL_ON)[number];
  let base: string;
  let analyzeOpts;
  try {
    ({ values, positionals } = parse(args, {
      base: { type: 'string' },
      format: { type: 'string', short: 'f' },
      'fail-on': { type: 'string' },
      'default-namespace': { type: 'string' },
    }));
    if (values.help) {
      io.out(DIFF_USAGE);
      return 0;
    }
    format = oneOf('--format', values.format, FORMATS, 'text');
    failOn = oneOf('--fail-on', values['fail-on'], FAIL_ON, 'never');
    analyzeOpts = analyzeOptionsOf(values);
    if (typeof values.base !== 'string' || !values.base) throw new UsageError('--base REF|PATH is required');
    base = values.base;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`policy-lens diff: ${e.message}\n${DIFF_USAGE}`);
    return 2;
  }
  const paths = positionals.length ? positionals : ['.'];
  const { files, errors, warnings } = readInputs(paths);
  for (const e of errors) io.err(`policy-lens diff: ${e}\n`);
  for (const w of warnings) io.err(`policy-lens diff: ${w}\n`);
  if (errors.length) return 2;
  let baseFiles: InputFile[];
  let baseLabel = base;
  try {
    if (existsSync(base) && (statSync(base).isDirectory() || statSync(base).isFile())) {
      const r = collectFiles([base]);
      if (r.errors.length) throw new UsageError(r.errors.join('; '));
      baseFiles = r.files.map((f) => ({ path: displayPath(f.path), text: f.text }));
      baseLabel = displayPath(base);
    } else baseFiles = filesAtRef(base, paths);
  } catch (e) {
    io.err(`policy-lens diff: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    return 2;
  }
  const opts = { defaultNamespace: values['default-namespace'] as string | undefined };
  const before = analyzeFiles(baseFiles, opts, analyzeOpts).analysis;
  const after = analyzeFiles(files.map((f) => ({ path: displayPath(f.path), text: f.text })), opts, analyzeOpts).analysis;
  const d = semanticDiff(before, after);
  if (format === 'json') io.out(`${JSON.stringify({ base: baseLabel, paths, ...d }, null, 2)}\n`);
  else if (format === 'markdown') io.out(diffMarkdown(d, baseLabel));
  else io.out(diffText(d, baseLabel));
  const s = d.summary;
  const failing = failOn === 'any-change' ? d.changes.length > 0 : failOn === 'new-exposure' ? s.newExposure > 0 : failOn === 'removed-allowed' ? s.removedAllowed > 0 : false;
  return failing ? 1 : 0;
}
