// Unknown-field check of a Kubernetes NetworkPolicy against schemas/networkpolicy.schema.json (the same
// JSON Schema other YAML tools can use). The API server drops unknown fields (or rejects them with
// strict field validation, `kubectl apply --validate=strict`), so a typo such as `ingres:` silently
// removes the rules. Pure: no LSP imports; the schema is bundled as JSON.
import { isMap, isSeq, type Node, type Pair } from 'yaml';
import schemaJson from '../../../../schemas/networkpolicy.schema.json';
import { keyName, keySpan } from './ast';
import type { LocalFinding } from './doc-rules';
import { editDistance } from './net';

interface S {
  $ref?: string;
  properties?: Record<string, S>;
  additionalProperties?: boolean | S;
  items?: S;
  oneOf?: S[];
  definitions?: Record<string, S>;
}

const ROOT = schemaJson as unknown as S;

function deref(s: S | undefined): S | undefined {
  let cur = s;
  for (let i = 0; cur?.$ref && i < 10; i++) cur = ROOT.definitions?.[cur.$ref.replace('#/definitions/', '')];
  return cur;
}

function walk(node: unknown, schema: S | undefined, text: string, out: LocalFinding[], path: string): void {
  const s = deref(schema);
  if (!s || !node) return;
  if (isMap(node)) {
    if (!s.properties) return;
    for (const p of node.items as Pair[]) {
      const k = keyName(p);
      if (k === undefined) continue;
      const sub = s.properties[k];
      if (sub) {
        walk(p.value, sub, text, out, path ? `${path}.${k}` : k);
        continue;
      }
      if (s.additionalProperties !== false) continue;
      const span = keySpan(p, text);
      if (!span) continue;
      const known = Object.keys(s.properties);
      const best = known.map((n) => ({ n, d: editDistance(n.toLowerCase(), k.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
      const suggestion = best && best.d <= Math.max(2, Math.floor(k.length / 3)) ? best.n : undefined;
      out.push({
        code: 'np-unknown-field',
        severity: 'warning',
        message: `Unknown field \`${k}\`${path ? ` in ${path}` : ''}${suggestion ? `; did you mean \`${suggestion}\`?` : ''} The API server drops unknown fields (or rejects them with strict validation), so this part of the policy has no effect. Known fields: ${known.join(', ')}.`,
        start: span[0],
        end: span[1],
        fix: suggestion ? { kind: 'rename-key', to: suggestion } : undefined,
      });
    }
  } else if (isSeq(node)) {
    for (const it of node.items) walk(it as Node, s.items, text, out, `${path}[]`);
  }
}

/** Unknown fields of a NetworkPolicy document (root mapping). */
export function unknownFields(root: unknown, text: string): LocalFinding[] {
  const out: LocalFinding[] = [];
  walk(root, ROOT, text, out, '');
  return out;
}
