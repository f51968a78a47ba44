// Loads the JSON Schemas in <extension>/schemas and answers "which schema node is at this YAML path".
// Schemas are keyed by the `kind` and `apiVersion` enums of their top-level properties, so schemas
// added later (e.g. schemas/calico-*.schema.json) are picked up without code changes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SchemaNode {
  type?: string | string[];
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  enum?: unknown[];
  default?: unknown;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  $ref?: string;
  definitions?: Record<string, SchemaNode>;
  required?: string[];
}

interface LoadedSchema {
  file: string;
  root: SchemaNode;
  kinds: string[];
  apiVersions: string[];
}

/** Finds the extension folder (package.json + schemas/) by walking up from this module (dist/server or out/.../server/src/lsp). */
export function findExtensionRoot(start = __dirname): string | undefined {
  let d = start;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(d, 'schemas', 'networkpolicy.schema.json')) && existsSync(join(d, 'package.json'))) return d;
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return undefined;
}

export class SchemaRegistry {
  private readonly schemas: LoadedSchema[] = [];

  constructor(root = findExtensionRoot()) {
    if (!root) return;
    const dir = join(root, 'schemas');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.schema.json')).sort()) {
      try {
        const s = JSON.parse(readFileSync(join(dir, f), 'utf8')) as SchemaNode;
        const kinds = (s.properties?.kind?.enum ?? []).map(String);
        const apiVersions = (s.properties?.apiVersion?.enum ?? []).map(String);
        if (kinds.length) this.schemas.push({ file: f, root: s, kinds, apiVersions });
      } catch {
        // A broken schema file must not take the server down; it is simply not used.
      }
    }
  }

  get size(): number {
    return this.schemas.length;
  }

  kinds(): { kind: string; apiVersion: string }[] {
    const out: { kind: string; apiVersion: string }[] = [];
    for (const s of this.schemas) for (const k of s.kinds) out.push({ kind: k, apiVersion: s.apiVersions[0] ?? '' });
    return out;
  }

  /** The schema for a document's apiVersion/kind (apiVersion optional). */
  forDocument(apiVersion: string | undefined, kind: string | undefined): SchemaNode | undefined {
    if (!kind) return undefined;
    const byKind = this.schemas.filter((s) => s.kinds.includes(kind));
    if (byKind.length === 0) return undefined;
    const exact = byKind.find((s) => apiVersion !== undefined && s.apiVersions.includes(apiVersion));
    if (exact) return exact.root;
    if (apiVersion && byKind.every((s) => !s.apiVersions.some((v) => v.split('/')[0] === apiVersion.split('/')[0]))) return undefined;
    return byKind[0].root;
  }
}

/** Follows `$ref` and merges oneOf/anyOf alternatives (properties, enums) into one view. */
export function resolve(root: SchemaNode, n: SchemaNode | undefined): SchemaNode | undefined {
  let cur = n;
  let description = n?.description;
  for (let i = 0; cur?.$ref && i < 10; i++) {
    const m = /^#\/definitions\/(.+)$/.exec(cur.$ref);
    const next: SchemaNode | undefined = m ? root.definitions?.[m[1]] : undefined;
    description = description ?? next?.description;
    cur = next;
  }
  if (!cur) return undefined;
  const alts = cur.oneOf ?? cur.anyOf;
  if (alts) {
    const merged: SchemaNode = { ...cur, properties: { ...(cur.properties ?? {}) }, type: [] };
    const types = new Set<string>();
    const enums: unknown[] = [];
    for (const a0 of alts) {
      const a = resolve(root, a0);
      if (!a) continue;
      Object.assign(merged.properties!, a.properties ?? {});
      for (const t of ([] as string[]).concat(a.type ?? [])) types.add(t);
      if (a.enum) enums.push(...a.enum);
    }
    merged.type = [...types];
    if (enums.length) merged.enum = enums;
    return { ...merged, description };
  }
  return description !== cur.description ? { ...cur, description } : cur;
}

/** Walks a path of keys and `-` (sequence item) from the document root. */
export function schemaAt(root: SchemaNode, path: string[]): SchemaNode | undefined {
  let cur = resolve(root, root);
  for (const seg of path) {
    if (!cur) return undefined;
    if (seg === '-') cur = resolve(root, cur.items);
    else {
      const p = cur.properties?.[seg];
      if (p) cur = resolve(root, p);
      else if (cur.additionalProperties && typeof cur.additionalProperties === 'object') cur = resolve(root, cur.additionalProperties);
      else return undefined;
    }
  }
  return cur;
}

export function typesOf(n: SchemaNode | undefined): string[] {
  if (!n) return [];
  return ([] as string[]).concat(n.type ?? (n.properties ? 'object' : n.items ? 'array' : []));
}
