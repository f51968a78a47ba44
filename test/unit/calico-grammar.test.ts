// The TextMate injection grammar syntaxes/calico-selector.injection.tmLanguage.json, run through vscode-textmate and
// oniguruma (the engine VS Code uses). The host is a small stand-in YAML grammar written for this test; it matches a
// whole `  key:` from column 0 like many YAML grammars do, which the injection must still win against.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const grammarPath = path.join(repoRoot(), 'syntaxes/calico-selector.injection.tmLanguage.json');
const INJECTION_SCOPE = 'source.yaml.calico-selector.injection';

const HOST_YAML = {
  scopeName: 'source.yaml',
  patterns: [
    { match: '(?:^|\\s)#.*$', name: 'comment.line.number-sign.yaml' },
    {
      match: '^([ \\t]*)(?:(-)[ \\t]+)?([A-Za-z][\\w-]*)[ \\t]*(:)(?=\\s|$)',
      captures: { 2: { name: 'punctuation.definition.block.sequence.item.yaml' }, 3: { name: 'entity.name.tag.yaml' }, 4: { name: 'punctuation.separator.key-value.mapping.yaml' } },
    },
    { begin: '"', end: '"', name: 'string.quoted.double.yaml' },
    { begin: "'", end: "'(?!')", name: 'string.quoted.single.yaml' },
    { match: '[^\\s#]+', name: 'string.unquoted.plain.out.yaml' },
  ],
};

let registryPromise: Promise<vsctm.IGrammar> | undefined;
function yamlGrammar(): Promise<vsctm.IGrammar> {
  registryPromise ??= (async () => {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => {
        if (scopeName === 'source.yaml') return vsctm.parseRawGrammar(JSON.stringify(HOST_YAML), 'host.json');
        if (scopeName === INJECTION_SCOPE) return vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath);
        return null;
      },
      getInjections: (scopeName: string) => (scopeName === 'source.yaml' ? [INJECTION_SCOPE] : undefined),
    });
    const g = await registry.loadGrammar('source.yaml');
    if (!g) throw new Error('grammar did not load');
    return g;
  })();
  return registryPromise;
}

/** Tokens of one line as [text, innermost interesting scope]. */
async function tokens(line: string): Promise<Array<[string, string[]]>> {
  const g = await yamlGrammar();
  const r = g.tokenizeLine(line, vsctm.INITIAL);
  return r.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes.slice(1)]);
}

function scopeOf(toks: Array<[string, string[]]>, text: string): string[] {
  const t = toks.find(([s]) => s === text);
  assert.ok(t, `no token ${JSON.stringify(text)} in ${JSON.stringify(toks.map(([s]) => s))}`);
  return t![1];
}
const has = (scopes: string[], prefix: string) => scopes.some((s) => s.startsWith(prefix));

test('grammar file is valid JSON with the injection selector for YAML', () => {
  const g = JSON.parse(fs.readFileSync(grammarPath, 'utf8'));
  assert.equal(g.scopeName, INJECTION_SCOPE);
  assert.match(g.injectionSelector, /^L:source\.yaml/);
});

test('plain selector values are tokenized as the Calico selector language', async () => {
  const toks = await tokens(`  selector: app == 'web' && tier in {"a", "b"} && !has(team) # comment`);
  assert.ok(has(scopeOf(toks, 'selector'), 'entity.name.tag.yaml'));
  assert.ok(has(scopeOf(toks, 'app'), 'variable.other.property.label.calico-selector'));
  assert.ok(has(scopeOf(toks, '=='), 'keyword.operator.comparison.calico-selector'));
  assert.ok(has(scopeOf(toks, "'web'"), 'string.quoted.single.calico-selector'));
  assert.ok(has(scopeOf(toks, '&&'), 'keyword.operator.logical.calico-selector'));
  assert.ok(has(scopeOf(toks, 'in'), 'keyword.operator.comparison.calico-selector'));
  assert.ok(has(scopeOf(toks, '"a"'), 'string.quoted.double.calico-selector'));
  assert.ok(has(scopeOf(toks, '!'), 'keyword.operator.logical.not.calico-selector'));
  assert.ok(has(scopeOf(toks, 'has'), 'support.function.calico-selector'));
  assert.ok(has(scopeOf(toks, 'team'), 'variable.other.property.label.calico-selector'));
  // The trailing comment is left to YAML.
  assert.ok(!has(scopeOf(toks, ' # comment'), 'meta.embedded.calico-selector'));
  assert.ok(has(scopeOf(toks, ' # comment'), 'comment.line'));
});

test('all four keys, sequence items and quoted values', async () => {
  for (const key of ['selector', 'namespaceSelector', 'serviceAccountSelector', 'notSelector']) {
    const toks = await tokens(`      ${key}: projectcalico.org/name starts with "kube"`);
    assert.ok(has(scopeOf(toks, 'projectcalico.org/name'), 'variable.other.property.label.calico-selector'), key);
    assert.ok(has(scopeOf(toks, 'starts with'), 'keyword.operator.comparison.calico-selector'), key);
  }
  let toks = await tokens(`  - selector: "a == \\"b\\" || all()"`);
  assert.ok(has(scopeOf(toks, 'a'), 'variable.other.property.label.calico-selector'));
  assert.ok(has(scopeOf(toks, '\\"b\\"'), 'string.quoted.double.calico-selector'));
  assert.ok(has(scopeOf(toks, 'all'), 'support.function.calico-selector'));
  toks = await tokens(`  namespaceSelector: 'name == ''x'' && global()'`);
  assert.ok(has(scopeOf(toks, "''x''"), 'string.quoted.single.calico-selector'));
  assert.ok(has(scopeOf(toks, 'global'), 'support.function.calico-selector'));
});

test('a plain value starting with ! is flagged (YAML tag, not negation); other keys are untouched', async () => {
  let toks = await tokens(`  selector: !has(a)`);
  assert.ok(has(scopeOf(toks, '!has(a)'), 'invalid.illegal'));
  toks = await tokens(`  name: a == "b"`);
  assert.ok(!toks.some(([, s]) => has(s, 'meta.embedded.calico-selector')));
  toks = await tokens(`  podSelector: x`);
  assert.ok(!toks.some(([, s]) => has(s, 'meta.embedded.calico-selector')));
});
