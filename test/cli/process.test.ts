// The real `policy-lens` process (bin/policy-lens.js → bundle) through pipes: no output lost past the pipe buffer,
// and hostile folders (FIFO, /dev/zero, symlink loops, unreadable, binary, huge, alias bomb) never hang, crash or
// print a stack trace; the good files are still analysed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCli, runCli, type CliInstall, type CliRun } from '../helpers/cli-process';
import { main } from '../../server/src/cli/main';

let cli: CliInstall;
let tmp: string;
before(() => {
  cli = installCli();
  tmp = mkdtempSync(join(tmpdir(), 'pl-hostile-'));
  chmodSync(tmp, 0o755);
});
after(() => {
  cli?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** `n` bare pods with distinct labels and no policy: every ordered pair is allowed (n*(n-1) connections). */
function pods(n: number, prefix = 'p'): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) docs.push(`apiVersion: v1\nkind: Pod\nmetadata: {name: ${prefix}${i}, namespace: ns${i % 3}, labels: {app: ${prefix}${i}}}\nspec: {containers: [{name: c, image: i}]}\n`);
  return docs.join('---\n');
}

const GOOD = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432}]
`;

/** A fresh folder holding good.yaml (2 workloads, 1 policy) plus whatever `setup` adds. */
function folder(name: string, setup: (dir: string) => void): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'good.yaml'), GOOD);
  setup(dir);
  return dir;
}

/** No JavaScript stack frame ever reaches the user. */
function assertNoStack(r: CliRun) {
  assert.doesNotMatch(r.stderr, /^\s+at .+[(:]\d+/m, `a stack trace was printed:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /policy-lens: internal error/, r.stderr);
}

/** The run ended by itself, with a code in the documented set, and good.yaml was analysed. */
function assertAnalysedGood(r: CliRun) {
  assert.equal(r.timedOut, false, `the command hung (killed after ${r.ms} ms); stderr:\n${r.stderr}`);
  assertNoStack(r);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /^2 workloads, 1 network policy, \d+ allowed connections$/m);
  assert.match(r.stdout.toString(), /^shop\/web => shop\/db : TCP 5432$/m);
}

