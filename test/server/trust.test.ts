// Workspace Trust (server/src/trust.ts, wired in server.ts): in Restricted Mode a `head` comparison answers with a
// clear baselineError and spawns no git; once trust is granted the git baseline is read again.
// VS Code Workspace Trust extension guide: extensions declare capabilities.untrustedWorkspaces and must not run
// workspace-controlled code (git with the repository's config) while the workspace is not trusted.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import childProcess = require('node:child_process');
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { ReachabilityModel, type SourceFile } from '../../server/src/reachability';
import { headReaderFor, RESTRICTED_MODE_HEAD_MESSAGE, trustedFromInit } from '../../server/src/trust';
import { REACHABILITY_REQUEST, WORKSPACE_TRUSTED_NOTIFICATION, type ReachabilityResponse } from '../../server/src/protocol';
import { FIXTURES } from './harness';

const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\nspec: {containers: [{name: c, image: i}]}\n';

/** Counts child processes started through node:child_process while `fn` runs. */
async function countSpawns<T>(fn: () => Promise<T>): Promise<{ value: T; spawns: string[] }> {
  const cp = childProcess as unknown as Record<string, (...a: unknown[]) => unknown>;
  const names = ['execFile', 'spawn', 'exec', 'fork', 'execFileSync', 'spawnSync', 'execSync'];
  const saved = names.map((n) => cp[n]);
  const spawns: string[] = [];
  names.forEach((n, i) => {
    cp[n] = (...a: unknown[]) => {
      spawns.push(`${n} ${String(a[0])}`);
      return saved[i](...a);
    };
  });
  try {
    return { value: await fn(), spawns };
  } finally {
    names.forEach((n, i) => (cp[n] = saved[i]));
  }
}

describe('Workspace Trust: the HEAD baseline reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-trust-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'pods.yaml'), POD);
  const files: SourceFile[] = [{ path: join(dir, 'pods.yaml'), text: POD }];

  it('trust comes only from initializationOptions.workspaceTrusted === true', () => {
    assert.equal(trustedFromInit({ workspaceTrusted: true }), true);
    for (const init of [undefined, null, {}, { workspaceTrusted: false }, { workspaceTrusted: 'true' }, { workspaceTrusted: 1 }]) assert.equal(trustedFromInit(init), false, JSON.stringify(init));
  });

  it('untrusted: compare head gives the Restricted Mode baselineError and spawns nothing', async () => {
    const { value: r, spawns } = await countSpawns(() => new ReachabilityModel(() => files, { readHead: headReaderFor(false) }).compute({ compare: 'head' }));
    assert.equal(r.baselineError, RESTRICTED_MODE_HEAD_MESSAGE);
    assert.match(r.baselineError!, /^Git HEAD comparison is disabled in Restricted Mode/);
    assert.equal(r.diff, undefined);
    assert.equal(r.data.diff, undefined);
    assert.ok(r.data.endpoints.some((e) => e.id === 'x/a'), 'the current reachability is still answered');
    assert.deepEqual(spawns, []);
    // The other comparisons do not need git and still work.
    const saved = await new ReachabilityModel(() => files, { readHead: headReaderFor(false) }).compute({ compare: 'saved' });
    assert.equal(saved.baselineError, undefined);
    assert.ok(saved.data.diff, 'a saved-file diff');
    assert.deepEqual([saved.data.diff.added, saved.data.diff.removed], [[], []]);
  });

  it('trusted: the default git reader runs (the spy above does see it)', async () => {
    assert.equal(headReaderFor(true), undefined, 'the default reader (git show HEAD:file)');
    process.env.GIT_CEILING_DIRECTORIES = tmpdir();
    try {
      const { value: r, spawns } = await countSpawns(() => new ReachabilityModel(() => files, { readHead: headReaderFor(true) }).compute({ compare: 'head' }));
      assert.ok(spawns.some((s) => /^execFile git$/.test(s)), JSON.stringify(spawns));
      assert.notEqual(r.baselineError, RESTRICTED_MODE_HEAD_MESSAGE);
    } finally {
      delete process.env.GIT_CEILING_DIRECTORIES;
    }
  });
});

describe('Workspace Trust through server.ts over stdio', () => {
  it('Restricted Mode until the client sends policyLens/workspaceTrusted', async () => {
    const entry = join(__dirname, '..', '..', 'server', 'src', 'server.js');
    const child = childProcess.spawn(process.execPath, [entry, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    conn.onRequest(() => null);
    conn.onNotification(() => undefined);
    conn.listen();
    try {
      const ws = join(FIXTURES, 'authoring');
      const uri = pathToFileURL(ws).href;
      // No workspaceTrusted at all: Restricted Mode (the safe default).
      await conn.sendRequest('initialize', { processId: process.pid, rootUri: uri, workspaceFolders: [{ uri, name: 'ws' }], capabilities: {}, initializationOptions: { reachabilityDebounceMs: 10 } });
      await conn.sendNotification('initialized', {});
      // The workspace files are indexed in the background: ask until they are analysed.
      let restricted: ReachabilityResponse | undefined;
      for (let i = 0; i < 200 && !restricted?.data.endpoints.some((e) => e.kind !== 'External'); i++) {
        if (i) await new Promise((r) => setTimeout(r, 25));
        restricted = await conn.sendRequest<ReachabilityResponse>(REACHABILITY_REQUEST, { compare: 'head' });
      }
      assert.ok(restricted);
      assert.equal(restricted.baselineError, RESTRICTED_MODE_HEAD_MESSAGE);
      assert.equal(restricted.diff, undefined);
      assert.equal(restricted.data.diff, undefined);
      await conn.sendNotification(WORKSPACE_TRUSTED_NOTIFICATION, {});
      // The fixture folder is part of this repository: with trust, git answers (or says why it cannot), but the
      // Restricted Mode refusal is gone.
      let trusted: ReachabilityResponse | undefined;
      for (let i = 0; i < 50; i++) {
        trusted = await conn.sendRequest<ReachabilityResponse>(REACHABILITY_REQUEST, { compare: 'head' });
        if (trusted.baselineError !== RESTRICTED_MODE_HEAD_MESSAGE) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.notEqual(trusted!.baselineError, RESTRICTED_MODE_HEAD_MESSAGE);
      assert.ok(trusted!.diff || trusted!.data.diff || /git/i.test(trusted!.baselineError ?? ''), JSON.stringify(trusted!.baselineError));
    } finally {
      conn.dispose();
      child.kill();
    }
  });
});
