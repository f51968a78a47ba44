// Policy Lens language server entry point (bundled to dist/server/server.js). The transport (node IPC,
// stdio, socket) is picked from the command line by vscode-languageserver (--node-ipc / --stdio).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './lsp/start';
import { cancelUndispatched } from './lsp/cancel';
import { WORKSPACE_TRUSTED_NOTIFICATION } from './protocol';
import { defaultReadHead, registerReachability, type ReachabilityHandle } from './reachability';
import { registerSuggest } from './lsp/suggest';
import { registerTools } from './lsp/tools';
import { headReaderFor, trustedFromInit } from './trust';
import { registerFlows } from './flows';

// Requests cancelled while still queued are answered with RequestCancelled without running their handler.
const connection = createConnection(ProposedFeatures.all, cancelUndispatched);
const handle = startServer(connection, {
  onReady(index, onChanged, init, folders) {
    // Workspace Trust: the HEAD baseline reader is chosen here (trust.ts); untrusted = no git is ever spawned.
    // Trust is read at every HEAD read, so granting it (policyLens/workspaceTrusted) takes effect on the next request.
    let trusted = trustedFromInit(init);
    const reach: ReachabilityHandle = registerReachability(connection, index.project, {
      debounceMs: typeof init.reachabilityDebounceMs === 'number' ? init.reachabilityDebounceMs : undefined,
      defaultNamespace: init.defaultNamespace,
      fromScratch: init.reachabilityFromScratch === true,
      readHead: (path) => (headReaderFor(trusted) ?? defaultReadHead)(path),
    });
    connection.onNotification(WORKSPACE_TRUSTED_NOTIFICATION, () => {
      if (trusted) return;
      trusted = true;
      reach.filesChanged(true);
    });
    onChanged(() => reach.filesChanged());
    // One analysis for the panel, explanations, suggestions and the language-model tools.
    registerTools(connection, index, folders, init.defaultNamespace, () => handle.indexed, () => reach.state());
    registerSuggest(connection, index, { defaultNamespace: init.defaultNamespace, analysis: (staged) => reach.state(staged) });
    registerFlows(connection, () => index.getFiles(), { defaultNamespace: init.defaultNamespace, state: (staged) => reach.state(staged), readHead: (path) => (headReaderFor(trusted) ?? defaultReadHead)(path) });
  },
});
connection.listen();
