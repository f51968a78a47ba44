// monaco-yaml's worker (yaml-language-server: schema validation, completion, hover), bundled as its own file.
import 'monaco-yaml/yaml.worker.js';
