// Browser stand-in for node:fs inside the Policy Lens worker bundle (see scripts/playground.mjs). The language
// server's SchemaRegistry reads <root>/schemas/*.schema.json with node:fs; here those files come from the
// schemas bundled at build time, under the virtual folder VIRTUAL_ROOT. Nothing else is readable.
import schemas from 'virtual:schemas';

export const VIRTUAL_ROOT = '/policy-lens';
const SCHEMA_DIR = `${VIRTUAL_ROOT}/schemas`;

function schemaText(path: string): string | undefined {
  if (!path.startsWith(SCHEMA_DIR + '/')) return undefined;
  const name = path.slice(SCHEMA_DIR.length + 1);
  return Object.prototype.hasOwnProperty.call(schemas, name) ? JSON.stringify(schemas[name]) : undefined;
}

export function existsSync(path: string): boolean {
  return path === VIRTUAL_ROOT || path === SCHEMA_DIR || path === `${VIRTUAL_ROOT}/package.json` || schemaText(path) !== undefined;
}

export function readdirSync(path: string): string[] {
  if (path === SCHEMA_DIR) return Object.keys(schemas).sort();
  if (path === VIRTUAL_ROOT) return ['package.json', 'schemas'];
  throw new Error(`ENOENT: no such directory in the playground worker: ${path}`);
}

export function readFileSync(path: string, _encoding?: string): string {
  if (path === `${VIRTUAL_ROOT}/package.json`) return '{"name":"policy-lens"}';
  const t = schemaText(path);
  if (t === undefined) throw new Error(`ENOENT: no such file in the playground worker: ${path}`);
  return t;
}
