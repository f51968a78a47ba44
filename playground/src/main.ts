// Policy Lens browser playground: Monaco + monaco-yaml on the left, the reachability panel (the same renderer as
// the VS Code webview) on the right. Diagnostics, hovers, reachability and explanations come from the Policy Lens
// web worker (worker.ts), which runs the pure analysis core in the browser.
import * as monaco from 'monaco-editor/esm/vs/editor/edcore.main.js';
import 'monaco-editor/esm/vs/basic-languages/yaml/yaml.contribution.js';
import { configureMonacoYaml, type SchemasSettings } from 'monaco-yaml';
import schemas from 'virtual:schemas';
import exampleText from '../examples/shop.yaml';
import '../../client/webview/panel.css';
import '../playground.css';
import { DEFAULT_VIEW_STATE, type ExportFormat, type ViewState } from '../../client/webview/messages';
import { setGraphWorkerFactory } from '../../client/webview/graph-layout';
import { pairKey, renderPanel, type PanelModel } from '../../client/webview/render';
import type { SourceRange } from '../../server/src/core/model';
import type { ReachabilityResponse } from '../../server/src/protocol';
import { PLAYGROUND_FILE, type PlaygroundDiagnostic, type Pos, type WorkerRequest, type WorkerResponse } from './protocol';
import { decodeScenario, encodeScenario } from './share';

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

// ---------------------------------------------------------------- Monaco workers and monaco-yaml

function workerFor(label: string): Worker {
  const file = label === 'yaml' ? 'yaml.worker.js' : 'editor.worker.js';
  return new Worker(new URL(file, import.meta.url), { name: label });
}

// The reachability graph's layout worker (ELK), built next to this page.
setGraphWorkerFactory(() => new Worker(new URL('graph.worker.js', import.meta.url), { name: 'graph-layout' }));

(globalThis as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker: (_moduleId: string, label: string) => workerFor(label),
};

// monaco-yaml (through monaco-worker-manager) still creates its worker with the older
// `createWebWorker({ moduleId, label, createData })` form. Monaco's full `editor.main` entry adapts that form; this
// page bundles the smaller `edcore.main`, so the adapter is here: start the labelled worker, hand it its create
// data (the first message initialises the worker, the second carries the data), then wrap it.
type LegacyWorkerOptions = { moduleId?: string; label?: string; createData?: unknown; host?: unknown; keepIdleModels?: boolean; worker?: unknown };
const coreCreateWebWorker = monaco.editor.createWebWorker as unknown as (opts: LegacyWorkerOptions) => unknown;
(monaco.editor as unknown as { createWebWorker: (opts: LegacyWorkerOptions) => unknown }).createWebWorker = (opts) => {
  if (opts.worker !== undefined) return coreCreateWebWorker(opts);
  const label = opts.label ?? 'monaco-editor-worker';
  const worker = workerFor(label);
  worker.postMessage('ignore');
  worker.postMessage(opts.createData);
  return coreCreateWebWorker({ worker, host: opts.host, keepIdleModels: opts.keepIdleModels });
};

const SCHEMA_BASE = 'https://policy-lens.invalid/schemas/';
const schemaSettings: SchemasSettings[] = [];
const dispatch: object[] = [];
for (const [file, schema] of Object.entries(schemas)) {
  const uri = schema.$id ?? SCHEMA_BASE + file;
  schemaSettings.push({ uri, fileMatch: [], schema: schema as SchemasSettings['schema'] });
  const kinds = schema.properties?.kind?.enum ?? [];
  const apiVersions = schema.properties?.apiVersion?.enum ?? [];
  if (kinds.length === 0) continue;
  // Each YAML document gets the schema of its kind + apiVersion (for completion), as the language server picks them.
  dispatch.push({
    if: { required: ['kind', 'apiVersion'], properties: { kind: { enum: kinds }, apiVersion: { enum: apiVersions } } },
    then: { $ref: uri },
  });
}
schemaSettings.push({ uri: SCHEMA_BASE + 'manifests.json', fileMatch: ['*'], schema: { allOf: dispatch } as SchemasSettings['schema'] });

// monaco-yaml supplies schema-driven editing: key/enum completion, formatting, outline, folding. Validation and
// hover come from Policy Lens instead (the worker), exactly as in VS Code: its diagnostics already cover the
// schema problems (unknown fields with a rename fix, invalid values) with clearer messages, and its hover shows the
// same schema documentation next to the semantic explanation. Showing both would list each problem twice.
configureMonacoYaml(monaco, {
  enableSchemaRequest: false,
  isKubernetes: true,
  validate: false,
  completion: true,
  hover: false,
  format: { enable: true },
  schemas: schemaSettings,
});

