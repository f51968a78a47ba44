// Streams flow files (plain or gzip-compressed, detected by the gzip magic bytes) into a FlowAggregator, chunk by
// chunk: a file of a million records is never held in memory. Node-only (fs, zlib); the parsing itself is the pure
// core (core/flows).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { FlowAggregator } from './core/flows/index';

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
