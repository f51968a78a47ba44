// Calico selector language: conformance with Calico's own parser tests plus property tests.
// Semantics: https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors
// Corpus: /work/shared/corpora/calico-selector/selector_cases.json, a transcription of
// projectcalico/calico libcalico-go/lib/selector/parser/parser_test.go (selectorTests, badSelectors,
// canonicalisationTests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import fc from 'fast-check';
import {
  canonicalSelector,
  evalSelector,
  parseSelector,
  selectorItemAt,
  selectorLabelKeys,
  tokenizeSelector,
  type SelectorNode,
} from '../../server/src/core/dialects/calico/selector';
import { base64RawUrl, selectorUid, sha224 } from '../../server/src/core/dialects/calico/sha224';

function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('no package.json above ' + __dirname);
    dir = up;
  }
}

interface Corpus {
  selectorTests: { selector: string; matches: Record<string, string>[]; nonMatches: Record<string, string>[] }[];
  badSelectors: string[];
  canonicalisationTests: { input: string; canonical: string; uid: string }[];
}

const corpusPath = path.resolve(repoRoot(), '../shared/corpora/calico-selector/selector_cases.json');
const corpus: Corpus | undefined = fs.existsSync(corpusPath)
  ? (JSON.parse(fs.readFileSync(corpusPath, 'utf8')) as Corpus)
  : undefined;

function mustParse(src: string): { ast: SelectorNode; canonical: string } {
  const r = parseSelector(src);
  if (!r.ok) assert.fail(`selector ${JSON.stringify(src)} failed to parse: ${r.error.message}`);
  return r;
}

test('corpus: every selectorTests case matches / does not match as Calico says', { skip: !corpus && 'corpus missing' }, () => {
  let checks = 0;
  for (const t of corpus!.selectorTests) {
    const { ast } = mustParse(t.selector);
    for (const labels of t.matches) {
      assert.equal(evalSelector(ast, labels), true, `${JSON.stringify(t.selector)} should match ${JSON.stringify(labels)}`);
      checks++;
    }
    for (const labels of t.nonMatches) {
      assert.equal(evalSelector(ast, labels), false, `${JSON.stringify(t.selector)} should not match ${JSON.stringify(labels)}`);
      checks++;
    }
  }
  assert.equal(corpus!.selectorTests.length, 58);
  assert.equal(checks, 98);
  console.log(`calico selector corpus: ${corpus!.selectorTests.length} selectors, ${checks} label-map evaluations passed`);
});

test('corpus: every badSelector fails with an error range inside the string', { skip: !corpus && 'corpus missing' }, () => {
  for (const bad of corpus!.badSelectors) {
    const r = parseSelector(bad);
    assert.equal(r.ok, false, `${JSON.stringify(bad)} must not parse`);
    if (r.ok) continue;
    const { start, end, message } = r.error;
    assert.ok(message.length > 0);
    assert.ok(0 <= start && start < end && end <= bad.length, `${JSON.stringify(bad)}: bad range ${start}-${end}`);
  }
  assert.equal(corpus!.badSelectors.length, 26);
  console.log(`calico selector corpus: ${corpus!.badSelectors.length} bad selectors rejected with ranges`);
});

test('corpus: canonical forms and unique ids equal Calico String()/UniqueID()', { skip: !corpus && 'corpus missing' }, () => {
  let uids = 0;
  for (const c of corpus!.canonicalisationTests) {
    const { canonical } = mustParse(c.input);
    assert.equal(canonical, c.canonical, `canonical form of ${JSON.stringify(c.input)}`);
    if (c.uid) {
      assert.equal(selectorUid(canonical), c.uid, `uid of ${JSON.stringify(c.input)}`);
      uids++;
    }
  }
  assert.equal(corpus!.canonicalisationTests.length, 17);
  console.log(`calico selector corpus: ${corpus!.canonicalisationTests.length} canonical forms, ${uids} uids passed`);
});

test('sha224 matches node:crypto', () => {
  for (const s of ['', 'abc', 's:all()', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'é€😀'.repeat(40)]) {
    const mine = Buffer.from(sha224(s)).toString('hex');
    const ref = crypto.createHash('sha224').update(s, 'utf8').digest('hex');
    assert.equal(mine, ref, JSON.stringify(s));
  }
  for (const len of [0, 1, 2, 3, 4, 5, 28]) {
    const bytes = crypto.randomBytes(len);
    assert.equal(base64RawUrl(bytes), bytes.toString('base64url'));
  }
});

