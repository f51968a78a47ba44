// Monaco's editor worker (diffing, word ranges, ...), bundled as its own file.
import 'monaco-editor/esm/vs/editor/editor.worker.js';
