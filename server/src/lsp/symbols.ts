// Document outline: one symbol per Kubernetes object; NetworkPolicies list their selector and rules.
import { SymbolKind, type DocumentSymbol, type Range } from 'vscode-languageserver';
import type { Node, Pair } from 'yaml';
import { asMap, asSeq, keySpan, nodeSpan, pairOf, scalar, valueOf } from '../core/lint/ast';
import type { PlacedChunk } from '../core/lint/project';
import type { LintProject } from '../core/lint/project';
import { isCiliumPolicyKind } from '../core/dialects/cilium/model';
import { isClusterPolicyKind } from '../core/dialects/admin/model';

/**
 * Symbols of a file. `tick` is awaited between documents (a large file's documents may still need their parse):
 * it lets the caller yield to the event loop and abort (throw) when the request is cancelled.
 */
export async function documentSymbols(project: LintProject, uri: string, tick?: () => Promise<void>): Promise<DocumentSymbol[]> {
  const out: DocumentSymbol[] = [];
  const text = project.getText(uri);
  for (const c of project.chunks(uri)) {
    if (tick) await tick();
    // The file changed while we yielded: its old documents no longer describe the text.
    if (project.getText(uri) !== text) return documentSymbols(project, uri, tick);
    const p = c.entry.parsed;
    const root = asMap(p.doc.contents);
    if (!root || !p.kind) continue;
    const range = (s: [number, number] | undefined): Range | undefined => {
      if (!s) return undefined;
      const a = p.lines.position(s[0]);
      const b = p.lines.position(s[1]);
      return { start: { line: a.line + c.startLine, character: a.character }, end: { line: b.line + c.startLine, character: b.character } };
    };
    const whole = range(nodeSpan(root, p.text));
    if (!whole) continue;
    const meta = asMap(valueOf(root, 'metadata'));
    const name = scalar(valueOf(meta, 'name'));
    const ns = scalar(valueOf(meta, 'namespace'));
    const namePair = pairOf(meta, 'name');
    const sel = range(namePair ? nodeSpan(namePair.value, p.text) : undefined) ?? range(keySpan(root.items[0] as Pair, p.text)) ?? whole;
    const sym: DocumentSymbol = {
      name: `${p.kind} ${typeof ns === 'string' ? `${ns}/` : ''}${typeof name === 'string' ? name : '(unnamed)'}`,
      detail: p.apiVersion,
      kind: p.kind === 'NetworkPolicy' || isClusterPolicyKind(p.kind) || isCiliumPolicyKind(p.kind) ? SymbolKind.Interface : p.kind === 'Namespace' ? SymbolKind.Namespace : SymbolKind.Class,
      range: whole,
      selectionRange: contains(whole, sel) ? sel : whole,
      children: p.kind === 'NetworkPolicy' ? policyChildren(c, range) : isClusterPolicyKind(p.kind) ? clusterPolicyChildren(c, range) : isCiliumPolicyKind(p.kind) ? ciliumChildren(c, range) : [],
    };
    if (isClusterPolicyKind(p.kind)) {
      const spec = asMap(valueOf(root, 'spec'));
      const tier = scalar(valueOf(spec, 'tier')) ?? (p.kind === 'AdminNetworkPolicy' ? 'Admin' : p.kind === 'BaselineAdminNetworkPolicy' ? 'Baseline' : undefined);
      const prio = scalar(valueOf(spec, 'priority'));
      sym.detail = [tier ? `${String(tier)} tier` : undefined, prio !== undefined ? `priority ${String(prio)}` : undefined, p.apiVersion].filter(Boolean).join(' · ');
    }
    out.push(sym);
  }
  return out;
}

function contains(outer: Range, inner: Range): boolean {
  const le = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return le(outer.start, inner.start) && le(inner.end, outer.end);
}

function policyChildren(c: PlacedChunk, range: (s: [number, number] | undefined) => Range | undefined): DocumentSymbol[] {
  const p = c.entry.parsed;
  const spec = asMap(valueOf(p.doc.contents, 'spec'));
  if (!spec) return [];
  const out: DocumentSymbol[] = [];
  const pairSym = (pair: Pair | undefined, name: string, kind: SymbolKind, children: DocumentSymbol[] = []): DocumentSymbol | undefined => {
    if (!pair) return undefined;
    const k = keySpan(pair, p.text);
    const v = pair.value ? nodeSpan(pair.value, p.text) : undefined;
    const r = range(k && v ? [k[0], Math.max(k[1], v[1])] : k);
    const sr = range(k);
    if (!r || !sr) return undefined;
    return { name, kind, range: r, selectionRange: sr, children };
  };
  const ps = pairSym(pairOf(spec, 'podSelector'), 'podSelector', SymbolKind.Field);
  if (ps) out.push(ps);
  const pt = pairSym(pairOf(spec, 'policyTypes'), 'policyTypes', SymbolKind.Enum);
  if (pt) out.push(pt);
  for (const dir of ['ingress', 'egress']) {
    const pair = pairOf(spec, dir);
    const seq = asSeq(pair?.value);
    const rules: DocumentSymbol[] = [];
    seq?.items.forEach((item, i) => {
      const r = range(nodeSpan(item as Node, p.text));
      if (r) rules.push({ name: `rule ${i + 1}`, kind: SymbolKind.Event, range: r, selectionRange: r });
    });
    const s = pairSym(pair, dir, SymbolKind.Array, rules);
    if (s) out.push(s);
  }
  return out;
}

/** CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy: per rule (spec / specs[i]) its selector and rule lists. */
function ciliumChildren(c: PlacedChunk, range: (s: [number, number] | undefined) => Range | undefined): DocumentSymbol[] {
  const p = c.entry.parsed;
  const root = p.doc.contents;
  const sym = pairSymbol(p.text, range);
  const ruleSyms = (spec: unknown): DocumentSymbol[] => {
    const out: DocumentSymbol[] = [];
    for (const key of ['endpointSelector', 'nodeSelector']) {
      const s = sym(pairOf(spec, key), key, SymbolKind.Field, [], key === 'nodeSelector' ? 'host policy' : undefined);
      if (s) out.push(s);
    }
    for (const dir of ['ingressDeny', 'egressDeny', 'ingress', 'egress']) {
      const pair = pairOf(spec, dir);
      const rules: DocumentSymbol[] = [];
      asSeq(pair?.value)?.items.forEach((item, i) => {
        const r = range(nodeSpan(item as Node, p.text));
        if (!r) return;
        const peers = asMap(item)?.items.map((x) => String((x.key as { value?: unknown })?.value ?? '')).filter((k) => /^(from|to)/.test(k) && k !== 'toPorts') ?? [];
        rules.push({ name: `rule ${i + 1}`, detail: [dir.endsWith('Deny') ? 'deny' : 'allow', ...peers].join(' · '), kind: SymbolKind.Event, range: r, selectionRange: r });
      });
      const s = sym(pair, dir, SymbolKind.Array, rules, dir.endsWith('Deny') ? 'evaluated first' : undefined);
      if (s) out.push(s);
    }
    return out;
  };
  const out: DocumentSymbol[] = [];
  const specPair = pairOf(root, 'spec');
  if (specPair) out.push(...ruleSyms(specPair.value));
  const specsPair = pairOf(root, 'specs');
  asSeq(specsPair?.value)?.items.forEach((item, i) => {
    const r = range(nodeSpan(item as Node, p.text));
    if (r) out.push({ name: `specs[${i}]`, kind: SymbolKind.Object, range: r, selectionRange: r, children: ruleSyms(item) });
  });
  return out;
}

/** ClusterNetworkPolicy / ANP / BANP: subject, then the ingress and egress rules named by their name and action. */
function clusterPolicyChildren(c: PlacedChunk, range: (s: [number, number] | undefined) => Range | undefined): DocumentSymbol[] {
  const p = c.entry.parsed;
  const spec = asMap(valueOf(p.doc.contents, 'spec'));
  if (!spec) return [];
  const out: DocumentSymbol[] = [];
  const sym = pairSymbol(p.text, range);
  const subject = sym(pairOf(spec, 'subject'), 'subject', SymbolKind.Field);
  if (subject) out.push(subject);
  for (const dir of ['ingress', 'egress']) {
    const pair = pairOf(spec, dir);
    const rules: DocumentSymbol[] = [];
    asSeq(pair?.value)?.items.forEach((item, i) => {
      const r = range(nodeSpan(item as Node, p.text));
      if (!r) return;
      const name = scalar(valueOf(item, 'name'));
      const action = scalar(valueOf(item, 'action'));
      rules.push({ name: `${typeof name === 'string' && name ? name : `rule ${i + 1}`}`, detail: typeof action === 'string' ? action : undefined, kind: SymbolKind.Event, range: r, selectionRange: r });
    });
    const s = sym(pair, dir, SymbolKind.Array, rules);
    if (s) out.push(s);
  }
  return out;
}

/** A symbol for a key/value pair: its range spans key and value, its selection the key. */
function pairSymbol(text: string, range: (s: [number, number] | undefined) => Range | undefined) {
  return (pair: Pair | undefined, name: string, kind: SymbolKind, children: DocumentSymbol[] = [], detail?: string): DocumentSymbol | undefined => {
    if (!pair) return undefined;
    const k = keySpan(pair, text);
    const v = pair.value ? nodeSpan(pair.value, text) : undefined;
    const r = range(k && v ? [k[0], Math.max(k[1], v[1])] : k);
    const sr = range(k);
    if (!r || !sr) return undefined;
    return { name, detail, kind, range: r, selectionRange: sr, children };
  };
}
