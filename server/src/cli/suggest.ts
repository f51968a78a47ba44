// `policy-lens reach PATH --explain SRC DST --suggest[=allow|block] [--port N[-M]] [--protocol P]`: the explanation of
// the pair followed by the verified proposals (core/suggest): title, the edit as a unified diff, and the effect.
import { parseRangeId } from '../core/explain/externals';
import { relative } from 'node:path';
import type { Analysis, InputFile } from '../core/index';
import { ConnSet } from '../core/ports';
import { renderTraceText, describeConns } from '../core/explain/format';
import { renderPreview, suggest, type FlowChange, type SuggestMode, type SuggestResult } from '../core/suggest/index';
import type { CliIO } from './main';

export interface SuggestCliOptions {
  enabled: boolean;
  mode?: SuggestMode;
  port?: number | [number, number];
  protocol?: string;
}

/**
 * Consumes a suggestion option at `args[i]`: returns the index of its last argument, undefined when `args[i]` is not
 * one, or an error message.
 */
export function takeSuggestArg(args: string[], i: number, o: SuggestCliOptions): number | string | undefined {
  const a = args[i];
  if (a === '--suggest') {
    o.enabled = true;
    return i;
  }
  if (a.startsWith('--suggest=')) {
    const m = a.slice('--suggest='.length);
    if (m !== 'allow' && m !== 'block') return `--suggest takes allow or block, not "${m}"`;
    o.enabled = true;
    o.mode = m;
    return i;
  }
  if (a === '--port') {
    const v = args[i + 1] ?? '';
    const m = /^(\d+)(?:-(\d+))?$/.exec(v);
    if (!m) return `--port needs a port number or a range N-M, not "${v}"`;
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    o.port = lo === hi ? lo : [lo, hi];
    return i + 1;
  }
  if (a === '--protocol') {
    const v = args[i + 1];
    if (!v || v.startsWith('-')) return '--protocol needs a protocol name (TCP, UDP, SCTP, ...)';
    o.protocol = v;
    return i + 1;
  }
  return undefined;
}

function rel(file: string): string {
  return relative(process.cwd(), file) || file;
}

function changeLine(sign: string, c: FlowChange): string {
  return `${sign} ${c.src} => ${c.dst} : ${describeConns(ConnSet.fromProtocolPorts(c.protocols))}${c.requested ? '' : '  (not requested)'}`;
}

/** Renders a suggestion result as text (after the trace). */
export function renderSuggestText(r: SuggestResult, given?: { src: string; dst: string }): string {
  if (r.problem) return `${r.problem}\n`;
  const out: string[] = [];
  const verb = r.mode === 'allow' ? 'allow' : 'block';
  const what = describeConns(ConnSet.fromProtocolPorts(r.requested));
  // An address or CIDR the user gave is named as given, not by the external range that holds it.
  const name = (id: string, g?: string) => (g && g !== id && parseRangeId(id) ? g : id);
  out.push(`How to ${verb} ${what} from ${name(r.src, given?.src)} to ${name(r.dst, given?.dst)}: ${r.proposals.length} proposal${r.proposals.length === 1 ? '' : 's'}, each verified by parsing the edited files and analysing them again.`);
  for (const n of r.notes) out.push(`Note: ${n}`);
  r.proposals.forEach((p, i) => {
    out.push('', `${i + 1}. ${p.title}  [${p.exact ? 'exact' : 'also changes other flows'}]`);
    out.push(
      renderPreview(p.edits, rel)
        .split('\n')
        .map((l) => `   ${l}`)
        .join('\n'),
    );
    out.push('   Effect (verified):');
    for (const c of p.effect.added) out.push(`     ${changeLine('+', c)}`);
    for (const c of p.effect.removed) out.push(`     ${changeLine('-', c)}`);
    if (p.effect.omitted) out.push(`     … and ${p.effect.omitted} more endpoint pairs`);
    if (p.exact) out.push('     nothing else changes');
  });
  return out.join('\n') + '\n';
}

/** Prints the explanation of the pair and the proposals. Exit code as for --explain. */
export function runSuggest(io: CliIO, files: InputFile[], analysis: Analysis, src: string, dst: string, o: SuggestCliOptions, output: string, defaultNamespace?: string): number {
  const t = analysis.trace(src, dst);
  const r = suggest({ files, analysis, request: { src, dst, mode: o.mode, port: o.port, protocol: o.protocol }, parse: { defaultNamespace } });
  if (output === 'json') {
    io.out(`${JSON.stringify({ src: t.src, dst: t.dst, protocols: t.allowed, explanation: t, suggestions: r }, null, 2)}\n`);
  } else {
    io.out(renderTraceText(t, (x) => `${rel(x.file)}:${x.start.line + 1}`, analysis.universe));
    if (!t.problem) io.out(`\n${renderSuggestText(r, { src, dst })}`);
  }
  return t.problem?.startsWith('Unknown endpoint') || r.problem?.startsWith('Unknown endpoint') ? 1 : r.problem ? 2 : 0;
}
