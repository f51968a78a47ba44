// AI assistant integration: the engine tools as VS Code language-model tools (contributes.languageModelTools +
// vscode.lm.registerTool) answered by the language server's `policyLens/tool` request (its state includes unsaved
// buffers), and the `policy-lens mcp` server offered to VS Code's MCP support (contributes.mcpServerDefinitionProviders
// + vscode.lm.registerMcpServerDefinitionProvider), run with the extension host's own Node from the bundled CLI.
import * as vscode from 'vscode';
import type { ToolParams, ToolResponse } from '../../server/src/protocol';

export const TOOL_NAMES: ToolParams['tool'][] = ['reach', 'explain', 'what_if', 'check', 'blast_radius'];

/** Short progress messages shown while a tool runs. */
function invocationMessage(tool: ToolParams['tool'], input: Record<string, unknown>): string {
  switch (tool) {
    case 'explain':
      return `Explaining ${String(input.src)} → ${String(input.dst)}`;
    case 'what_if':
      return 'Computing the reachability with the proposed YAML';
    case 'check':
      return 'Checking the network policy manifests';
    case 'blast_radius':
      return `Computing the blast radius of ${String(input.workload)}`;
    default:
      return 'Computing the reachability matrix';
  }
}

/** The MCP server definitions offered to VS Code, one per file-system workspace folder. */
export function mcpServerDefinitions(context: vscode.ExtensionContext): vscode.McpStdioServerDefinition[] {
  const cli = context.asAbsolutePath('bin/policy-lens.js');
  const version = String((context.extension.packageJSON as { version?: string }).version ?? '0.0.0');
  return (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === 'file')
    .map((f) => {
      // The extension host's executable runs as plain Node with ELECTRON_RUN_AS_NODE (desktop VS Code is Electron;
      // code-server's extension host is Node already and ignores it).
      const def = new vscode.McpStdioServerDefinition(`Policy Lens (${f.name})`, process.execPath, [cli, 'mcp', f.uri.fsPath], { ELECTRON_RUN_AS_NODE: '1' }, version);
      def.cwd = f.uri;
      return def;
    });
}

export function registerAiIntegration(
  context: vscode.ExtensionContext,
  request: (params: ToolParams) => Promise<ToolResponse>,
  output: vscode.OutputChannel,
): void {
  // Feature detection keeps activation working on hosts whose `lm` namespace lacks these (e.g. AI features removed).
  const lm = (vscode as { lm?: typeof vscode.lm }).lm;
  if (lm && typeof lm.registerTool === 'function') {
    for (const tool of TOOL_NAMES) {
      context.subscriptions.push(
        lm.registerTool<Record<string, unknown>>(`policy-lens_${tool}`, {
          prepareInvocation(options) {
            return { invocationMessage: invocationMessage(tool, options.input ?? {}) };
          },
          async invoke(options) {
            const r = await request({ tool, input: options.input ?? {} });
            // A tool error is an answer for the model (e.g. an unknown workload with suggestions), not an exception.
            const text = r.ok ? JSON.stringify(r.result, null, 2) : `Error: ${r.error}`;
            return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
          },
        }),
      );
    }
  } else output.appendLine('Policy Lens: this editor has no vscode.lm.registerTool; language-model tools are not available.');

  if (lm && typeof lm.registerMcpServerDefinitionProvider === 'function' && typeof vscode.McpStdioServerDefinition === 'function') {
    const changed = new vscode.EventEmitter<void>();
    context.subscriptions.push(
      changed,
      vscode.workspace.onDidChangeWorkspaceFolders(() => changed.fire()),
      lm.registerMcpServerDefinitionProvider('policyLens.mcp', {
        onDidChangeMcpServerDefinitions: changed.event,
        provideMcpServerDefinitions: () => mcpServerDefinitions(context),
      }),
    );
  } else output.appendLine('Policy Lens: this editor has no vscode.lm.registerMcpServerDefinitionProvider; the MCP server is not offered.');
}
