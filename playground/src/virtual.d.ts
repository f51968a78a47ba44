// Modules provided by the playground's esbuild build (scripts/playground.mjs).
declare module 'virtual:schemas' {
  /** Every schemas/*.schema.json, keyed by file name. */
  const schemas: Record<string, { $id?: string; properties?: { kind?: { enum?: unknown[] }; apiVersion?: { enum?: unknown[] } } } & Record<string, unknown>>;
  export default schemas;
}

declare module '*.yaml' {
  const text: string;
  export default text;
}

declare module 'monaco-editor/esm/vs/editor/edcore.main.js' {
  export * from 'monaco-editor';
}

declare module 'monaco-editor/esm/vs/editor/editor.worker.js';
declare module 'monaco-yaml/yaml.worker.js';
