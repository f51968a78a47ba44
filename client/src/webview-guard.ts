// Validation of what the reachability webview sends to the extension (client/src/panel.ts). The webview renders
// data from the workspace; if anything in it ever runs script it must not be able to drive the extension beyond
// what the panel offers. So every message is checked for shape and types before it is acted on, and `open` is
// honoured only for a file the panel itself showed (a source range of the last response or of an explanation sent
// since) or a file: inside a workspace folder.
// Pure: no vscode API (unit-tested in node).
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceRange } from '../../server/src/core/model';
import type { CompareMode, FromWebview, ViewKind, ViewState } from '../webview/messages';

const COMPARE_MODES: readonly CompareMode[] = ['none', 'saved', 'head', 'staged'];
const VIEWS: readonly ViewKind[] = ['matrix', 'graph', 'blast'];
/** Upper bounds: an id is `namespace/name` (2 × 253) or an address range; a path or URI is shorter than this. */
const MAX_ID = 1024;
const MAX_FILE = 8192;
const MAX_SHORT = 64;
const MAX_NAMESPACES = 100_000;
const MAX_POSITION = 2 ** 31 - 1;
/** An exported matrix (CSV / markdown) of a large workspace can be tens of MB; more is not a matrix. */
const MAX_EXPORT = 256 * 1024 * 1024;

export type Checked = { ok: true; message: FromWebview } | { ok: false; reason: string };

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown, max: number): x is string => typeof x === 'string' && x.length <= max;
const isId = (x: unknown): x is string => isStr(x, MAX_ID) && x.length > 0;

export function isCompareMode(x: unknown): x is CompareMode {
  return typeof x === 'string' && (COMPARE_MODES as readonly string[]).includes(x);
}

/** Why `x` is not a ViewState, or undefined when it is one. Fields this version does not know are tolerated. */
export function viewStateProblem(x: unknown): string | undefined {
  if (!isObj(x)) return 'state is not an object';
  if (typeof x.view !== 'string' || !(VIEWS as readonly string[]).includes(x.view)) return 'state.view is not matrix, graph or blast';
  if (x.namespaces !== null && !(Array.isArray(x.namespaces) && x.namespaces.length <= MAX_NAMESPACES && x.namespaces.every((n) => isStr(n, MAX_ID)))) {
    return 'state.namespaces is neither null nor a list of strings';
  }
  if (!isStr(x.port, MAX_SHORT)) return 'state.port is not a string';
  if (!isStr(x.protocol, MAX_SHORT)) return 'state.protocol is not a string';
  if (typeof x.showExternal !== 'boolean') return 'state.showExternal is not a boolean';
  if (x.selected !== undefined && !(isObj(x.selected) && isId(x.selected.src) && isId(x.selected.dst))) return 'state.selected is not {src, dst}';
  if (x.focus !== undefined && !isId(x.focus)) return 'state.focus is not an id';
  if (!isCompareMode(x.compare)) return 'state.compare is not none, saved, head or staged';
  if (x.search !== undefined && !isStr(x.search, MAX_ID)) return 'state.search is not a string';
  if (x.open !== undefined && !(isObj(x.open) && Object.keys(x.open).length <= MAX_NAMESPACES && Object.values(x.open).every((v) => typeof v === 'boolean'))) return 'state.open is not a map of booleans';
  if (x.posture !== undefined && !isStr(x.posture, MAX_SHORT)) return 'state.posture is not a string';
  if (x.graphOpen !== undefined && !(isObj(x.graphOpen) && Object.keys(x.graphOpen).length <= MAX_NAMESPACES && Object.values(x.graphOpen).every((v) => typeof v === 'boolean'))) return 'state.graphOpen is not a map of booleans';
  if (x.graphFocus !== undefined && !isId(x.graphFocus)) return 'state.graphFocus is not a key';
  if (x.overlay !== undefined && typeof x.overlay !== 'boolean') return 'state.overlay is not a boolean';
  return undefined;
}

function isPosition(x: unknown): boolean {
  return isObj(x) && [x.line, x.character].every((n) => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= MAX_POSITION);
}

function rangeProblem(x: unknown): string | undefined {
  if (!isObj(x)) return 'range is not an object';
  if (!isStr(x.file, MAX_FILE) || x.file.length === 0 || x.file.includes('\0')) return 'range.file is not a file name';
  if (!isPosition(x.start) || !isPosition(x.end)) return 'range.start/end are not positions';
  return undefined;
}