// --- Semantics spelled out in the Calico docs (networkpolicy reference, "Selectors" table) ---

test('docs: != and not in also match when the label is absent; ==, in, contains need it', () => {
  // "k != 'v' Matches resources without label 'k' or with label 'k' and value not equal to v"
  assert.equal(evalSelector(mustParse(`a != "b"`).ast, {}), true);
  assert.equal(evalSelector(mustParse(`a not in {"b"}`).ast, {}), true);
  assert.equal(evalSelector(mustParse(`a == "b"`).ast, {}), false);
  assert.equal(evalSelector(mustParse(`a in {"b"}`).ast, {}), false);
  assert.equal(evalSelector(mustParse(`a contains ""`).ast, {}), false);
  assert.equal(evalSelector(mustParse(`a contains ""`).ast, { a: '' }), true);
  assert.equal(evalSelector(mustParse(`a starts with "pr"`).ast, { a: 'prod' }), true);
  assert.equal(evalSelector(mustParse(`a ends with "od"`).ast, { a: 'prod' }), true);
  assert.equal(evalSelector(mustParse(`a ends with "pr"`).ast, { a: 'prod' }), false);
});

test('docs: empty selector is all(); !all() matches nothing; global() matches as all()', () => {
  assert.equal(mustParse('').canonical, 'all()');
  assert.equal(mustParse(' \t ').canonical, 'all()');
  assert.equal(evalSelector(mustParse('!all()').ast, { a: 'b' }), false);
  assert.equal(evalSelector(mustParse('global()').ast, {}), true);
});

test('docs: precedence example is bracketed as documented', () => {
  // "! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}" is
  // "((!(has(my-label)) || ((my-label starts with 'prod') && (role in {'frontend','business'}))"
  const { canonical, ast } = mustParse(`! has(my-label) || my-label starts with 'prod' && role in {'frontend','business'}`);
  assert.equal(canonical, `(!has(my-label) || (my-label starts with "prod" && role in {"business", "frontend"}))`);
  assert.equal(evalSelector(ast, {}), true);
  assert.equal(evalSelector(ast, { 'my-label': 'production', role: 'business' }), true);
  assert.equal(evalSelector(ast, { 'my-label': 'production', role: 'db' }), false);
  assert.equal(evalSelector(ast, { 'my-label': 'dev', role: 'frontend' }), false);
});

test('label keys with prefixes, operator spellings accepted by Calico', () => {
  const { ast, canonical } = mustParse(`projectcalico.org/name == "kube-system" && app.kubernetes.io/name in {"a"}`);
  assert.equal(canonical, `(projectcalico.org/name == "kube-system" && app.kubernetes.io/name in {"a"})`);
  assert.deepEqual(selectorLabelKeys(ast), ['projectcalico.org/name', 'app.kubernetes.io/name']);
  assert.equal(mustParse(`a notin {"x"}`).canonical, `a not in {"x"}`);
  assert.equal(mustParse(`a not   in {"x",}`).canonical, `a not in {"x"}`); // Calico accepts a trailing comma
  assert.equal(mustParse(`a in {}`).canonical, `a in {}`);
  assert.equal(mustParse(`a contains"x"`).canonical, `a contains "x"`);
  assert.equal(mustParse(`has( a )`).canonical, `has(a)`);
  assert.equal(mustParse(`a == 'say "hi"'`).canonical, `a == 'say "hi"'`);
});

test('things Calico rejects are rejected, with precise ranges', () => {
  const cases: Array<[string, string]> = [
    ['has (a)', '('], // "has(" must be one token
    ['a = "b"', '='],
    ['a == "b"\n&& c == "d"', '\n'], // newline is not selector whitespace
    ['a inx {"b"}', 'inx'],
    ['a == "b" c == "d"', 'c'],
    ['a in {"b" "c"}', '"c"'],
    ['a in {"b"', '{'],
    [`${'k'.repeat(513)} == "v"`, 'k'.repeat(513)],
    ['has()', ')'],
    ['all(x)', 'all(x'],
  ];
  for (const [src, marked] of cases) {
    const r = parseSelector(src);
    assert.equal(r.ok, false, `${JSON.stringify(src)} must not parse`);
    if (r.ok) continue;
    assert.equal(src.slice(r.error.start, r.error.end), marked, `${JSON.stringify(src)}: ${r.error.message}`);
  }
});

