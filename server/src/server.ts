// Policy Lens language server entry point (bundled to dist/server/server.js). The transport (node IPC,
// stdio, socket) is picked from the command line by vscode-languageserver (--node-ipc / --stdio).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './lsp/start';
import { cancelUndispatched } from './lsp/cancel';
import { registerReachability } from './reachability';

// Requests cancelled while still queued are answered with RequestCancelled without running their handler.
const connection = createConnection(ProposedFeatures.all, cancelUndispatched);
startServer(connection, {
  onReady(index, onChanged, init) {
    const reach = registerReachability(connection, () => index.getFiles(), {
      debounceMs: typeof init.reachabilityDebounceMs === 'number' ? init.reachabilityDebounceMs : undefined,
      defaultNamespace: init.defaultNamespace,
    });
    onChanged(() => reach.filesChanged());
  },
});
connection.listen();
