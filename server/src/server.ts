// Policy Lens language server entry point (bundled to dist/server/server.js). The transport (node IPC,
// stdio, socket) is picked from the command line by vscode-languageserver (--node-ipc / --stdio).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './lsp/start';
import { registerReachability } from './reachability';

const connection = createConnection(ProposedFeatures.all);
startServer(connection, {
  onReady(index, onChanged, init) {
    const reach = registerReachability(connection, index.project, {
      debounceMs: typeof init.reachabilityDebounceMs === 'number' ? init.reachabilityDebounceMs : undefined,
      defaultNamespace: init.defaultNamespace,
      fromScratch: init.reachabilityFromScratch === true,
    });
    onChanged(() => reach.filesChanged());
  },
});
connection.listen();