// ---------------------------------------------------------------- Policy Lens worker (request/response by id)

const policyWorker = new Worker(new URL('policy.worker.js', import.meta.url), { name: 'policy-lens' });
let nextId = 1;
const pending = new Map<number, (r: WorkerResponse) => void>();
policyWorker.onmessage = (ev: MessageEvent<WorkerResponse>) => {
  const done = pending.get(ev.data.id);
  pending.delete(ev.data.id);
  done?.(ev.data);
};
policyWorker.onerror = (ev) => {
  const message = `The Policy Lens worker failed: ${ev.message || 'unknown error'}`;
  showBanner(message, 'error');
  // Nothing more will come for the requests in flight: answer them, so the page does not wait forever.
  for (const [id, done] of pending) done({ id, type: 'failed', message });
  pending.clear();
};

function ask(req: DistributiveOmit<WorkerRequest, 'id'>): Promise<WorkerResponse> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    policyWorker.postMessage({ ...req, id } as WorkerRequest);
  });
}

// ---------------------------------------------------------------- page elements

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const editorHost = $('editor');
const panelRoot = $('panel');
const problemsList = $<HTMLUListElement>('problems-list');
const problemsCount = $('problems-count');
const statusEl = $('status');
const banner = $('banner');
const compareBox = $<HTMLInputElement>('compare');

let bannerTimer: ReturnType<typeof setTimeout> | undefined;
/** Shows a message above the editor; notes disappear after a while, errors stay until clicked. */
function showBanner(text: string, kind: 'error' | 'info' = 'info') {
  banner.textContent = text;
  banner.className = `banner ${kind}`;
  banner.title = 'Click to dismiss';
  banner.hidden = false;
  if (bannerTimer) clearTimeout(bannerTimer);
  bannerTimer = kind === 'info' ? setTimeout(() => (banner.hidden = true), 8000) : undefined;
}
banner.addEventListener('click', () => (banner.hidden = true));

// ---------------------------------------------------------------- editor

// Follow the system's light/dark preference (the panel's colours follow it in playground.css).
const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');
const themeName = () => (darkQuery.matches ? 'vs-dark' : 'vs');
darkQuery.addEventListener('change', () => monaco.editor.setTheme(themeName()));

const model = monaco.editor.createModel('', 'yaml', monaco.Uri.parse(`file:///${PLAYGROUND_FILE}`));
const editor = monaco.editor.create(editorHost, {
  model,
  theme: themeName(),
  automaticLayout: true,
  minimap: { enabled: false },
  fontSize: 13,
  tabSize: 2,
  insertSpaces: true,
  scrollBeyondLastLine: false,
  quickSuggestions: { other: true, comments: false, strings: true },
  hover: { delay: 250 },
  // Suggestions come from the schemas (monaco-yaml) and the workspace (Policy Lens), not from words in the text.
  wordBasedSuggestions: 'off',
  'semanticHighlighting.enabled': false,
  ariaLabel: 'Policy YAML',
});

const SEVERITY: Record<PlaygroundDiagnostic['severity'], monaco.MarkerSeverity> = {
  error: monaco.MarkerSeverity.Error,
  warning: monaco.MarkerSeverity.Warning,
  info: monaco.MarkerSeverity.Info,
  hint: monaco.MarkerSeverity.Hint,
};

const ruleDocUrl = (code: string) => new URL(`docs/rules/${encodeURIComponent(code)}.md`, document.baseURI).href;

function setMarkers(diags: PlaygroundDiagnostic[]) {
  monaco.editor.setModelMarkers(
    model,
    'policy-lens',
    diags.map((d) => ({
      severity: SEVERITY[d.severity] ?? monaco.MarkerSeverity.Warning,
      message: d.message,
      source: 'policy-lens',
      code: { value: d.code, target: monaco.Uri.parse(ruleDocUrl(d.code)) },
      startLineNumber: d.start.line + 1,
      startColumn: d.start.character + 1,
      endLineNumber: d.end.line + 1,
      // Zero-width ranges still get a visible squiggle.
      endColumn: d.end.line === d.start.line && d.end.character <= d.start.character ? d.start.character + 2 : d.end.character + 1,
    })),
  );
  renderProblems(diags);
}

