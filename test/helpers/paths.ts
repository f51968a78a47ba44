import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest ancestor of this file holding package.json. */
export function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('package.json not found above ' + __dirname);
    d = up;
  }
  return d;
}

/** `../shared/corpora` beside the repository (read-only external test data). */
export function corporaDir(): string {
  return resolve(repoRoot(), '..', 'shared', 'corpora');
}
