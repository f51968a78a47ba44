// Reads the git HEAD version of a file (`git show HEAD:./name` run in the file's folder, so no repository root
// lookup is needed). Node-only: used by the CLI and the server's flow import, never by the core.
import { execFile } from 'node:child_process';
import { basename, dirname } from 'node:path';

/** Thrown when there is no HEAD baseline at all (no git, not a repository, no commit yet). */
export class NoHeadBaseline extends Error {}

/** The HEAD version of `fsPath`; undefined when HEAD has no such file; throws NoHeadBaseline when there is no HEAD. */
export function readHeadVersion(fsPath: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['show', `HEAD:./${basename(fsPath)}`],
      { cwd: dirname(fsPath), maxBuffer: 256 * 1024 * 1024, encoding: 'utf8', timeout: 20_000 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        if (/exists on disk, but not in|does not exist in/i.test(String(stderr))) return resolve(undefined);
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : String(stderr).trim().split('\n')[0] || err.message;
        reject(new NoHeadBaseline(`no git HEAD version of ${basename(fsPath)}: ${why}`));
      },
    );
  });
}
