// Scenario sharing through the URL fragment: `#s=<base64url(deflate-raw(utf8 text))>`, or `#t=<base64url(utf8)>`
// where CompressionStream is unavailable. Everything stays in the fragment, which browsers never send to a server.

const MAX_DECODED = 2 * 1024 * 1024;

export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('the link holds characters that are not base64url');
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new Error('the link is not valid base64url');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function pump(bytes: Uint8Array, transform: GenericTransformStream): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(transform as unknown as TransformStream<Uint8Array, Uint8Array>);
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_DECODED) {
      await reader.cancel();
      throw new Error('the shared scenario is larger than 2 MiB');
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The fragment (without `#`) that restores `text`. */
export async function encodeScenario(text: string): Promise<string> {
  const utf8 = new TextEncoder().encode(text);
  if (typeof CompressionStream === 'function') return `s=${toBase64Url(await pump(utf8, new CompressionStream('deflate-raw')))}`;
  return `t=${toBase64Url(utf8)}`;
}

/**
 * The scenario text held by a fragment (`#s=...` or `#t=...`, with or without `#`); undefined when the fragment
 * holds no scenario. Throws an Error with a readable message when the fragment is damaged.
 */
export async function decodeScenario(fragment: string): Promise<string | undefined> {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const s = params.get('s');
  const t = params.get('t');
  let bytes: Uint8Array;
  if (s !== null) {
    if (typeof DecompressionStream !== 'function') throw new Error('this browser cannot decompress shared links (no DecompressionStream)');
    try {
      bytes = await pump(fromBase64Url(s), new DecompressionStream('deflate-raw'));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(/base64url|2 MiB/.test(msg) ? msg : 'the link is damaged (its data does not decompress); was it cut short?');
    }
  } else if (t !== null) {
    bytes = fromBase64Url(t);
  } else {
    return undefined;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error('the shared scenario is not valid UTF-8 text');
  }
}
