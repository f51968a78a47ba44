// Streaming output of the CLI: text is collected into chunks and handed to a sink that may ask the writer to wait
// (backpressure), and the reachability JSON is written one endpoint / connection at a time instead of as one string.
//
// `writeReachJson` produces exactly the bytes of
//   JSON.stringify({ endpoints, connections }, stripRanges, 2) + '\n'
// for any Iterable of endpoints and connections (an array today, a generator later), so nothing more than one item
// is ever held as text.
import type { Connection, Endpoint } from '../core/index';

/** Where text goes. `write` may return a promise: the writer waits for it before producing more (backpressure). */
export interface TextSink {
  write(chunk: string): void | Promise<void>;
}

/** Thrown by `streamSink` when the reader of a pipe went away (EPIPE): the output is not wanted any more. */
export class OutputClosed extends Error {}

/**
 * A sink writing to a Node stream (process.stdout): waits for 'drain' when the stream's buffer is full, and turns
 * the stream's errors into rejections (EPIPE becomes OutputClosed) instead of an unhandled 'error' event.
 */
export function streamSink(stream: NodeJS.WritableStream): TextSink {
  let failure: Error | undefined;
  const asFailure = (e: unknown): Error => {
    const err = e as NodeJS.ErrnoException;
    return err && err.code === 'EPIPE' ? new OutputClosed('the output pipe was closed') : err instanceof Error ? err : new Error(String(e));
  };
  stream.on('error', (e) => {
    failure ??= asFailure(e);
  });
  return {
    write(chunk) {
      if (failure) return Promise.reject(failure);
      let ok: boolean;
      try {
        ok = stream.write(chunk);
      } catch (e) {
        failure ??= asFailure(e);
        return Promise.reject(failure);
      }
      if (ok) return undefined;
      return new Promise<void>((resolve, reject) => {
        const done = (e?: unknown) => {
          stream.removeListener('drain', onDrain);
          stream.removeListener('error', onError);
          stream.removeListener('close', onClose);
          if (e === undefined) resolve();
          else reject(e);
        };
        const onDrain = () => done();
        const onError = (e: unknown) => done(failure ?? asFailure(e));
        const onClose = () => done(failure ?? new OutputClosed('the output stream was closed'));
        stream.on('drain', onDrain);
        stream.on('error', onError);
        stream.on('close', onClose);
      });
    },
  };
}

/** Collects small strings into chunks of about `chunkSize` characters before handing them to the sink. */
export class ChunkedWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly sink: TextSink,
    private readonly chunkSize = 64 * 1024,
  ) {}

  /** Appends text; waits for the sink only when a chunk is full. */
  async write(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= this.chunkSize) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0 && this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (chunk) await this.sink.write(chunk);
  }
}

/**
 * JSON.stringify replacer of the CLI contract: source ranges (`range: {file, start, end, …}`) are left out. Only
 * values shaped like a SourceRange are dropped, so a label or other data that happens to be called `range` stays.
 */
export function stripRanges(key: string, value: unknown): unknown {
  if (key === 'range' && value !== null && typeof value === 'object') {
    const r = value as { file?: unknown; start?: unknown };
    if (typeof r.file === 'string' && r.start !== null && typeof r.start === 'object') return undefined;
  }
  return value;
}

const WRAP_HEAD = '{\n  "x": [\n    '.length;
const WRAP_TAIL = '\n  ]\n}'.length;

/**
 * One item of a top-level array as `JSON.stringify(x, replacer, 2)` lays it out at depth 2 (lines indented by 4
 * spaces). Stringifying the item inside the same nesting and slicing is cheaper than re-indenting its lines.
 */
function item(value: unknown): string {
  const s = JSON.stringify({ x: [value] }, stripRanges, 2);
  return s.slice(WRAP_HEAD, s.length - WRAP_TAIL);
}

async function writeArray(w: ChunkedWriter, items: Iterable<unknown>): Promise<void> {
  let first = true;
  for (const x of items) {
    await w.write(first ? `[\n    ${item(x)}` : `,\n    ${item(x)}`);
    first = false;
  }
  await w.write(first ? '[]' : '\n  ]');
}

/**
 * Writes `{"endpoints":[…],"connections":[…]}` (2-space indentation, ranges stripped, a final newline), item by item,
 * waiting for the sink whenever it asks to. `connections` may be any Iterable, e.g. a generator.
 */
export async function writeReachJson(sink: TextSink, endpoints: Iterable<Endpoint>, connections: Iterable<Connection>, chunkSize?: number): Promise<void> {
  const w = new ChunkedWriter(sink, chunkSize);
  await w.write('{\n  "endpoints": ');
  await writeArray(w, endpoints);
  await w.write(',\n  "connections": ');
  await writeArray(w, connections);
  await w.write('\n}\n');
  await w.flush();
}
