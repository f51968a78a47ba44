// Inline suppression comments. Pure.
//
//   # policy-lens-disable-next-line np-allow-all, np-broad-peer   (the next line only)
//   # policy-lens-disable np-dns-blocked                          (the whole file)
// Without rule ids, every rule is suppressed.
import { LineIndex } from '../lines';

export interface Suppressions {
  /** Rule ids suppressed in the whole file; '*' = all. */
  file: Set<string>;
  /** 0-based line → rule ids suppressed on that line; '*' = all. */
  lines: Map<number, Set<string>>;
}

const MARK = 'policy-lens-disable';
const RE = /#\s*policy-lens-disable(-next-line)?(?:[ \t]+([^\r\n#]*))?/;

function ids(list: string | undefined): Set<string> {
  const s = new Set((list ?? '').split(/[\s,]+/).filter(Boolean));
  if (s.size === 0) s.add('*');
  return s;
}

export function parseSuppressions(text: string, index?: LineIndex): Suppressions {
  const out: Suppressions = { file: new Set(), lines: new Map() };
  let i = text.indexOf(MARK);
  if (i < 0) return out;
  const li = index ?? new LineIndex(text);
  while (i >= 0) {
    const line = li.lineAt(i);
    const m = RE.exec(li.lineText(line));
    if (m) {
      const set = ids(m[2]);
      if (m[1]) {
        const target = line + 1;
        const prev = out.lines.get(target);
        out.lines.set(target, prev ? new Set([...prev, ...set]) : set);
      } else {
        for (const id of set) out.file.add(id);
      }
    }
    i = text.indexOf(MARK, li.lineContentEnd(line));
  }
  return out;
}

export function isSuppressed(s: Suppressions, code: string, line: number): boolean {
  if (s.file.has('*') || s.file.has(code)) return true;
  const l = s.lines.get(line);
  return !!l && (l.has('*') || l.has(code));
}
