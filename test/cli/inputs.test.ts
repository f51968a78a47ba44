// Input collection of the CLI (server/src/cli/inputs.ts) in-process: what is read, what is skipped and why.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles, formatSize, parseSize } from '../../server/src/cli/inputs';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pl-inputs-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('parseSize: bytes with optional K/M/G (x1024) suffix; anything else is invalid', () => {
  assert.equal(parseSize('1500'), 1500);
  assert.equal(parseSize('64K'), 64 * 1024);
  assert.equal(parseSize('64k'), 64 * 1024);
  assert.equal(parseSize('32M'), 32 * 1024 * 1024);
  assert.equal(parseSize('32MiB'), 32 * 1024 * 1024);
  assert.equal(parseSize('2G'), 2 * 1024 ** 3);
  assert.equal(parseSize('2gb'), 2 * 1024 ** 3);
  for (const bad of ['', '0', '-1', '1.5M', 'M', '12T', '1e6', 'lots', '99999999999999999999']) assert.equal(parseSize(bad), undefined, bad);
  assert.equal(formatSize(32 * 1024 * 1024), '32 MiB');
  assert.equal(formatSize(1536), '1.5 KiB');
  assert.equal(formatSize(100), '100 bytes');
});

test('folders: manifests only, sorted, hidden entries and node_modules skipped; explicit files of any name are read', () => {
  const d = join(dir, 'plain');
  mkdirSync(join(d, 'b'), { recursive: true });
  mkdirSync(join(d, '.git'));
  mkdirSync(join(d, 'node_modules'));
  writeFileSync(join(d, 'b', 'z.yml'), 'kind: Pod\n');
  writeFileSync(join(d, 'a.json'), '{}');
  writeFileSync(join(d, 'notes.txt'), 'x');
  writeFileSync(join(d, '.hidden.yaml'), 'x');
  writeFileSync(join(d, '.git', 'x.yaml'), 'x');
  writeFileSync(join(d, 'node_modules', 'x.yaml'), 'x');
  const r = collectFiles([d, join(d, 'notes.txt')]);
  assert.deepEqual(
    r.files.map((f) => f.path),
    [join(d, 'a.json'), join(d, 'b', 'z.yml'), join(d, 'notes.txt')],
  );
  assert.deepEqual(r.messages, []);
  assert.equal(r.skipped, 0);
});

test('symbolic links: followed once; a file reached twice is read once; loops end', () => {
  const d = join(dir, 'links');
  mkdirSync(join(d, 'real'), { recursive: true });
  writeFileSync(join(d, 'real', 'np.yaml'), 'kind: NetworkPolicy\n');
  symlinkSync('real', join(d, 'alias'));
  symlinkSync(join(d, 'real', 'np.yaml'), join(d, 'link.yaml'));
  symlinkSync('..', join(d, 'real', 'parent'));
  const r = collectFiles([d]);
  // Sorted walk: alias/ (= real/) is searched first, so its np.yaml is the one read; link.yaml and real/ repeat it.
  assert.deepEqual(
    r.files.map((f) => f.path),
    [join(d, 'alias', 'np.yaml')],
  );
  assert.equal(r.skipped, 0, 'repeats are no problem');
  assert.deepEqual(
    r.messages.map((m) => `${m.level}: ${m.text}`),
    [`note: ${join(d, 'alias', 'parent')}: the same folder as ${d} (symbolic link), not searched again`, `note: ${join(d, 'real')}: the same folder as ${join(d, 'alias')} (symbolic link), not searched again`],
  );
});

test('special files inside folders are skipped without being opened for reading; too large and binary too', () => {
  const d = join(dir, 'special');
  mkdirSync(d);
  execFileSync('mkfifo', [join(d, 'pipe.yaml')]);
  symlinkSync('/dev/null', join(d, 'null.yaml'));
  symlinkSync('/dev/zero', join(d, 'zero.json'));
  symlinkSync('/dev/zero', join(d, 'ignored.txt')); // not a manifest name: not looked at, no warning
  writeFileSync(join(d, 'big.yaml'), 'x'.repeat(2000));
  writeFileSync(join(d, 'nul.yaml'), 'kind: Pod\0');
  writeFileSync(join(d, 'utf16.yaml'), Buffer.from('\ufeffkind: Pod\n', 'utf16le'));
  writeFileSync(join(d, 'bom.yaml'), '\ufeffkind: Pod\n');
  writeFileSync(join(d, 'ok.yaml'), 'kind: Pod # café ✓\n');
  const r = collectFiles([d], { maxFileSize: 1024 });
  assert.deepEqual(
    r.files.map((f) => [f.path, f.text]),
    [
      // The UTF-8 byte order mark is dropped (as VS Code does), so columns on the first line are right.
      [join(d, 'bom.yaml'), 'kind: Pod\n'],
      [join(d, 'ok.yaml'), 'kind: Pod # café ✓\n'],
    ],
  );
  assert.deepEqual(
    r.messages.map((m) => `${m.level}: ${m.text.slice(d.length + 1)}`),
    [
      'warning: big.yaml: 2.0 KiB, larger than the 1 KiB limit, skipped (raise it with --max-file-size)',
      'warning: nul.yaml: binary file (contains NUL bytes), skipped',
      'warning: null.yaml: a character device, skipped (only regular files are read)',
      'warning: pipe.yaml: a FIFO (named pipe), skipped (only regular files are read)',
      'warning: utf16.yaml: binary file (contains NUL bytes), skipped',
      'warning: zero.json: a character device, skipped (only regular files are read)',
    ],
  );
  assert.equal(r.skipped, 6);
});

test('a missing command-line path is an error (usage); a broken link inside a folder is a warning', () => {
  const d = join(dir, 'missing');
  mkdirSync(d);
  symlinkSync('gone.yaml', join(d, 'dangling.yaml'));
  const r = collectFiles([join(d, 'nope.yaml'), d]);
  assert.deepEqual(r.errors, [`${join(d, 'nope.yaml')}: no such file or directory`]);
  assert.deepEqual(
    r.messages.map((m) => m.text),
    [`${join(d, 'dangling.yaml')}: broken symbolic link (its target does not exist), skipped`],
  );
});
