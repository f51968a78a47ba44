// Runs the real `policy-lens` command (bin/policy-lens.js + the esbuild bundle of server/src/cli/main.ts) as a child
// process, the way a shell does: stdout and stderr are pipes. The bundle is built into a private temporary folder
// beside a copy of bin/policy-lens.js, so concurrent test runs and `npm run build` never clash.
import { spawn, type SpawnOptions } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { repoRoot } from './paths';

export interface CliInstall {
  /** Absolute path of the copied bin/policy-lens.js. */
  bin: string;
  dispose(): void;
}

export function installCli(): CliInstall {
  const dir = mkdtempSync(join(tmpdir(), 'pl-cli-'));
  // Readable by everyone: a test may run the command as another user (see runCli's uid option).
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist'));
  copyFileSync(join(repoRoot(), 'bin', 'policy-lens.js'), join(dir, 'bin', 'policy-lens.js'));
  buildSync({ entryPoints: [join(repoRoot(), 'server', 'src', 'cli', 'main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'es2022', outfile: join(dir, 'dist', 'cli.js'), logLevel: 'warning' });
  return { bin: join(dir, 'bin', 'policy-lens.js'), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

export interface RunOptions {
  cwd?: string;
  timeoutMs?: number;
  /** Text piped into stdin (stdin is closed empty otherwise). */
  stdin?: string;
  /** Delay before stdout is read at all: makes the child's pipe fill up (backpressure). */
  readDelayMs?: number;
  uid?: number;
  gid?: number;
}

export function runCli(install: CliInstall, args: string[], opts: RunOptions = {}): Promise<CliRun> {
  const t0 = Date.now();
  const spawnOpts: SpawnOptions = { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], uid: opts.uid, gid: opts.gid };
  const child = spawn(process.execPath, [install.bin, ...args], spawnOpts);
  const out: Buffer[] = [];
  let err = '';
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 30_000);
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  if (opts.readDelayMs) {
    child.stdout!.pause();
    setTimeout(() => child.stdout!.resume(), opts.readDelayMs);
  }
  child.stdin!.on('error', () => undefined); // the command may exit without reading its stdin
  child.stdin!.end(opts.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err, ms: Date.now() - t0, timedOut });
    });
  });
}