function renderProblems(diags: PlaygroundDiagnostic[]) {
  const counts = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const d of diags) counts[d.severity]++;
  problemsCount.textContent = diags.length === 0 ? 'no problems' : `${counts.error} errors, ${counts.warning} warnings, ${counts.info + counts.hint} infos`;
  problemsList.replaceChildren();
  for (const d of diags) {
    const li = document.createElement('li');
    li.className = `problem ${d.severity}`;
    li.dataset.code = d.code;
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.title = 'Show in the editor';
    const sev = document.createElement('span');
    sev.className = 'sev';
    sev.textContent = d.severity;
    const msg = document.createElement('span');
    msg.className = 'msg';
    msg.textContent = d.message;
    const where = document.createElement('span');
    where.className = 'where';
    where.textContent = `${d.code} · line ${d.start.line + 1}`;
    btn.append(sev, msg, where);
    btn.addEventListener('click', () => reveal(d.start, d.end));
    li.append(btn);
    problemsList.append(li);
  }
}

// Opening or closing the Problems list resizes the editor: keep the cursor in view.
$('problems').addEventListener('toggle', () =>
  requestAnimationFrame(() => {
    const pos = editor.getPosition();
    if (pos) editor.revealPositionInCenterIfOutsideViewport(pos);
  }),
);

function reveal(start: Pos, end: Pos) {
  const range = new monaco.Range(start.line + 1, start.character + 1, end.line + 1, end.character + 1);
  editor.setSelection(range);
  editor.revealRangeInCenterIfOutsideViewport(range);
  editor.focus();
}

monaco.languages.registerHoverProvider('yaml', {
  async provideHover(m, position) {
    if (m !== model) return null;
    const r = await ask({ type: 'hover', text: m.getValue(), position: { line: position.lineNumber - 1, character: position.column - 1 } });
    if (r.type !== 'hovered' || !r.markdown) return null;
    return {
      contents: [{ value: r.markdown, isTrusted: false, supportHtml: false }],
      range: r.range ? new monaco.Range(r.range.start.line + 1, r.range.start.character + 1, r.range.end.line + 1, r.range.end.character + 1) : undefined,
    };
  },
});

// Language-server kinds (LSP CompletionItemKind numbers) of the items Policy Lens adds to monaco-yaml's schema
// completion: workspace label keys/values, namespaces, named ports, Calico selector functions and snippets.
// Schema keys (Property) and enum values (EnumMember) are monaco-yaml's, from the same schemas.
const LSP_KIND: Record<number, monaco.languages.CompletionItemKind> = {
  3: monaco.languages.CompletionItemKind.Function,
  5: monaco.languages.CompletionItemKind.Field,
  9: monaco.languages.CompletionItemKind.Module,
  12: monaco.languages.CompletionItemKind.Value,
  15: monaco.languages.CompletionItemKind.Snippet,
};

