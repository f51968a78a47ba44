// Server side of the `policyLens/tool` request: the engine tools (server/src/tools/engine-tools.ts) answering from
// the server's workspace index (every manifest of the workspace folders, open buffers taking precedence), so the
// VS Code language-model tools see unsaved edits. Paths in answers are relative to the workspace folder.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import { blastRadiusTool, checkTool, explainTool, reachTool, ToolError, whatIfTool, type ToolWorkspace } from '../tools/engine-tools';
import { TOOL_REQUEST, type ToolParams, type ToolResponse } from '../protocol';
import { uriToPath, type WorkspaceIndex } from './workspace';

export function indexWorkspace(index: WorkspaceIndex, folders: string[], defaultNamespace?: string, current?: ToolWorkspace['current']): ToolWorkspace {
  const root = folders[0];
  return {
    files: () => current?.().files ?? index.getFiles(),
    current,
    lintProject: () => index.project,
    display(key: string): string {
      const p = uriToPath(key);
      if (!p) return key;
      for (const f of folders) {
        const r = relative(f, p);
        if (r && !r.startsWith('..') && !isAbsolute(r)) return (folders.length > 1 ? `${f.split(sep).pop()}/${r}` : r).split(sep).join('/');
      }
      return p;
    },
    keyOf(file: string): string {
      if (/^[a-z][a-z0-9+.-]*:/i.test(file)) return file;
      return pathToFileURL(isAbsolute(file) || !root ? file : resolve(root, file)).href;
    },
    defaultNamespace,
    get analyzeOptions() {
      return index.project.analyzeOptions;
    },
  };
}

export function runTool(ws: ToolWorkspace, p: ToolParams): ToolResponse {
  const input = (p?.input ?? {}) as never;
  try {
    switch (p?.tool) {
      case 'reach':
        return { ok: true, result: reachTool(ws, input) };
      case 'explain':
        return { ok: true, result: explainTool(ws, input) };
      case 'what_if':
        return { ok: true, result: whatIfTool(ws, input) };
      case 'check':
        return { ok: true, result: checkTool(ws, input) };
      case 'blast_radius':
        return { ok: true, result: blastRadiusTool(ws, input) };
      default:
        return { ok: false, error: `unknown tool "${String(p?.tool)}"` };
    }
  } catch (e) {
    if (e instanceof ToolError) return { ok: false, error: e.message };
    throw e;
  }
}

/** Registers `policyLens/tool`; answers wait until the initial workspace indexing finished (`indexed()`). */
export function registerTools(connection: Connection, index: WorkspaceIndex, folders: string[], defaultNamespace: string | undefined, indexed: () => Promise<void>, current?: ToolWorkspace['current']): void {
  const ws = indexWorkspace(index, folders, defaultNamespace, current);
  connection.onRequest(TOOL_REQUEST, async (p: ToolParams) => {
    await indexed();
    return runTool(ws, p);
  });
}