test('AST offsets locate keys, values and operators for hover/completion', () => {
  const src = `app == "web" && tier in {"a", 'b'} && has(team)`;
  const { ast } = mustParse(src);
  const at = (needle: string, delta = 0) => selectorItemAt(ast, src.indexOf(needle) + delta);
  assert.deepEqual(at('app')?.kind, 'key');
  assert.equal(at('"web"', 2)?.kind, 'value');
  const v = at(`'b'`, 1);
  assert.ok(v && v.kind === 'value' && v.value === 'b' && src.slice(v.span.start, v.span.end) === `'b'`);
  const k = at('team', 1);
  assert.ok(k && k.kind === 'key' && k.key === 'team');
  assert.equal(at(' in ', 1)?.kind, 'operator');
  // Partial input still tokenizes up to the error (completion after an operator).
  const tk = tokenizeSelector(`app == "web" && tier in {"a", `);
  assert.equal(tk.ok, true);
  assert.equal(parseSelector(`app == "web" && tier in {"a", `).ok, false);
});

// --- Property tests ---

const KEYS = ['a', 'b', 'x/y', 'k.io/n'];
const VALUES = ['', 'v', 'w', 'v"q', "v'q", 'vw'];

type Gen =
  | { t: 'all' }
  | { t: 'has'; k: string }
  | { t: 'cmp'; op: '==' | '!=' | 'contains' | 'starts with' | 'ends with'; k: string; v: string }
  | { t: 'set'; op: 'in' | 'not in'; k: string; vs: string[] }
  | { t: 'not'; e: Gen }
  | { t: 'and' | 'or'; l: Gen; r: Gen };

const quotable = VALUES.filter((v) => !(v.includes('"') && v.includes("'")));
const genArb: fc.Arbitrary<Gen> = fc.letrec<{ e: Gen }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<Gen>({ t: 'all' }),
    fc.constantFrom(...KEYS).map((k): Gen => ({ t: 'has', k })),
    fc
      .tuple(fc.constantFrom('==', '!=', 'contains', 'starts with', 'ends with') as fc.Arbitrary<'=='>, fc.constantFrom(...KEYS), fc.constantFrom(...quotable))
      .map(([op, k, v]): Gen => ({ t: 'cmp', op, k, v })),
    fc
      .tuple(fc.constantFrom('in', 'not in') as fc.Arbitrary<'in'>, fc.constantFrom(...KEYS), fc.array(fc.constantFrom(...quotable), { maxLength: 3 }))
      .map(([op, k, vs]): Gen => ({ t: 'set', op, k, vs })),
    tie('e').map((e): Gen => ({ t: 'not', e })),
    fc.tuple(fc.constantFrom('and', 'or') as fc.Arbitrary<'and'>, tie('e'), tie('e')).map(([t, l, r]): Gen => ({ t, l, r })),
  ),
})).e;

/** Reference semantics straight from the docs table, independent of the parser. */
function refEval(g: Gen, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, (g as { k?: string }).k ?? '');
  const val = has ? labels[(g as { k: string }).k] : undefined;
  switch (g.t) {
    case 'all':
      return true;
    case 'has':
      return has;
    case 'cmp':
      switch (g.op) {
        case '==':
          return has && val === g.v;
        case '!=':
          return !has || val !== g.v;
        case 'contains':
          return has && val!.includes(g.v);
        case 'starts with':
          return has && val!.startsWith(g.v);
        case 'ends with':
          return has && val!.endsWith(g.v);
      }
    // eslint-disable-next-line no-fallthrough
    case 'set':
      return g.op === 'in' ? has && g.vs.includes(val!) : !has || !g.vs.includes(val!);
    case 'not':
      return !refEval(g.e, labels);
    case 'and':
      return refEval(g.l, labels) && refEval(g.r, labels);
    case 'or':
      return refEval(g.l, labels) || refEval(g.r, labels);
  }
}

function lit(v: string, preferSingle: boolean): string {
  if (v.includes('"')) return `'${v}'`;
  if (v.includes("'")) return `"${v}"`;
  return preferSingle ? `'${v}'` : `"${v}"`;
}

