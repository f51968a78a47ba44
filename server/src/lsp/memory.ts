// Gives memory back to the operating system after a large document left the server (closed and not on disk).
// V8 only shrinks its heap after a full garbage collection, which an idle server may not run for a long time, so the
// server asks for one explicitly. `gc` is exposed at run time (node's --expose-gc, set through v8.setFlagsFromString
// and taken from a fresh context) because the client starts the server without node flags.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFn: (() => void) | undefined | null;

function getGc(): (() => void) | undefined {
  if (gcFn !== undefined) return gcFn ?? undefined;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return (gcFn = g);
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    gcFn = typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    gcFn = null;
  }
  return gcFn ?? undefined;
}

/** Runs a full garbage collection when possible; returns false when the runtime does not allow it. */
export function collectGarbage(): boolean {
  const gc = getGc();
  if (!gc) return false;
  gc();
  return true;
}