/** Checks one message from the webview. Unknown types and wrong shapes are refused with a reason (for the log). */
export function checkWebviewMessage(raw: unknown): Checked {
  if (!isObj(raw)) return { ok: false, reason: 'not an object' };
  const type = raw.type;
  const fail = (reason: string): Checked => ({ ok: false, reason: `${String(type).slice(0, MAX_SHORT)}: ${reason}` });
  switch (type) {
    case 'ready':
    case 'state': {
      const p = viewStateProblem(raw.state);
      return p ? fail(p) : { ok: true, message: { type, state: raw.state as unknown as ViewState } };
    }
    case 'explain':
      if (!isId(raw.src) || !isId(raw.dst)) return fail('src and dst must be endpoint ids');
      return { ok: true, message: { type, src: raw.src, dst: raw.dst } };
    case 'open': {
      const p = rangeProblem(raw.range);
      if (p) return fail(p);
      const r = raw.range as Obj & { start: Obj; end: Obj };
      // Rebuilt from the checked fields only: nothing else the webview put in the object travels further.
      const range = {
        file: r.file as string,
        start: { line: r.start.line as number, character: r.start.character as number },
        end: { line: r.end.line as number, character: r.end.character as number },
      } as SourceRange;
      return { ok: true, message: { type, range } };
    }
    case 'export':
      if (raw.format !== 'csv' && raw.format !== 'markdown' && raw.format !== 'svg' && raw.format !== 'png') return fail('format must be csv, markdown, svg or png');
      if (raw.action !== 'save' && raw.action !== 'copy') return fail('action must be save or copy');
      if (!isStr(raw.text, MAX_EXPORT)) return fail(`text must be a string of at most ${MAX_EXPORT} characters`);
      // Pictures of the graph are only saved: an SVG document, or a PNG as base64.
      if ((raw.format === 'svg' || raw.format === 'png') && raw.action !== 'save') return fail('a picture of the graph can only be saved');
      if (raw.format === 'svg' && !/^(<\?xml[^>]*>\s*)?<svg[\s>]/.test(raw.text)) return fail('svg text must be an SVG document');
      if (raw.format === 'png' && !/^iVBORw0KGgo[A-Za-z0-9+/]*={0,2}$/.test(raw.text)) return fail('png text must be a base64 PNG');
      return { ok: true, message: { type, format: raw.format, action: raw.action, text: raw.text } };
    default:
      return { ok: false, reason: typeof type === 'string' ? `unknown message type "${type.slice(0, MAX_SHORT)}"` : 'no message type' };
  }
}

/** The `file` of every source range (an object with a string `file` and a `start` object) inside `value`. */
export function rangeFiles(value: unknown, into: Set<string> = new Set()): Set<string> {
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push(x);
      continue;
    }
    const o = v as Obj;
    if (typeof o.file === 'string' && isObj(o.start)) into.add(o.file);
    for (const k in o) {
      const x = o[k];
      if (typeof x === 'object' && x !== null) stack.push(x);
    }
  }
  return into;
}

/** Filesystem path of a `file:` URI or of an absolute path; undefined for other schemes and relative paths. */
function fsPathOf(file: string): string | undefined {
  if (/^file:/i.test(file)) {
    try {
      return fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(file) && !/^[a-zA-Z]:[\\/]/.test(file)) return undefined; // another scheme
  return isAbsolute(file) ? file : undefined;
}

/** Whether the absolute path `p` is `folder` or inside it (lexically: `..` segments are resolved first). */
export function isInside(folder: string, p: string): boolean {
  const rel = relative(resolve(folder), resolve(p));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Whether the webview may have `file` opened: it is the file of a range the panel showed (`shown`), or a file:
 * URI / absolute path inside one of the workspace folders (filesystem paths). Anything else (other schemes such as
 * command: or http:, paths outside the workspace) is refused.
 */
export function mayOpen(file: string, shown: ReadonlySet<string>, workspaceFolders: readonly string[]): boolean {
  if (shown.has(file)) return true;
  const p = fsPathOf(file);
  return p !== undefined && workspaceFolders.some((f) => isInside(f, p));
}

/** The files of the ranges the panel showed: those of the last response plus those of explanations sent since. */
export class ShownFiles {
  private files = new Set<string>();

  /** A new response replaces everything known. */
  reset(response: unknown): void {
    this.files = rangeFiles(response);
  }

  add(value: unknown): void {
    rangeFiles(value, this.files);
  }

  get set(): ReadonlySet<string> {
    return this.files;
  }
}