/** Prints with random-ish spacing/quoting choices derived from `seed`, always fully parenthesised. */
function print(g: Gen, seed: number): string {
  const sp = seed % 3 === 0 ? '' : seed % 3 === 1 ? ' ' : ' \t ';
  const single = seed % 2 === 0;
  switch (g.t) {
    case 'all':
      return seed % 5 === 0 ? `all(${sp})` : 'all()';
    case 'has':
      return `has(${sp}${g.k}${sp})`;
    case 'cmp':
      return `${g.k}${sp || ' '}${g.op}${sp || ' '}${lit(g.v, single)}`;
    case 'set':
      return `${g.k} ${g.op} {${sp}${g.vs.map((v) => lit(v, single)).join(`,${sp}`)}${sp}}`;
    case 'not':
      return `!${sp}(${print(g.e, seed + 1)})`;
    case 'and':
    case 'or':
      return `(${print(g.l, seed + 1)})${sp}${g.t === 'and' ? '&&' : '||'}${sp}(${print(g.r, seed + 2)})`;
  }
}

const labelsArb = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 4 });

test('property: parse(print(g)) evaluates like the documented semantics', () => {
  fc.assert(
    fc.property(genArb, fc.nat(1000), fc.array(labelsArb, { minLength: 1, maxLength: 6 }), (g, seed, maps) => {
      const src = print(g, seed);
      const { ast } = mustParse(src);
      for (const m of maps) assert.equal(evalSelector(ast, m), refEval(g, m), `${src} on ${JSON.stringify(m)}`);
    }),
    { numRuns: 400 },
  );
});

// Calico quirk kept on purpose: "!(!x)" parses to Not(Not(x)) (the parenthesis starts a new operation) and prints
// as "!!x", which reparses to x (a run of '!' collapses). So String() is not always a fixed point after one round,
// but it is after two, and every round is equivalent.
test('Calico quirk: canonical of !(!x) is !!x, which reparses to x', () => {
  assert.equal(mustParse('!(!has(a))').canonical, '!!has(a)');
  assert.equal(mustParse('!!has(a)').canonical, 'has(a)');
});

test('property: canonical form reparses to an equivalent selector (and is stable after two rounds)', () => {
  fc.assert(
    fc.property(genArb, fc.nat(1000), fc.array(labelsArb, { minLength: 1, maxLength: 6 }), (g, seed, maps) => {
      const first = mustParse(print(g, seed));
      const second = mustParse(first.canonical);
      const third = mustParse(second.canonical);
      assert.equal(third.canonical, second.canonical);
      assert.equal(canonicalSelector(third.ast), second.canonical);
      if (!first.canonical.includes('!!')) assert.equal(second.canonical, first.canonical);
      for (const m of maps) {
        assert.equal(evalSelector(second.ast, m), evalSelector(first.ast, m));
        assert.equal(evalSelector(third.ast, m), evalSelector(first.ast, m));
      }
    }),
    { numRuns: 400 },
  );
});

test('property: !(s) is the negation; (a) && (b), (a) || (b) follow the truth tables', () => {
  fc.assert(
    fc.property(genArb, genArb, fc.nat(1000), labelsArb, (ga, gb, seed, m) => {
      const a = print(ga, seed);
      const b = print(gb, seed + 7);
      const ea = evalSelector(mustParse(a).ast, m);
      const eb = evalSelector(mustParse(b).ast, m);
      assert.equal(evalSelector(mustParse(`!(${a})`).ast, m), !ea);
      assert.equal(evalSelector(mustParse(`(${a}) && (${b})`).ast, m), ea && eb);
      assert.equal(evalSelector(mustParse(`(${a}) || (${b})`).ast, m), ea || eb);
    }),
    { numRuns: 300 },
  );
});

test('property: the parser never throws and error ranges stay inside the input', () => {
  const alphabet = fc.constantFrom(...'ab/.-_ \t()!=&|{}",\'%hasinotcluewdgb\n'.split(''));
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: alphabet, maxLength: 30 }), fc.string({ maxLength: 30 })), (src) => {
      const r = parseSelector(src);
      if (!r.ok) {
        assert.ok(0 <= r.error.start && r.error.start <= r.error.end && r.error.end <= src.length, JSON.stringify(src));
        if (src.trim().length > 0) assert.ok(r.error.end > r.error.start, `empty range for ${JSON.stringify(src)}`);
      } else {
        const again = mustParse(r.canonical);
        assert.equal(mustParse(again.canonical).canonical, again.canonical);
      }
    }),
    { numRuns: 2000 },
  );
});