describe('output through a pipe', () => {
  it('several MB of --output json arrive complete through a slow pipe reader, and parse', async () => {
    const dir = folder('big-output', (d) => writeFileSync(join(d, 'pods.yaml'), pods(90)));
    // Reading starts late: the child's pipe fills up and its writes must wait (backpressure) instead of being lost.
    const r = await runCli(cli, ['reach', dir, '--output', 'json'], { readDelayMs: 300, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.length > 3 * 1024 * 1024, `expected several MB, got ${r.stdout.length} bytes`);
    const j = JSON.parse(r.stdout.toString('utf8'));
    assert.equal(j.endpoints.filter((e: { kind: string }) => e.kind !== 'External').length, 92);
    // 90 + 2 workloads, nothing isolates the 90 pods: every ordered pair among them is present.
    const among = j.connections.filter((c: { src: string; dst: string }) => /\/p\d+$/.test(c.src) && /\/p\d+$/.test(c.dst));
    assert.equal(among.length, 90 * 89);
    // The same JSON as the in-process command produces.
    let inProcess = '';
    const code = await main(['reach', dir, '--output', 'json'], {
      out: (s) => {
        inProcess += s;
      },
      err: () => undefined,
    });
    assert.equal(code, 0);
    assert.equal(r.stdout.toString('utf8'), inProcess);
  });

  it('text output and stderr are complete too', async () => {
    const dir = folder('big-text', (d) => writeFileSync(join(d, 'pods.yaml'), pods(120)));
    const r = await runCli(cli, ['reach', dir], { readDelayMs: 200, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.toString().trimEnd().split('\n');
    const count = Number(/([\d,]+) allowed connections$/.exec(lines[0])?.[1].replace(/,/g, ''));
    assert.equal(lines.filter((l) => l.includes(' => ')).length, count, 'one line per connection');
    assert.match(lines[lines.length - 1], / => /, 'the output ends with the last connection');
  });

  it('a reader that closes the pipe early ends the command quietly', async () => {
    const dir = folder('closed-pipe', (d) => writeFileSync(join(d, 'pods.yaml'), pods(45)));
    const out = execFileSync('bash', ['-c', `set -o pipefail; node ${JSON.stringify(cli.bin)} reach ${JSON.stringify(dir)} -o json 2>${JSON.stringify(join(tmp, 'closed.err'))} | head -c 100 >/dev/null; echo "status=$?"`], { encoding: 'utf8', timeout: 60_000 });
    assert.match(out, /status=0/);
    assert.equal(execFileSync('cat', [join(tmp, 'closed.err')], { encoding: 'utf8' }), '');
  });

  it('a pipe named on the command line is read: <(kubectl …) in a shell, or /dev/stdin fed by a pipe', async () => {
    const good = join(tmp, 'pipe-good.yaml');
    writeFileSync(good, GOOD);
    const q = JSON.stringify;
    for (const script of [`node ${q(cli.bin)} reach <(cat ${q(good)})`, `cat ${q(good)} | node ${q(cli.bin)} reach /dev/stdin`]) {
      const out = execFileSync('bash', ['-c', `${script} 2>&1; echo "status=$?"`], { encoding: 'utf8', timeout: 60_000 });
      assert.match(out, /^2 workloads, 1 network policy, \d+ allowed connections$/m, script);
      assert.match(out, /^shop\/web => shop\/db : TCP 5432$/m);
      assert.match(out, /status=0/);
    }
  });
});

describe('hostile folders', () => {
  it('a FIFO named x.yaml is skipped with a warning, not waited for', async () => {
    const dir = folder('fifo', (d) => execFileSync('mkfifo', [join(d, 'x.yaml')]));
    const r = await runCli(cli, ['reach', dir], { timeoutMs: 20_000 });
    assertAnalysedGood(r);
    assert.match(r.stderr, /^policy-lens: warning: .*x\.yaml: a FIFO \(named pipe\), skipped/m);
  });

  it('a symlink x.yaml -> /dev/zero is skipped (not read forever)', async () => {
    const dir = folder('zero', (d) => symlinkSync('/dev/zero', join(d, 'x.yaml')));
    const r = await runCli(cli, ['reach', dir], { timeoutMs: 20_000 });
    assertAnalysedGood(r);
    assert.match(r.stderr, /^policy-lens: warning: .*x\.yaml: a character device, skipped/m);
  });

  it('/dev/zero named on the command line stops at the size limit', async () => {
    const r = await runCli(cli, ['reach', '/dev/zero', join(tmp, 'zero', 'good.yaml'), '--max-file-size', '1M'], { timeoutMs: 20_000 });
    assertAnalysedGood(r);
    assert.match(r.stderr, /^policy-lens: warning: \/dev\/zero: larger than the 1 MiB limit, skipped \(raise it with --max-file-size\)$/m);
  });

  it('directory symlink loops end: each real folder is searched once; a self-link is one warning', async () => {
    const dir = folder('loop', (d) => {
      mkdirSync(join(d, 'sub'));
      symlinkSync('..', join(d, 'sub', 'up'));
      symlinkSync('.', join(d, 'self'));
      symlinkSync('knot.yaml', join(d, 'knot.yaml'));
      symlinkSync(join(d, 'good.yaml'), join(d, 'sub', 'again.yaml'));
    });
    const r = await runCli(cli, ['reach', dir], { timeoutMs: 20_000 });
    assertAnalysedGood(r);
    assert.match(r.stderr, /^policy-lens: note: .*sub\/up: the same folder as .*, not searched again$/m);
    assert.match(r.stderr, /^policy-lens: warning: .*knot\.yaml: too many levels of symbolic links, skipped$/m);
    // good.yaml reached twice (sub/again.yaml is a link to it) is read once: no duplicate-object diagnostics.
    assert.doesNotMatch(r.stderr, /duplicate/i, r.stderr);
    assert.doesNotMatch(r.stderr, /no such file/);
  });

  it('an unreadable file is one warning, not a stack trace', async (t) => {
    const dir = folder('unreadable', (d) => {
      writeFileSync(join(d, 'secret.yaml'), GOOD.replace(/shop/g, 'other'));
      chmodSync(join(d, 'secret.yaml'), 0o000);
    });
    // root reads any file: run the command as an unprivileged user then (or skip when that is impossible).
    const asRoot = process.getuid?.() === 0;
    if (asRoot && !runsAsNobody()) {
      t.skip('running as root and cannot switch to uid 65534');
      return;
    }
    const r = await runCli(cli, ['reach', dir], { timeoutMs: 20_000, cwd: tmp, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    assertAnalysedGood(r);
    assert.match(r.stderr, /^policy-lens: warning: .*secret\.yaml: permission denied, skipped$/m);
  });

  it('binary and non-UTF-8 files are skipped with a warning', async () => {
    const dir = folder('binary', (d) => {
      writeFileSync(join(d, 'image.yaml'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
      writeFileSync(join(d, 'latin1.yaml'), Buffer.from('kind: Pod\nmetadata: {name: caf\xe9}\n', 'latin1'));
    });
    const r = await runCli(cli, ['reach', dir], { timeoutMs: 20_000 });
    assertAnalysedGood(r);
    assert.match(r.stderr, /^policy-lens: warning: .*image\.yaml: binary file \(contains NUL bytes\), skipped$/m);
    assert.match(r.stderr, /^policy-lens: warning: .*latin1\.yaml: not valid UTF-8 text, skipped$/m);
  });

  it('a file over the size limit is skipped with a message naming it; --max-file-size raises the limit', async () => {
    const dir = folder('huge', (d) => {
      // A sparse 40 MiB file: over the default 32 MiB limit without writing 40 MiB to disk.
      writeFileSync(join(d, 'huge.yaml'), '');
      truncateSync(join(d, 'huge.yaml'), 40 * 1024 * 1024);
      writeFileSync(join(d, 'medium.yaml'), `# ${'x'.repeat(3000)}\n${pods(1, 'm')}`);
    });
    const r = await runCli(cli, ['reach', dir, '--max-file-size', '2K'], { timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    assertNoStack(r);
    assert.match(r.stderr, /^policy-lens: warning: .*huge\.yaml: 40 MiB, larger than the 2 KiB limit, skipped \(raise it with --max-file-size\)$/m);
    assert.match(r.stderr, /^policy-lens: warning: .*medium\.yaml: 3\.\d KiB, larger than the 2 KiB limit/m);
    assert.match(r.stdout.toString(), /^2 workloads/m);
    const raised = await runCli(cli, ['reach', dir, '--max-file-size=4k'], { timeoutMs: 20_000 });
    assert.match(raised.stdout.toString(), /^3 workloads/m, raised.stderr);
    assert.match(raised.stderr, /huge\.yaml: 40 MiB, larger than the 4 KiB limit/);
    const byDefault = await runCli(cli, ['reach', dir], { timeoutMs: 20_000 });
    assert.match(byDefault.stderr, /huge\.yaml: 40 MiB, larger than the 32 MiB limit/);
  });

  it('a YAML alias bomb finishes quickly without a crash', async () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const bomb = `apiVersion: v1
kind: Pod
metadata:
  name: bomb
  namespace: shop
  labels: {app: bomb}
  annotations:
${lines.map((l) => `    ${l}`).join('\n')}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bomb, namespace: shop}
spec:
  podSelector: {matchLabels: {app: bomb}}
  ingress:
  - from: *a9
    ports: *a9
  egress: *a9
`;
    const dir = folder('alias-bomb', (d) => writeFileSync(join(d, 'bomb.yaml'), bomb));
    for (const output of ['text', 'json']) {
      const r = await runCli(cli, ['reach', dir, '--output', output], { timeoutMs: 30_000 });
      assert.equal(r.timedOut, false, 'the alias bomb hung the command');
      assertNoStack(r);
      assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
      assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
      assert.ok(r.stdout.length < 1024 * 1024, `output of ${r.stdout.length} bytes`);
    }
  });

  it('exit 2 when no input could be read at all; still 0 when some could', async () => {
    const dir = join(tmp, 'all-bad');
    mkdirSync(dir);
    execFileSync('mkfifo', [join(dir, 'a.yaml')]);
    writeFileSync(join(dir, 'b.yaml'), Buffer.from([0, 1, 2]));
    const r = await runCli(cli, ['reach', dir], { timeoutMs: 20_000 });
    assertNoStack(r);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^policy-lens: no input could be read$/m);
    assert.equal(r.stdout.length, 0);
  });

  it('user errors are one line (no stack): bad path, bad flag, bad value', async () => {
    for (const [args, re] of [
      [['reach', join(tmp, 'nope')], /^policy-lens: .*nope: no such file or directory$/m],
      [['reach', tmp, '--frobnicate'], /^policy-lens: unknown option "--frobnicate"$/m],
      [['reach', tmp, '--max-file-size', 'lots'], /^policy-lens: --max-file-size must be a positive number of bytes \(suffixes K, M, G\), not "lots"$/m],
      [['reach', tmp, '--max-file-size'], /^policy-lens: --max-file-size needs a value$/m],
      [['reach', tmp, '--default-namespace'], /^policy-lens: --default-namespace needs a value$/m],
      [['reach', tmp, '-o', 'xml'], /^policy-lens: --output must be text or json, not "xml"$/m],
      [['frobnicate'], /^policy-lens: unknown command "frobnicate" /m],
    ] as [string[], RegExp][]) {
      const r = await runCli(cli, args, { timeoutMs: 20_000 });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assertNoStack(r);
    }
  });

  it('--help documents the size limit, the skipping rules and the exit codes', async () => {
    const r = await runCli(cli, ['reach', '--help']);
    assert.equal(r.code, 0);
    const help = r.stdout.toString();
    assert.match(help, /--max-file-size BYTES +skip files larger than this \(default 32MiB; suffixes K, M, G = x1024\)/);
    assert.match(help, /skipped with a one-line warning/);
    assert.match(help, /2 +usage error .* or no input could be read at all/);
  });
});

let nobodyOk: boolean | undefined;
/** Whether a child process can be started as uid/gid 65534 (needs root and an accessible node binary). */
function runsAsNobody(): boolean {
  if (nobodyOk === undefined) {
    try {
      execFileSync(process.execPath, ['-e', '0'], { uid: 65534, gid: 65534, cwd: '/', stdio: 'ignore' });
      nobodyOk = true;
    } catch {
      nobodyOk = false;
    }
  }
  return nobodyOk;
}
