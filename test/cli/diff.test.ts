// `policy-lens diff --base REF|PATH`: semantic connectivity difference against a git ref (files added, removed and
// changed between the ref and the working tree) or a folder, with the rules responsible on each side, --fail-on
// modes, formats and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../server/src/cli/main';

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const prev = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  } finally {
    process.chdir(prev);
  }
}

const APPS = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 9090}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: data, labels: {app: db}}
spec: {containers: [{name: c, image: x}]}
`;

// Base: default deny ingress in shop and data; web -> api on 9090.
const BASE_POLICIES = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: data}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: 9090}]
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], { cwd, encoding: 'utf8' });
}

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pl-diff-'));
  git(dir, 'init', '-q', '-b', 'main');
  mkdirSync(join(dir, 'k8s', 'policies'), { recursive: true });
  writeFileSync(join(dir, 'k8s', 'apps.yaml'), APPS);
  writeFileSync(join(dir, 'k8s', 'policies', 'base.yaml'), BASE_POLICIES);
  writeFileSync(join(dir, 'README.md'), 'not a manifest\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  return dir;
}

test('diff --base HEAD: a new file opening data/db to the internet is a new exposure, with the rule responsible', async () => {
  const dir = repo();
  try {
    // working tree: api-from-web now on 9090 and 9091 (changed); a new file lets everything reach db on 5432 (added)
    writeFileSync(join(dir, 'k8s', 'policies', 'base.yaml'), BASE_POLICIES.replace('ports: [{port: 9090}]', 'ports: [{port: 9090}, {port: 9091}]'));
    writeFileSync(join(dir, 'k8s', 'policies', 'db.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db-open, namespace: data}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - ports: [{port: 5432}]\n');
    const r = await run(['diff', '--base', 'HEAD', 'k8s', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const get = (src: string, dst: string) => j.changes.find((c: { src: string; dst: string }) => c.src === src && c.dst === dst);
    const changed = get('shop/web', 'shop/api');
    assert.equal(changed.change, 'changed');
    assert.deepEqual(changed.before.protocols, { TCP: [[9090, 9090]] });
    assert.deepEqual(changed.after.protocols, { TCP: [[9090, 9091]] });
    assert.deepEqual(changed.added, { TCP: [[9091, 9091]] });
    assert.equal(changed.newExposure, false, 'same namespace');
    assert.deepEqual(changed.after.rules.map((x: { policy: string; direction: string; ruleIndex: number; file: string; line: number }) => `${x.policy} ${x.direction}[${x.ruleIndex}] ${x.file}:${x.line}`), ['shop/api-from-web Ingress[0] k8s/policies/base.yaml:17']);
    assert.equal(changed.before.rules[0].file, 'k8s/policies/base.yaml');
    const fromWeb = get('shop/web', 'data/db');
    assert.equal(fromWeb.change, 'added');
    assert.equal(fromWeb.newExposure, true, 'another namespace');
    assert.deepEqual(fromWeb.after.rules.map((x: { policy: string; file: string }) => `${x.policy} ${x.file}`), ['data/db-open k8s/policies/db.yaml']);
    const internet = j.changes.filter((c: { src: string; dst: string }) => c.dst === 'data/db' && !c.src.includes('/'));
    assert.ok(internet.length >= 1 && internet.every((c: { newExposure: boolean }) => c.newExposure), 'external sources are new exposures');
    assert.equal(j.summary.added, j.changes.filter((c: { change: string }) => c.change === 'added').length);
    assert.equal(j.summary.removed, 0);
    // --fail-on
    assert.equal((await run(['diff', '--base', 'HEAD', 'k8s', '--fail-on', 'new-exposure'], dir)).code, 1);
    assert.equal((await run(['diff', '--base', 'HEAD', 'k8s', '--fail-on', 'any-change'], dir)).code, 1);
    assert.equal((await run(['diff', '--base', 'HEAD', 'k8s', '--fail-on', 'removed-allowed'], dir)).code, 0);
    assert.equal((await run(['diff', '--base', 'HEAD', 'k8s'], dir)).code, 0, 'default: never fail');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('diff --base REF: a deleted file removes flows (removed-allowed), and the markdown is a PR comment table', async () => {
  const dir = repo();
  try {
    writeFileSync(join(dir, 'k8s', 'open.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web-open, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{}]\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'open web');
    git(dir, 'branch', 'before-removal');
    rmSync(join(dir, 'k8s', 'open.yaml'));
    const r = await run(['diff', '--base', 'before-removal', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const removed = j.changes.find((c: { src: string; dst: string }) => c.src === 'shop/api' && c.dst === 'shop/web');
    assert.equal(removed.change, 'removed');
    assert.deepEqual(removed.after.protocols, {});
    assert.equal(removed.before.rules[0].policy, 'shop/web-open');
    assert.equal(removed.before.rules[0].file, 'k8s/open.yaml');
    assert.equal((await run(['diff', '--base', 'before-removal', '--fail-on', 'removed-allowed'], dir)).code, 1);
    assert.equal((await run(['diff', '--base', 'before-removal', '--fail-on', 'new-exposure'], dir)).code, 0);
    const md = (await run(['diff', '--base', 'before-removal', '--format', 'markdown'], dir)).out;
    assert.match(md, /^### Policy Lens connectivity diff against `before-removal`/);
    assert.match(md, /\| removed \| `shop\/api` \| `shop\/web` \| all traffic \| nothing \| shop\/web-open ingress\[0\] \(k8s\/open\.yaml:6\); egress not isolated \| — \|/);
    const text = (await run(['diff', '--base', 'before-removal'], dir)).out;
    assert.match(text, /^removed: shop\/api => shop\/web, before: all traffic, after: nothing$/m);
    // no change against the same commit
    const same = await run(['diff', '--base', 'HEAD', '--fail-on', 'any-change'], dir);
    assert.equal(same.code, 1, 'the working tree still differs from HEAD (open.yaml deleted, not committed)');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'remove');
    const clean = await run(['diff', '--base', 'HEAD', '--fail-on', 'any-change'], dir);
    assert.equal(clean.code, 0);
    assert.match(clean.out, /0 added, 0 removed, 0 changed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('diff --base FOLDER compares two folders; bad input exits 2; --help', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-diff-dir-'));
  try {
    mkdirSync(join(dir, 'old'));
    mkdirSync(join(dir, 'new'));
    writeFileSync(join(dir, 'old', 'apps.yaml'), APPS);
    writeFileSync(join(dir, 'old', 'p.yaml'), BASE_POLICIES);
    writeFileSync(join(dir, 'new', 'apps.yaml'), APPS);
    writeFileSync(join(dir, 'new', 'p.yaml'), BASE_POLICIES.replace('{podSelector: {matchLabels: {app: web}}}', '{namespaceSelector: {}}'));
    const r = await run(['diff', '--base', 'old', 'new', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const db = j.changes.find((c: { src: string; dst: string }) => c.src === 'data/db' && c.dst === 'shop/api');
    assert.equal(db.change, 'added');
    assert.equal(db.newExposure, true);
    assert.equal(db.after.rules[0].file, 'new/p.yaml');
    assert.equal((await run(['diff', '--base', 'no-such-ref-or-folder', 'new'], dir)).code, 2, 'not a git repository, not a folder');
    assert.equal((await run(['diff', 'new'], dir)).code, 2, '--base is required');
    assert.equal((await run(['diff', '--base', 'old', 'missing'], dir)).code, 2);
    assert.equal((await run(['diff', '--base', 'old', 'new', '--fail-on', 'maybe'], dir)).code, 2);
    const help = await run(['diff', '--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.out, /new-exposure/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
