// VS Code glue of the reachability webview: postMessage to/from the extension and webview state persistence.
// All rendering lives in render.ts (DOM only).
import './panel.css';
import { DEFAULT_VIEW_STATE, type FromWebview, type ToWebview, type ViewState } from './messages';
import { pairKey, renderPanel, type PanelModel } from './render';
import { setGraphWorkerFactory, workerFromUrl } from './graph-layout';

interface VsCodeApi {
  postMessage(msg: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;
// The graph's layout worker (dist/webview/graph-worker.js), named by the extension in the page.
if (root.dataset.graphWorker) setGraphWorkerFactory(workerFromUrl(root.dataset.graphWorker));

function restoredState(): ViewState {
  const saved = vscode.getState() as { view?: Partial<ViewState> } | undefined;
  return { ...DEFAULT_VIEW_STATE, ...(saved?.view ?? {}) };
}

const model: PanelModel = { state: restoredState(), explanations: new Map() };

function persist() {
  vscode.setState({ view: model.state });
}

function render() {
  renderPanel(root, model, {
    setState(next) {
      const compareChanged = next.compare !== model.state.compare;
      model.state = next;
      persist();
      vscode.postMessage({ type: 'state', state: next });
      if (compareChanged) {
        model.error = undefined;
        model.explanations.clear();
        model.refreshing = true;
      }
      render();
      if (compareChanged && next.selected) vscode.postMessage({ type: 'explain', src: next.selected.src, dst: next.selected.dst });
    },
    explain(src, dst) {
      vscode.postMessage({ type: 'explain', src, dst });
    },
    open(range) {
      vscode.postMessage({ type: 'open', range });
    },
    export(format, action, text) {
      vscode.postMessage({ type: 'export', format, action, text });
    },
  });
}

window.addEventListener('message', (ev: MessageEvent<ToWebview>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'update': {
      const versionChanged = model.response?.version !== msg.response.version || model.response?.compare !== msg.response.compare;
      model.response = msg.response;
      model.error = undefined;
      model.refreshing = false;
      model.progress = undefined;
      if (model.latestVersion === undefined || msg.response.version > model.latestVersion) model.latestVersion = msg.response.version;
      if (versionChanged) model.explanations.clear();
      render();
      // Keep the explanation of the selected pair current.
      const sel = model.state.selected;
      if (sel && versionChanged) vscode.postMessage({ type: 'explain', src: sel.src, dst: sel.dst });
      break;
    }
    case 'version':
      if (model.latestVersion === undefined || msg.version > model.latestVersion) {
        model.latestVersion = msg.version;
        render();
      }
      break;
    case 'progress':
      model.progress = { version: msg.version, done: msg.done, total: msg.total };
      if (!model.response || msg.version > model.response.version) render();
      break;
    case 'refreshing':
      if (!model.refreshing) {
        model.refreshing = true;
        render();
      }
      break;
    case 'explanation':
      model.explanations.set(pairKey(msg.src, msg.dst), msg.explanation);
      render();
      break;
    case 'error':
      // Keep showing the last good response, marked out of date.
      model.error = msg.message;
      model.refreshing = false;
      render();
      break;
    case 'focus':
      model.state = { ...model.state, view: 'blast', focus: msg.workload, selected: undefined };
      persist();
      render();
      break;
    case 'flows':
      model.flows = msg.flows;
      model.flowsError = msg.error;
      render();
      break;
    case 'compare':
      model.state = { ...model.state, compare: msg.compare };
      persist();
      render();
      break;
  }
});

persist();
render();
vscode.postMessage({ type: 'ready', state: model.state });
if (model.state.selected) vscode.postMessage({ type: 'explain', src: model.state.selected.src, dst: model.state.selected.dst });
