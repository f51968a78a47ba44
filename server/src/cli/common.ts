// Helpers shared by the policy-lens subcommands (check, diff, verify, mcp): output sink, argument parsing with
// node:util parseArgs, reading inputs with collectFiles, and path display.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CNI_SETTINGS, type AnalyzeOptions, type CniSetting, type InputFile } from '../core/index';
import { findExtensionRoot } from '../lsp/schemas';
import { collectFiles, type CliIO } from './main';

export type { CliIO };

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `args` strictly; unknown options or missing values throw UsageError. `--help`/`-h` is always accepted. */
export function parse<O extends Options>(args: string[], options: O): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, ...ANALYSIS_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split('\n')[0] : String(e));
  }
}

/** Options every command accepts (added by parse): which CNI's semantics evaluate the manifests. */
export const ANALYSIS_OPTIONS = { cni: { type: 'string' } } as const;

/** Help text line for --cni (every command). */
export const CNI_HELP = '--cni auto|kubernetes|calico|cilium   whose semantics evaluate the manifests (default auto: detected from\n                        the objects: cilium-config or cilium.io objects = Cilium, projectcalico.org = Calico)';

/** The analysis options of the parsed arguments (--cni). Throws UsageError on a bad value. */
export function analyzeOptionsOf(values: Record<string, unknown>): AnalyzeOptions {
  return { cni: oneOf<CniSetting>('--cni', values.cni, CNI_SETTINGS, 'auto') };
}

export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${name} must be one of ${allowed.join(', ')}, not "${String(value)}"`);
}

/** Path as shown in reports: relative to the working directory with `/` separators (absolute when outside it). */
export function displayPath(p: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, p);
  const rel = relative(cwd, abs);
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  return sep === '/' ? shown : shown.split(sep).join('/');
}

/**
 * Reads PATH arguments with the CLI's collectFiles (folders searched recursively, regular files only inside folders,
 * size limit, loop-safe links; see inputs.ts). Each file says whether it was named explicitly. `errors` (exit code
 * 2 for the caller): PATHs that do not exist, or nothing could be read at all. `warnings`: inputs skipped (print
 * them on stderr; the run goes on).
 */
export function readInputs(paths: string[]): { files: (InputFile & { explicit: boolean })[]; errors: string[]; warnings: string[] } {
  const { files, errors, messages, skipped } = collectFiles(paths);
  const explicit = new Set(paths.map((p) => resolve(p)));
  const warnings = messages.map((m) => `${m.level}: ${m.text}`);
  if (!errors.length && files.length === 0 && skipped > 0) errors.push('no input could be read');
  return { files: files.map((f) => ({ ...f, explicit: explicit.has(resolve(f.path)) })), errors, warnings };
}

/** The package root (holds package.json, schemas/ and docs/rules/), in the repository and in the installed .vsix. */
export function packageRoot(): string | undefined {
  return findExtensionRoot(__dirname);
}

export function packageVersion(): string {
  const root = packageRoot();
  try {
    return root ? String(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version ?? '0.0.0') : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function fileExists(p: string): boolean {
  return existsSync(p);
}
