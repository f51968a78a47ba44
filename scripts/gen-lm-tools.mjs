// Writes package.json contributes.languageModelTools from the tool definitions in server/src/tools/schemas.ts (the
// same zod schemas the MCP server uses), so the VS Code tools and the MCP tools cannot drift apart.
// test/cli/mcp.test.ts fails when package.json is out of date. Usage: node scripts/gen-lm-tools.mjs
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = await build({ entryPoints: [join(root, 'server/src/tools/schemas.ts')], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'warning' });
const mod = { exports: {} };
new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
const { TOOLS, lmToolInputSchema } = mod.exports;

const REFERENCE = { reach: 'reachability', explain: 'explainConnection', what_if: 'whatIfPolicy', check: 'checkPolicies', blast_radius: 'blastRadius' };
const pkgPath = join(root, 'package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
pkg.contributes.languageModelTools = Object.entries(TOOLS).map(([name, t]) => ({
  name: `policy-lens_${name}`,
  displayName: `Policy Lens: ${t.title}`,
  toolReferenceName: REFERENCE[name],
  canBeReferencedInPrompt: true,
  icon: '$(type-hierarchy)',
  tags: ['kubernetes', 'network-policy', 'calico', 'policy-lens'],
  userDescription: t.description,
  modelDescription: t.description,
  inputSchema: lmToolInputSchema(name),
}));
writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`wrote ${pkg.contributes.languageModelTools.length} languageModelTools to package.json`);
