// Quick fixes as text edits computed from the current YAML AST of one document. Every fix is
// checked before it is offered: its edits lie inside the document, do not overlap, touch no alias (`*name`) and no
// anchored node an alias copies, and the edited document still parses without YAML errors.
// Pure: no LSP imports.
import { isScalar, parseDocument, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { asMap, asSeq, columnOf, dashOffset, findNodeAt, isFlow, keyName, keySpan, lineEnd, lineEndAfter, lineStartOf, nodeSpan, pairOf, valueOf } from './ast';
import type { FixHint } from './doc-rules';
import type { ParsedChunk } from '../documents';
import { eolOf, LineIndex, normalizeLoneCR } from '../lines';

/** An edit in chunk-relative offsets (or, with `file`, in absolute offsets of another file). */
export interface FixEdit {
  start: number;
  end: number;
  newText: string;
}

export interface FixAction {
  title: string;
  edits: FixEdit[];
  preferred?: boolean;
}

export function applyEdits(text: string, edits: FixEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** True when the edits lie inside the text, do not overlap, and applying them keeps the document free of YAML errors. */
export function editsAreSafe(text: string, edits: FixEdit[]): boolean {
  if (edits.length === 0) return false;
  if (edits.some((e) => !(e.start >= 0 && e.start <= e.end && e.end <= text.length))) return false;
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) if (sorted[i].start < sorted[i - 1].end) return false;
  try {
    return parseDocument(normalizeLoneCR(applyEdits(text, edits)), { uniqueKeys: true }).errors.length === 0;
  } catch {
    return false;
  }
}

/** True when no edit touches an alias use or an anchored node that an alias copies (a fix never edits shared text). */
export function editsAvoid(spans: readonly [number, number][], edits: FixEdit[]): boolean {
  return edits.every((e) => spans.every(([a, b]) => (e.start === e.end ? !(a < e.start && e.start < b) : e.end <= a || e.start >= b)));
}

/** Uses the document's line break ("\r\n" in CRLF documents) in the inserted text. */
function withEol(edits: FixEdit[], eol: string): FixEdit[] {
  return eol === '\n' ? edits : edits.map((e) => ({ ...e, newText: e.newText.replace(/\r?\n/g, eol) }));
}

export function spaces(n: number): string {
  return ' '.repeat(Math.max(0, n));
}

/** Re-indents a block of lines so that its first line starts at `col` (first line text is unindented). */
export function reindent(block: string, fromCol: number, toCol: number): string {
  const lines = new LineIndex(block).lines();
  return lines
    .map((l, i) => {
      if (i === 0) return l;
      if (l.trim() === '') return '';
      const cur = l.length - l.trimStart().length;
      return spaces(cur - fromCol + toCol) + l.trimStart();
    })
    .join('\n');
}

/** Where a new pair can be appended to a block mapping: after the line of its last value. */
export function appendPoint(text: string, map: YAMLMap): { offset: number; col: number } | undefined {
  if (isFlow(map) || map.items.length === 0) return undefined;
  const last = map.items[map.items.length - 1] as Pair;
  const first = map.items[0] as Pair;
  const ks = keySpan(first, text);
  const end = nodeSpan(last.value, text)?.[1] ?? keySpan(last, text)?.[1];
  if (!ks || end === undefined) return undefined;
  return { offset: lineEnd(text, end), col: columnOf(text, ks[0]) };
}

/** Block sequence item indentation: column of the dash and of the content. */
export function seqStyle(text: string, seq: YAMLSeq): { dash: number; content: number } | undefined {
  const first = seq.items[0] as Node | undefined;
  const s = first ? nodeSpan(first, text) : undefined;
  if (!s) return undefined;
  const d = dashOffset(text, s[0]);
  if (d === undefined) return undefined;
  return { dash: columnOf(text, d), content: columnOf(text, s[0]) };
}

export function seqItemLines(text: string, item: Node): [number, number] | undefined {
  const s = nodeSpan(item, text);
  if (!s) return undefined;
  const d = dashOffset(text, s[0]);
  if (d === undefined) return undefined;
  // Only when the dash starts its line (no other content before it).
  const ls = lineStartOf(text, d);
  if (text.slice(ls, d).trim() !== '') return undefined;
  return [ls, lineEndAfter(text, s[1])];
}

function specOf(root: unknown): YAMLMap | undefined {
  return asMap(valueOf(root, 'spec'));
}

export const DNS_RULE_LINES = [
  'to:',
  '  - namespaceSelector:',
  '      matchLabels:',
  '        kubernetes.io/metadata.name: kube-system',
  '    podSelector:',
  '      matchLabels:',
  '        k8s-app: kube-dns',
  'ports:',
  '  - protocol: UDP',
  '    port: 53',
  '  - protocol: TCP',
  '    port: 53',
];

/** The egress rule the cilium-add-dns fix adds (docs.cilium.io "DNS based" example). */
export const CILIUM_DNS_RULE_LINES = [
  'toEndpoints:',
  '  - matchLabels:',
  '      k8s:io.kubernetes.pod.namespace: kube-system',
  '      k8s:k8s-app: kube-dns',
  'toPorts:',
  '  - ports:',
  '      - port: "53"',
  '        protocol: ANY',
  '    rules:',
  '      dns:',
  '        - matchPattern: "*"',
];

/** The pair whose key starts at `at`, its mapping, and the pair holding that mapping (if any). */
function pairWithKeyAt(root: unknown, at: number): { pair: Pair; parent: YAMLMap; grand?: Pair } | undefined {
  let out: { pair: Pair; parent: YAMLMap; grand?: Pair } | undefined;
  const visit = (n: unknown, holder?: Pair): void => {
    if (out) return;
    const m = asMap(n);
    if (m) {
      for (const p of m.items as Pair[]) {
        const r = (p.key as { range?: [number, number, number] } | null)?.range;
        if (r && r[0] === at) {
          out = { pair: p, parent: m, grand: holder };
          return;
        }
        visit(p.value, p);
      }
      return;
    }
    const s = asSeq(n);
    if (s) for (const it of s.items) visit(it);
  };
  visit(root);
  return out;
}

function pairSpanOf(p: Pair, text: string): [number, number] | undefined {
  const k = keySpan(p, text);
  const v = p.value ? nodeSpan(p.value, text) : undefined;
  return k ? [k[0], v ? v[1] : k[1]] : undefined;
}

/**
 * Computes the fix for one finding of one parsed document; `at` is the finding's chunk-relative start offset.
 */
export function computeFix(chunk: ParsedChunk, hint: FixHint, at: number): FixAction[] {
  const text = chunk.text;
  const root = chunk.doc.contents;
  const eol = eolOf(text) === '\r\n' ? '\r\n' : '\n';
  const out: FixAction[] = [];
  const push = (title: string, edits: FixEdit[] | undefined, preferred = true) => {
    if (!edits || !editsAvoid(chunk.protectedSpans, edits)) return;
    const e = withEol(edits, eol);
    if (editsAreSafe(text, e)) out.push({ title, edits: e, preferred });
  };
  const spec = specOf(root);
  switch (hint.kind) {
    case 'add-policy-type': {
      const seq = asSeq(valueOf(spec, 'policyTypes'));
      if (!seq) break;
      if (isFlow(seq) || seq.items.length === 0) {
        const s = nodeSpan(seq, text);
        if (!s) break;
        const items = seq.items.map((i) => String((i as { value?: unknown }).value)).filter((v) => v !== 'undefined');
        push(`Add ${hint.policyType} to policyTypes`, [{ start: s[0], end: s[1], newText: `[${[...items, hint.policyType].join(', ')}]` }]);
      } else {
        const st = seqStyle(text, seq);
        const last = nodeSpan(seq.items[seq.items.length - 1], text);
        if (!st || !last) break;
        push(`Add ${hint.policyType} to policyTypes`, [{ start: lineEnd(text, last[1]), end: lineEnd(text, last[1]), newText: `\n${spaces(st.dash)}- ${hint.policyType}` }]);
      }
      break;
    }
    case 'add-dns': {
      if (!spec) break;
      const egressPair = pairOf(spec, 'egress');
      const egress = asSeq(egressPair?.value);
      const edits: FixEdit[] = [];
      if (egress && !isFlow(egress) && egress.items.length > 0) {
        const st = seqStyle(text, egress);
        const last = nodeSpan(egress.items[egress.items.length - 1], text);
        if (!st || !last) break;
        const body = DNS_RULE_LINES.map((l, i) => (i === 0 ? l : spaces(st.content) + l)).join('\n');
        edits.push({ start: lineEnd(text, last[1]), end: lineEnd(text, last[1]), newText: `\n${spaces(st.dash)}- ${body}` });
      } else {
        const ap = appendPoint(text, spec);
        if (!ap) break;
        const dash = ap.col + 2;
        const body = DNS_RULE_LINES.map((l, i) => (i === 0 ? l : spaces(dash + 2) + l)).join('\n');
        const block = `${spaces(ap.col)}egress:\n${spaces(dash)}- ${body}`;
        if (egressPair) {
          // `egress: []` or `egress:` (null): replace the whole pair.
          const ps = keySpan(egressPair, text);
          const vs = egressPair.value ? nodeSpan(egressPair.value, text) : undefined;
          if (!ps) break;
          edits.push({ start: lineStartOf(text, ps[0]), end: vs ? vs[1] : ps[1] + 1, newText: block });
        } else {
          edits.push({ start: ap.offset, end: ap.offset, newText: `\n${block}` });
        }
      }
      // Egress must be enforced for the rule to matter; policyTypes already lists it (else no DNS finding).
      push('Add an egress rule allowing DNS (UDP/TCP 53 to kube-dns)', edits);
      break;
    }
    case 'merge-rule': {
      const rules = asSeq(valueOf(spec, hint.direction));
      if (!rules || hint.index < 1 || hint.index >= rules.items.length) break;
      const a = asMap(rules.items[hint.index - 1]);
      const b = asMap(rules.items[hint.index]);
      if (!a || !b || isFlow(a) || isFlow(b) || b.items.length !== 1) break;
      const moved = b.items[0] as Pair;
      const ms = keySpan(moved, text);
      const me = nodeSpan(moved.value, text);
      const del = seqItemLines(text, rules.items[hint.index] as Node);
      const ap = appendPoint(text, a);
      if (!ms || !me || !del || !ap) break;
      const block = reindent(text.slice(ms[0], me[1]), columnOf(text, ms[0]), ap.col);
      push('Merge into the previous rule (one rule: peers AND ports)', [
        { start: ap.offset, end: ap.offset, newText: `\n${spaces(ap.col)}${block}` },
        { start: del[0], end: del[1], newText: '' },
      ]);
      break;
    }
    case 'merge-peer': {
      const rules = asSeq(valueOf(spec, hint.direction));
      const rule = asMap(rules?.items[hint.rule]);
      const peers = asSeq(valueOf(rule, hint.direction === 'ingress' ? 'from' : 'to'));
      if (!peers || hint.peer < 1 || hint.peer >= peers.items.length) break;
      const a = asMap(peers.items[hint.peer - 1]);
      const b = asMap(peers.items[hint.peer]);
      if (!a || !b || isFlow(a) || isFlow(b) || b.items.length !== 1) break;
      const moved = b.items[0] as Pair;
      const ms = keySpan(moved, text);
      const me = nodeSpan(moved.value, text) ?? ms;
      const del = seqItemLines(text, peers.items[hint.peer] as Node);
      const ap = appendPoint(text, a);
      if (!ms || !me || !del || !ap) break;
      const block = reindent(text.slice(ms[0], me[1]), columnOf(text, ms[0]), ap.col);
      push('Merge into one peer (namespaceSelector AND podSelector)', [
        { start: ap.offset, end: ap.offset, newText: `\n${spaces(ap.col)}${block}` },
        { start: del[0], end: del[1], newText: '' },
      ]);
      break;
    }
    case 'replace-port': {
      // `at` is the start of the port value.
      const end = scalarEnd(text, at);
      if (end === undefined) break;
      hint.names.forEach((n, i) => {
        const numeric = /^\d+$/.test(n);
        push(numeric ? `Use the number ${n}` : n.startsWith('"') ? `Quote the port: ${n}` : `Change the port to "${n}"`, [{ start: at, end, newText: n }], i === 0);
      });
      break;
    }
    case 'rename-key': {
      // `at` is the start of the misspelt key.
      const end = scalarEnd(text, at);
      if (end === undefined || text[end] !== ':') break;
      push(`Rename to \`${hint.to}\``, [{ start: at, end, newText: hint.to }]);
      break;
    }
    case 'add-namespace-labels':
      break; // cross-document: see namespaceLabelFix
    case 'cilium-select-all': {
      // `at` is the start of the empty flow list `[]`.
      const hit = findNodeAt(root, at);
      const seq = asSeq(hit?.node);
      const s = seq && seq.items.length === 0 ? nodeSpan(seq, text) : undefined;
      if (!s) break;
      push('Select every endpoint: `[{}]`', [{ start: s[0], end: s[1], newText: '[{}]' }]);
      break;
    }
    case 'remove-key': {
      // `at` is the start of the key to remove.
      const found = pairWithKeyAt(root, at);
      if (!found) break;
      const { pair, parent, grand } = found;
      const name = keyName(pair);
      if (parent.items.length === 1 && grand) {
        // The mapping would become empty: remove its own pair (e.g. the whole `enableDefaultDeny`).
        const ks = keySpan(grand, text);
        const vs = grand.value ? nodeSpan(grand.value, text) : undefined;
        if (!ks || !vs) break;
        push(`Remove \`${keyName(grand)}\``, [{ start: lineStartOf(text, ks[0]), end: lineEndAfter(text, vs[1] - 1), newText: '' }]);
      } else if (isFlow(parent)) {
        const s = nodeSpan(parent, text);
        if (!s) break;
        const kept = parent.items.filter((p) => p !== pair).map((p) => text.slice(...(pairSpanOf(p as Pair, text) ?? [0, 0])));
        push(`Remove \`${name}\``, [{ start: s[0], end: s[1], newText: `{${kept.join(', ')}}` }]);
      } else {
        const ks = keySpan(pair, text);
        const vs = pair.value ? nodeSpan(pair.value, text) : undefined;
        if (!ks) break;
        push(`Remove \`${name}\``, [{ start: lineStartOf(text, ks[0]), end: lineEndAfter(text, (vs ?? ks)[1] - 1), newText: '' }]);
      }
      break;
    }
    case 'cilium-add-dns': {
      if (!spec || isFlow(spec)) break;
      const egress = asSeq(valueOf(spec, 'egress'));
      if (!egress || isFlow(egress) || egress.items.length === 0) break;
      const st = seqStyle(text, egress);
      const last = nodeSpan(egress.items[egress.items.length - 1], text);
      if (!st || !last) break;
      const body = CILIUM_DNS_RULE_LINES.map((l, i) => (i === 0 ? l : spaces(st.content) + l)).join('\n');
      push('Add an egress rule allowing DNS to kube-dns with DNS visibility (rules: dns)', [{ start: lineEnd(text, last[1]), end: lineEnd(text, last[1]), newText: `\n${spaces(st.dash)}- ${body}` }]);
      break;
    }
    case 'migrate-to-cnp':
      break; // needs the workspace and the engine: see core/dialects/admin/migrate.ts
    case 'cnp-all-ports': {
      // `at` is the start of the `tcp: {}` (udp, sctp) pair of a ClusterNetworkPolicy protocols entry.
      const pair = pairStartingAt(root, at);
      const ks = pair ? keySpan(pair, text) : undefined;
      if (!pair || !ks) break;
      const all = '{destinationPort: {range: {start: 1, end: 65535}}}';
      const vs = pair.value ? nodeSpan(pair.value, text) : undefined;
      const colon = text.indexOf(':', ks[1]);
      if (colon < 0) break;
      const edit = vs && vs[1] > vs[0] ? { start: vs[0], end: vs[1], newText: all } : { start: colon + 1, end: colon + 1, newText: ` ${all}` };
      push('Match every port with destinationPort range 1-65535', [edit]);
      break;
    }
  }
  return out;
}

/** The pair whose key starts at `offset`. */
function pairStartingAt(root: unknown, offset: number): Pair | undefined {
  let found: Pair | undefined;
  const visit = (n: unknown): void => {
    if (found) return;
    const m = asMap(n);
    if (m) {
      for (const p of m.items as Pair[]) {
        const kr = (p.key as { range?: [number, number] } | null)?.range;
        if (kr && kr[0] === offset) {
          found = p;
          return;
        }
        visit(p.value);
      }
      return;
    }
    const sq = asSeq(n);
    if (sq) for (const it of sq.items) visit(it);
  };
  visit(root);
  return found;
}

/** End of the plain or quoted scalar starting at `start` on its line. */
function scalarEnd(text: string, start: number): number | undefined {
  const le = lineEnd(text, start);
  const line = text.slice(start, le);
  const q = line[0];
  if (q === '"' || q === "'") {
    const close = line.indexOf(q, 1);
    return close < 0 ? undefined : start + close + 1;
  }
  const m = /^[^\s#,:\]}]+/.exec(line);
  return m ? start + m[0].length : undefined;
}

/** Adds labels to the metadata of a Namespace document. */
export function namespaceLabelFix(chunk: ParsedChunk, name: string, labels: Record<string, string>): FixAction | undefined {
  const text = chunk.text;
  const meta = asMap(valueOf(chunk.doc.contents, 'metadata'));
  if (!meta || isFlow(meta)) return undefined;
  const lp = pairOf(meta, 'labels');
  const lm = asMap(lp?.value);
  const entries = Object.entries(labels).filter(([k, v]) => !(lm && lm.items.some((p) => isScalar((p as Pair).key) && ((p as Pair).key as { value: unknown }).value === k && String(((p as Pair).value as { value?: unknown })?.value) === v)));
  if (entries.length === 0) return undefined;
  const quote = (s: string) => (/^[A-Za-z0-9][-A-Za-z0-9_./]*$/.test(s) && !/^(true|false|null|yes|no|on|off|~|\d+(\.\d+)?)$/i.test(s) ? s : JSON.stringify(s));
  let edits: FixEdit[];
  if (lm && !isFlow(lm) && lm.items.length > 0) {
    const ap = appendPoint(text, lm);
    if (!ap) return undefined;
    edits = [{ start: ap.offset, end: ap.offset, newText: entries.map(([k, v]) => `\n${spaces(ap.col)}${quote(k)}: ${quote(v)}`).join('') }];
  } else if (lm && isFlow(lm)) {
    const s = nodeSpan(lm, text);
    if (!s) return undefined;
    const inner = text.slice(s[0] + 1, s[1] - 1).trim();
    const add = entries.map(([k, v]) => `${quote(k)}: ${quote(v)}`).join(', ');
    edits = [{ start: s[0], end: s[1], newText: `{${inner ? `${inner}, ` : ''}${add}}` }];
  } else {
    const ap = appendPoint(text, meta);
    if (!ap) return undefined;
    const body = entries.map(([k, v]) => `\n${spaces(ap.col + 2)}${quote(k)}: ${quote(v)}`).join('');
    if (lp) {
      const ks = keySpan(lp, text);
      const vs = lp.value ? nodeSpan(lp.value, text) : undefined;
      if (!ks) return undefined;
      edits = [{ start: ks[0], end: vs ? vs[1] : ks[1] + 1, newText: `labels:${body}` }];
    } else edits = [{ start: ap.offset, end: ap.offset, newText: `\n${spaces(ap.col)}labels:${body}` }];
  }
  if (!editsAvoid(chunk.protectedSpans, edits)) return undefined;
  edits = withEol(edits, eolOf(text) === '\r\n' ? '\r\n' : '\n');
  if (!editsAreSafe(text, edits)) return undefined;
  return { title: `Add label ${entries.map(([k, v]) => `${k}=${v}`).join(', ')} to namespace ${name}`, edits };
}