monaco.languages.registerCompletionItemProvider('yaml', {
  triggerCharacters: [':', ' ', '-'],
  async provideCompletionItems(m, position) {
    if (m !== model) return { suggestions: [] };
    const r = await ask({ type: 'complete', text: m.getValue(), position: { line: position.lineNumber - 1, character: position.column - 1 } });
    if (r.type !== 'completed') return { suggestions: [] };
    // Replace the token being typed (label keys hold '/', '.', '-', which are not word characters).
    const line = m.getLineContent(position.lineNumber);
    let startCol = position.column;
    while (startCol > 1 && !/[\s:{}[\],'"]/.test(line[startCol - 2])) startCol--;
    const range = new monaco.Range(position.lineNumber, startCol, position.lineNumber, position.column);
    const suggestions: monaco.languages.CompletionItem[] = [];
    for (const i of r.items) {
      const kind = LSP_KIND[i.kind];
      if (kind === undefined) continue;
      suggestions.push({
        label: i.label,
        kind,
        detail: i.detail,
        documentation: i.documentation ? { value: i.documentation } : undefined,
        insertText: i.insertText,
        insertTextRules: i.snippet ? monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet : undefined,
        sortText: i.sortText,
        range,
      });
    }
    return { suggestions };
  },
});

monaco.languages.registerCodeActionProvider(
  'yaml',
  {
    async provideCodeActions(m, range, context) {
      const none = { actions: [], dispose() {} };
      if (m !== model) return none;
      const versionId = m.getVersionId();
      const r = await ask({
        type: 'fixes',
        text: m.getValue(),
        start: { line: range.startLineNumber - 1, character: range.startColumn - 1 },
        end: { line: range.endLineNumber - 1, character: range.endColumn - 1 },
      });
      if (r.type !== 'fixed') return none;
      const codeOf = (mk: monaco.editor.IMarkerData) => (typeof mk.code === 'object' ? mk.code.value : mk.code);
      const actions: monaco.languages.CodeAction[] = r.fixes.map((f) => ({
        title: f.title,
        kind: 'quickfix',
        isPreferred: f.preferred,
        diagnostics: context.markers.filter((mk) => codeOf(mk) === f.diagnostic.code && mk.startLineNumber === f.diagnostic.start.line + 1),
        edit: {
          edits: f.edits.map((e) => ({
            resource: m.uri,
            // Monaco refuses the edit if the text changed since the fix was computed.
            versionId,
            textEdit: { range: new monaco.Range(e.start.line + 1, e.start.character + 1, e.end.line + 1, e.end.character + 1), text: e.newText },
          })),
        },
      }));
      return { actions, dispose() {} };
    },
  },
  { providedCodeActionKinds: ['quickfix'] },
);

// ---------------------------------------------------------------- reachability panel

const VIEW_KEY = 'policy-lens-playground-view';
function restoredView(): ViewState {
  try {
    const saved = JSON.parse(localStorage.getItem(VIEW_KEY) ?? 'null') as Partial<ViewState> | null;
    const state = { ...DEFAULT_VIEW_STATE, ...(saved && typeof saved === 'object' ? saved : {}) };
    // The playground's only baseline is the saved one (no git HEAD here).
    return { ...state, compare: state.compare === 'none' ? 'none' : 'saved' };
  } catch {
    return { ...DEFAULT_VIEW_STATE };
  }
}

const panel: PanelModel = { state: restoredView(), explanations: new Map(), hideCompare: true, baselineName: 'the baseline scenario (Save as baseline)' };
/** The "saved" scenario the impact highlighting compares with: the loaded one, or the last one saved as baseline. */
let baseline = '';

function renderReach() {
  renderPanel(panelRoot, panel, {
    setState(next) {
      const compareChanged = next.compare !== panel.state.compare;
      panel.state = next;
      try {
        localStorage.setItem(VIEW_KEY, JSON.stringify(next));
      } catch {
        // Storage may be unavailable (private mode); the view state is then not remembered.
      }
      compareBox.checked = next.compare !== 'none';
      renderReach();
      if (compareChanged) scheduleAnalysis(0);
    },
    explain(src, dst) {
      void explain(src, dst);
    },
    open(range: SourceRange) {
      reveal(range.start, range.end);
    },
    export(format, action, text) {
      void exportText(format, action, text);
    },
  });
}

/** Copies exported text, or downloads it (or a picture of the graph) as a file (the playground has no save dialog). */
async function exportText(format: ExportFormat, action: 'save' | 'copy', text: string) {
  if (format === 'svg' || format === 'png') {
    const a = document.createElement('a');
    a.href = format === 'png' ? `data:image/png;base64,${text}` : URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    a.download = `reachability-graph.${format}`;
    a.click();
    if (format === 'svg') setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    showBanner(`Graph downloaded as ${a.download}.`);
    return;
  }
  const what = format === 'csv' ? 'CSV' : 'markdown';
  if (action === 'copy') {
    try {
      await navigator.clipboard.writeText(text);
      showBanner(`Reachability copied as ${what}.`);
      return;
    } catch {
      // Clipboard refused (permissions): fall back to a download.
    }
  }
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: format === 'csv' ? 'text/csv' : 'text/markdown' }));
  a.download = format === 'csv' ? 'reachability.csv' : 'reachability.md';
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  showBanner(`Reachability downloaded as ${a.download}.`);
}

async function explain(src: string, dst: string) {
  const r = await ask({ type: 'explain', src, dst });
  if (r.type === 'explained') {
    panel.explanations.set(pairKey(src, dst), r.explanation);
    renderReach();
  }
}

// ---------------------------------------------------------------- analysis loop

let timer: ReturnType<typeof setTimeout> | undefined;
let seq = 0;
let applied = 0;
/** One analysis at a time: edits made while the worker is busy are analysed together once it is done. */
let inFlight = false;
let again = false;

function scheduleAnalysis(delay = 200) {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => void analyzeNow(), delay);
}

async function analyzeNow() {
  if (inFlight) {
    again = true;
    return;
  }
  inFlight = true;
  try {
    await analyzeOnce();
  } finally {
    inFlight = false;
  }
  if (again) {
    again = false;
    void analyzeNow();
  }
}

