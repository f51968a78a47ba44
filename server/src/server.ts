// Policy Lens language server entry point (bundled to dist/server/server.js). The transport (node IPC,
// stdio, socket) is picked from the command line by vscode-languageserver (--node-ipc / --stdio).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './lsp/start';
import { WORKSPACE_TRUSTED_NOTIFICATION } from './protocol';
import { registerReachability, type ReachabilityHandle } from './reachability';
import { headReaderFor, trustedFromInit } from './trust';

const connection = createConnection(ProposedFeatures.all);
startServer(connection, {
  onReady(index, onChanged, init) {
    // Workspace Trust: the HEAD baseline reader is chosen here (trust.ts); untrusted = no git is ever spawned.
    let trusted = trustedFromInit(init);
    const register = (): ReachabilityHandle =>
      registerReachability(connection, () => index.getFiles(), {
        debounceMs: typeof init.reachabilityDebounceMs === 'number' ? init.reachabilityDebounceMs : undefined,
        defaultNamespace: init.defaultNamespace,
        readHead: headReaderFor(trusted),
      });
    let reach = register();
    connection.onNotification(WORKSPACE_TRUSTED_NOTIFICATION, () => {
      if (trusted) return;
      trusted = true;
      // Re-register with the git reader; the next request computes the HEAD baseline.
      reach.dispose();
      reach = register();
      reach.filesChanged();
    });
    onChanged(() => reach.filesChanged());
  },
});
connection.listen();
