// Streams flow files (plain or gzip-compressed, detected by the gzip magic bytes) into a FlowAggregator, chunk by
// chunk: a file of a million records is never held in memory. Node-only (fs, zlib); the parsing itself is the pure
// core (core/flows).
import { createReadStream, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { FlowAggregator, type AggregatorState } from './core/flows/index';

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Feeds a byte stream (gzip-compressed or not; `auto` looks at the first bytes) into the aggregator as `name`. */
export async function readFlowStream(stream: Readable, agg: FlowAggregator, name: string, gzip: boolean | 'auto' = 'auto'): Promise<void> {
  const reader = agg.reader(name);
  const decoder = new TextDecoder('utf-8');
  let source: AsyncIterable<Buffer>;
  if (gzip === 'auto') {
    const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head = await it.next();
    if (head.done) {
      reader.end();
      return;
    }
    const all = (async function* () {
      yield head.value;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    })();
    const magic = head.value.length >= 2 && head.value[0] === 0x1f && head.value[1] === 0x8b;
    source = magic ? Readable.from(all).pipe(createGunzip()) : all;
  } else source = gzip ? stream.pipe(createGunzip()) : stream;
  for await (const chunk of source) reader.push(decoder.decode(chunk, { stream: true }));
  reader.push(decoder.decode());
  reader.end();
}

/** Reads one flow file into the aggregator. Throws (with a readable message) when it cannot be read. */
export async function readFlowFile(path: string, agg: FlowAggregator, name = path): Promise<void> {
  const gz = await isGzip(path);
  await readFlowStream(createReadStream(path, { highWaterMark: 1 << 20 }), agg, name, gz);
}

/** The worker script next to this module (dist/flows-worker.js beside dist/cli.js; the compiled module in tests). */
function workerScript(): string | undefined {
  const p = join(__dirname, 'flows-worker.js');
  return existsSync(p) ? p : undefined;
}

/**
 * Reads several flow files, in parallel worker threads when there are several files and cores, into one
 * aggregation (per-file aggregations merged). Falls back to reading one after the other without workers. A file that
 * cannot be read is reported through `onError` and left out.
 */
export async function readFlowFilesParallel(files: string[], onError: (file: string, e: NodeJS.ErrnoException) => void): Promise<FlowAggregator> {
  const script = workerScript();
  const parallel = Math.min(files.length, availableParallelism());
  if (!script || parallel < 2) {
    const agg = new FlowAggregator();
    for (const f of files) {
      try {
        await readFlowFile(f, agg);
      } catch (e) {
        onError(f, e as NodeJS.ErrnoException);
      }
    }
    return agg;
  }
  const parts: (FlowAggregator | undefined)[] = new Array(files.length);
  let next = 0;
  const runOne = (i: number) =>
    new Promise<void>((resolve) => {
      const w = new Worker(script, { workerData: { file: files[i] } });
      w.once('message', (m: { ok: true; state: AggregatorState } | { ok: false; error: string; code?: string }) => {
        if (m.ok) parts[i] = FlowAggregator.fromState(m.state);
        else onError(files[i], Object.assign(new Error(m.error), { code: m.code }));
        void w.terminate();
        resolve();
      });
      w.once('error', (e) => {
        onError(files[i], e as NodeJS.ErrnoException);
        resolve();
      });
    });
  const lane = async () => {
    while (next < files.length) await runOne(next++);
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return FlowAggregator.merge(parts.filter((p): p is FlowAggregator => !!p));
}
