// Request cancellation ($/cancelRequest) for the language server's handlers.
//
// A request handler checks its CancellationToken before it starts and at checkpoints while it works, and answers a
// cancelled request with the LSP RequestCancelled error. Checkpoints that yield to the event loop let the
// $/cancelRequest notification (and other requests) be read while long work runs.
//
// Usage (any request, e.g. policyLens/reachability):
//
//   connection.onRequest(REACHABILITY_REQUEST, (params, token) =>
//     cancellable(token, async (cp) => {
//       const files = ...;
//       for (const f of files) {
//         await cp.tick();          // every ~15 ms: yield to the event loop, then throw if cancelled
//         work(f);
//       }
//       cp.check();                 // no yield, just throw if cancelled
//       return response;
//     }));
//
// `cancellable` resolves to the handler's value, or to a ResponseError(RequestCancelled) when the token was cancelled
// before, during, or right after the work (a late answer to a cancelled request is never sent).
import { LSPErrorCodes, ResponseError, type CancellationToken, type ConnectionStrategy, type Message, type ResponseMessage } from 'vscode-languageserver';

/** Thrown by Checkpoint.check/tick; `cancellable` turns it into the RequestCancelled response. */
export class Cancelled extends Error {
  constructor() {
    super('Request cancelled');
  }
}

/** The LSP answer to a cancelled request (code -32800, RequestCancelled). */
export function cancelledError(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'Request cancelled');
}

/** Resolves on a later turn of the event loop, after pending I/O (incoming messages) has been handled. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class Checkpoint {
  private last = Date.now();
  constructor(
    readonly token: CancellationToken | undefined,
    /** Time between yields of tick(). */
    readonly sliceMs = 15,
  ) {}

  get cancelled(): boolean {
    return !!this.token?.isCancellationRequested;
  }

  /** Throws Cancelled when the request was cancelled. */
  check(): void {
    if (this.cancelled) throw new Cancelled();
  }

  /** Every `sliceMs`: yields to the event loop; always checks for cancellation. */
  async tick(): Promise<void> {
    if (Date.now() - this.last >= this.sliceMs) {
      await yieldToEventLoop();
      this.last = Date.now();
    }
    this.check();
  }
}

/** Runs a request handler body with cancellation (see the module comment). */
export async function cancellable<T>(token: CancellationToken | undefined, work: (cp: Checkpoint) => T | Promise<T>): Promise<T | ResponseError<void>> {
  const cp = new Checkpoint(token);
  if (cp.cancelled) return cancelledError();
  try {
    const value = await work(cp);
    return cp.cancelled ? cancelledError() : value;
  } catch (e) {
    if (e instanceof Cancelled) return cancelledError();
    throw e;
  }
}

/**
 * Connection strategy answering requests that are cancelled while still queued, without running their handler
 * (pass as the options argument of createConnection).
 */
export const cancelUndispatched: ConnectionStrategy = {
  cancelUndispatched: (message: Message): ResponseMessage => ({
    jsonrpc: message.jsonrpc,
    id: (message as { id?: number | string | null }).id ?? null,
    error: { code: LSPErrorCodes.RequestCancelled, message: 'Request cancelled' },
  }),
};