async function analyzeOnce() {
  const mine = ++seq;
  const text = model.getValue();
  const r = await ask({ type: 'analyze', text, baseline: panel.state.compare === 'none' ? undefined : baseline });
  applied = mine;
  clearTimeout(slowTimer);
  panel.refreshing = false;
  if (r.type === 'failed') {
    panel.error = r.message;
    renderReach();
    return;
  }
  if (r.type !== 'analyzed') return;
  setMarkers(r.diagnostics);
  const changed = panel.response?.version !== r.response.version;
  panel.response = r.response as ReachabilityResponse;
  panel.error = undefined;
  if (changed) panel.explanations.clear();
  renderReach();
  statusEl.textContent = `analysed in ${r.ms} ms`;
  document.body.dataset.analyzed = String(mine);
  const sel = panel.state.selected;
  if (sel && changed) void explain(sel.src, sel.dst);
  scheduleShareUpdate();
}

// The matrix says "updating" when the analysis of an edit takes a moment (never an older result unannounced).
let slowTimer: ReturnType<typeof setTimeout> | undefined;
model.onDidChangeContent(() => {
  scheduleAnalysis();
  clearTimeout(slowTimer);
  slowTimer = setTimeout(() => {
    panel.refreshing = true;
    if (panel.response) renderReach();
  }, 500);
});

// ---------------------------------------------------------------- sharing by URL fragment

let shareTimer: ReturnType<typeof setTimeout> | undefined;
let lastFragment = '';

/** Keeps the address bar's fragment in sync with the editor, so the URL always restores the scenario. */
function scheduleShareUpdate() {
  if (shareTimer) clearTimeout(shareTimer);
  shareTimer = setTimeout(() => void updateFragment(), 400);
}

async function updateFragment(): Promise<string> {
  const frag = await encodeScenario(model.getValue());
  lastFragment = frag;
  if (location.hash.slice(1) !== frag) history.replaceState(null, '', `#${frag}`);
  return location.href;
}

$('share').addEventListener('click', async () => {
  const url = await updateFragment();
  try {
    await navigator.clipboard.writeText(url);
    showBanner('Link copied: it restores this scenario (the text lives in the URL fragment, never sent to a server).');
  } catch {
    showBanner(`Share this link (it restores the scenario): ${url}`);
  }
});

$('save-baseline').addEventListener('click', () => {
  baseline = model.getValue();
  showBanner('Saved: the matrix now highlights changes relative to this version.');
  scheduleAnalysis(0);
});

$('reset').addEventListener('click', () => {
  loadScenario(exampleText);
  showBanner('Example scenario loaded.');
});

compareBox.checked = panel.state.compare !== 'none';
compareBox.addEventListener('change', () => {
  panel.state = { ...panel.state, compare: compareBox.checked ? 'saved' : 'none' };
  renderReach();
  scheduleAnalysis(0);
});

function loadScenario(text: string) {
  baseline = text;
  model.setValue(text);
  scheduleAnalysis(0);
}

async function loadFromFragment(): Promise<boolean> {
  try {
    const text = await decodeScenario(location.hash);
    if (text === undefined) return false;
    banner.hidden = true;
    loadScenario(text);
    return true;
  } catch (e) {
    showBanner(`The shared scenario in this link could not be read: ${e instanceof Error ? e.message : String(e)}. Showing the example instead.`, 'error');
    return false;
  }
}

window.addEventListener('hashchange', () => {
  // Our own replaceState does not fire hashchange; this is the user pasting another shared link.
  if (location.hash.slice(1) !== lastFragment) void loadFromFragment();
});

// Read-only hooks for the end-to-end test (test/playground/run.mjs).
(window as unknown as { policyLensPlayground: unknown }).policyLensPlayground = {
  text: () => model.getValue(),
  markers: (owner?: string) => monaco.editor.getModelMarkers({ resource: model.uri, owner }).map((m) => ({ owner: m.owner, code: typeof m.code === 'object' ? m.code.value : m.code, message: m.message, severity: m.severity, line: m.startLineNumber })),
  analyzed: () => applied,
  selectedText: () => model.getValueInRange(editor.getSelection() ?? new monaco.Range(1, 1, 1, 1)),
  selectionStartLine: () => editor.getSelection()?.startLineNumber,
  /** Scrolls a 1-based position into view and returns its page coordinates (for hovering it). */
  pointAt: (line: number, column: number) => {
    editor.revealPositionInCenter({ lineNumber: line, column });
    const p = editor.getScrolledVisiblePosition({ lineNumber: line, column });
    const box = editor.getDomNode()?.getBoundingClientRect();
    return p && box ? { x: box.left + p.left + 2, y: box.top + p.top + p.height / 2 } : undefined;
  },
};

renderReach();
void loadFromFragment().then((ok) => {
  if (!ok) loadScenario(exampleText);
  editor.focus();
});
