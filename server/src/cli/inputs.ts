// Reading the CLI's input paths, safely:
// * Folders are searched recursively for .yaml/.yml/.json (hidden entries and node_modules skipped). Symbolic links
//   are followed, but a folder is searched at most once (by real path), so link loops end, and a file reached twice
//   is read once.
// * Inside folders only regular files are read: FIFOs, sockets and devices are skipped with a warning (opening a
//   FIFO would block forever, /dev/zero never ends). A path named on the command line may be a pipe or device
//   (`policy-lens reach <(kubectl get networkpolicy -A -o yaml)`); it is read up to the size limit.
// * No file larger than `maxFileSize` bytes is read; binary or non-UTF-8 files are skipped.
// * Problems with one input never stop the run: they become one-line warnings and the input is skipped.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { InputFile } from '../core/index';

export const DEFAULT_MAX_FILE_SIZE = 32 * 1024 * 1024;

const MANIFEST = /\.(ya?ml|json)$/i;

export interface CollectOptions {
  /** Largest file read, in bytes. */
  maxFileSize?: number;
}

export interface Collected {
  files: InputFile[];
  /** Command-line paths that do not exist: a usage error. */
  errors: string[];
  /**
   * In the order met: `warning` for an input skipped because it cannot be used (unreadable, too large, binary,
   * special file, broken link), `note` for what is no problem (a folder reached again through a symbolic link).
   */
  messages: { level: 'warning' | 'note'; text: string }[];
  /** Number of warnings (inputs skipped because of a problem). */
  skipped: number;
}

/** Parses a byte count with an optional K/M/G (×1024) suffix, e.g. `64M`, `1G`, `500000`. Undefined if invalid. */
export function parseSize(s: string): number | undefined {
  const m = /^(\d+)\s*([kmg])?(?:i?b)?$/i.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] ?? ' ').toLowerCase());
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** `33554432` → `32 MiB`, for messages. */
export function formatSize(n: number): string {
  for (const [unit, f] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (n >= f) return `${Number.isInteger(n / f) ? n / f : (n / f).toFixed(1)} ${unit}`;
  }
  return `${n} bytes`;
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EISDIR':
      return 'is a directory';
    case 'ENXIO':
      return 'no such device or address';
    default:
      return err?.code ? `${err.code}` : String(e);
  }
}

class TooLarge extends Error {}

/** Reads an open descriptor to its end, refusing to go past `max` bytes. */
function readAll(fd: number, max: number, sizeHint: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  let buf = Buffer.allocUnsafe(Math.min(Math.max(sizeHint + 1, 64 * 1024), max + 1, 8 * 1024 * 1024));
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    total += n;
    if (total > max) throw new TooLarge();
    chunks.push(Buffer.from(buf.subarray(0, n)));
    if (n === buf.length && buf.length < 8 * 1024 * 1024) buf = Buffer.allocUnsafe(Math.min(buf.length * 2, 8 * 1024 * 1024));
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function collectFiles(paths: string[], opts: CollectOptions = {}): Collected {
  const max = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const out: Collected = { files: [], errors: [], messages: [], skipped: 0 };
  const warn = (text: string) => {
    out.messages.push({ level: 'warning', text });
    out.skipped++;
  };
  /** Real path of every folder searched → the path it was first reached by. */
  const dirs = new Map<string, string>();
  /** Real path of every file read. */
  const seenFiles = new Set<string>();
  const tooLarge = (p: string, size?: number) =>
    warn(`${p}: ${size !== undefined ? `${formatSize(size)}, ` : ''}larger than the ${formatSize(max)} limit, skipped (raise it with --max-file-size)`);

  const readFile = (p: string, explicit: boolean) => {
    let fd: number;
    try {
      // O_NONBLOCK: opening a FIFO that has no writer must not block (the type is checked right after, on the
      // descriptor itself, so a file swapped for a FIFO after the stat cannot hang the run either).
      fd = openSync(p, constants.O_RDONLY | (explicit ? 0 : constants.O_NONBLOCK) | (constants.O_NOCTTY ?? 0));
    } catch (e) {
      warn(`${p}: ${reason(e)}, skipped`);
      return;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile() && !explicit) {
        warn(`${p}: ${kindOf(st)}, skipped (only regular files are read)`);
        return;
      }
      if (st.isFile()) {
        let real: string;
        try {
          real = realpathSync(p);
        } catch {
          real = p;
        }
        if (seenFiles.has(real)) return;
        seenFiles.add(real);
        if (st.size > max) return tooLarge(p, st.size);
      }
      let bytes: Buffer;
      try {
        bytes = readAll(fd, max, st.isFile() ? st.size : 0);
      } catch (e) {
        if (e instanceof TooLarge) return tooLarge(p);
        warn(`${p}: ${reason(e)}, skipped`);
        return;
      }
      if (bytes.includes(0)) {
        warn(`${p}: binary file (contains NUL bytes), skipped`);
        return;
      }
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        warn(`${p}: not valid UTF-8 text, skipped`);
        return;
      }
      out.files.push({ path: p, text });
    } finally {
      closeSync(fd);
    }
  };

  const visit = (p: string, explicit: boolean) => {
    let st: Stats;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      let dangling = false;
      if (code === 'ENOENT') {
        try {
          dangling = lstatSync(p).isSymbolicLink();
        } catch {
          /* does not exist at all */
        }
      }
      const why = dangling ? 'broken symbolic link (its target does not exist)' : reason(e);
      // A command-line path that does not exist is a usage error; anything else is skipped with a warning.
      if (explicit && code === 'ENOENT') out.errors.push(`${p}: ${why}`);
      else if (code === 'ENOENT' && !dangling) return; // vanished while we were walking the folder
      else if (explicit || MANIFEST.test(p) || code === 'ELOOP' || dangling) warn(`${p}: ${why}, skipped`);
      return;
    }
    if (st.isDirectory()) {
      let real: string;
      try {
        real = realpathSync(p);
      } catch (e) {
        warn(`${p}: ${reason(e)}, skipped`);
        return;
      }
      const first = dirs.get(real);
      if (first !== undefined) {
        out.messages.push({ level: 'note', text: `${p}: the same folder as ${first} (symbolic link), not searched again` });
        return;
      }
      dirs.set(real, p);
      let names: string[];
      try {
        names = readdirSync(p);
      } catch (e) {
        warn(`${p}: ${reason(e)}, skipped`);
        return;
      }
      for (const name of names.sort()) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        visit(join(p, name), false);
      }
      return;
    }
    if (!explicit && !MANIFEST.test(p)) return;
    if (st.isFile() || st.isFIFO() || st.isCharacterDevice() || st.isBlockDevice()) {
      if (!st.isFile() && !explicit) {
        warn(`${p}: ${kindOf(st)}, skipped (only regular files are read)`);
        return;
      }
      readFile(p, explicit);
      return;
    }
    warn(`${p}: ${kindOf(st)}, skipped`);
  };

  for (const p of paths) visit(p, true);
  return out;
}
