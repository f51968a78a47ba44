// Policy Lens language server entry point (bundled to dist/server/server.js). The transport (node IPC,
// stdio, socket) is picked from the command line by vscode-languageserver (--node-ipc / --stdio).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './lsp/start';
import { registerReachability } from './reachability';
import { registerSuggest } from './lsp/suggest';
import { registerTools } from './lsp/tools';

const connection = createConnection(ProposedFeatures.all);
const handle = startServer(connection, {
  onReady(index, onChanged, init, folders) {
    const reach = registerReachability(connection, index.project, {
      debounceMs: typeof init.reachabilityDebounceMs === 'number' ? init.reachabilityDebounceMs : undefined,
      defaultNamespace: init.defaultNamespace,
      fromScratch: init.reachabilityFromScratch === true,
    });
    onChanged(() => reach.filesChanged());
    // One analysis for the panel, explanations, suggestions and the language-model tools.
    registerTools(connection, index, folders, init.defaultNamespace, () => handle.indexed, () => reach.state());
    registerSuggest(connection, index, { defaultNamespace: init.defaultNamespace, analysis: (staged) => reach.state(staged) });
  },
});
connection.listen();
