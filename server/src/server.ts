// Policy Lens language server entry point (bundled to dist/server/server.js). The transport (node IPC,
// stdio, socket) is picked from the command line by vscode-languageserver (--node-ipc / --stdio).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './lsp/start';
import { cancelUndispatched } from './lsp/cancel';
import { WORKSPACE_TRUSTED_NOTIFICATION } from './protocol';
import { registerReachability, type ReachabilityHandle } from './reachability';
import { registerSuggest } from './lsp/suggest';
import { registerTools } from './lsp/tools';
import { headReaderFor, trustedFromInit } from './trust';

// Requests cancelled while still queued are answered with RequestCancelled without running their handler.
const connection = createConnection(ProposedFeatures.all, cancelUndispatched);
const handle = startServer(connection, {
  onReady(index, onChanged, init, folders) {
    // Workspace Trust: the HEAD baseline reader is chosen here (trust.ts); untrusted = no git is ever spawned.
    let trusted = trustedFromInit(init);
    const register = (): ReachabilityHandle =>
      registerReachability(connection, index.project, {
        debounceMs: typeof init.reachabilityDebounceMs === 'number' ? init.reachabilityDebounceMs : undefined,
        defaultNamespace: init.defaultNamespace,
        fromScratch: init.reachabilityFromScratch === true,
        readHead: headReaderFor(trusted),
      });
    let reach = register();
    connection.onNotification(WORKSPACE_TRUSTED_NOTIFICATION, () => {
      if (trusted) return;
      trusted = true;
      // Re-register with the git reader (trust is granted at most once per session); the next request computes
      // the HEAD baseline. The closures below read `reach` when called, so they follow.
      reach.dispose();
      reach = register();
      reach.filesChanged();
    });
    onChanged(() => reach.filesChanged());
    // One analysis for the panel, explanations, suggestions and the language-model tools.
    registerTools(connection, index, folders, init.defaultNamespace, () => handle.indexed, () => reach.state());
    registerSuggest(connection, index, { defaultNamespace: init.defaultNamespace, analysis: (staged) => reach.state(staged) });
  },
});
connection.listen();
