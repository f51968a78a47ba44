// `policy-lens mcp [PATH]`: a Model Context Protocol server over stdio (official TypeScript SDK) exposing the engine
// tools of tools/engine-tools.ts. The workspace is PATH (default: the current directory) or the `path` argument of a
// call. Files are read afresh on every call, so answers follow edits on disk.
import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { InputFile } from '../core/index';
import { blastRadiusTool, checkTool, explainTool, reachTool, ToolError, whatIfTool, type ToolWorkspace } from '../tools/engine-tools';
import { TOOLS, type ToolName } from '../tools/schemas';
import { analyzeOptionsOf, packageVersion, parse, UsageError, type CliIO } from './common';
import type { AnalyzeOptions } from '../core/index';
import { collectFiles } from './main';

export const MCP_USAGE = `Usage:
  policy-lens mcp [PATH] [--default-namespace NS]

  Runs a Model Context Protocol server on stdin/stdout for AI assistants. Tools: reach, explain, what_if, check,
  blast_radius (JSON schemas for inputs and structured outputs). PATH (default: the current directory) is the
  workspace; every tool also takes a "path" argument (a folder or file, relative to PATH or absolute).

  Example client configuration (.vscode/mcp.json):
    { "servers": { "policy-lens": { "type": "stdio", "command": "npx", "args": ["policy-lens", "mcp", "\${workspaceFolder}"] } } }
`;

/** A workspace on disk: every manifest under `root` (a folder or one file), read with collectFiles. */
export function diskWorkspace(root: string, defaultNamespace?: string, analyzeOptions?: AnalyzeOptions): ToolWorkspace {
  const abs = resolve(root);
  let base = abs;
  try {
    if (statSync(abs).isFile()) base = dirname(abs);
  } catch {
    throw new ToolError(`${root}: no such file or directory`);
  }
  const show = (p: string) => {
    const r = relative(base, p);
    return (r && !r.startsWith('..') && !isAbsolute(r) ? r : p).split(sep).join('/');
  };
  return {
    files(): InputFile[] {
      const { files, errors } = collectFiles([abs]);
      if (errors.length) throw new ToolError(errors.join('; '));
      return files.map((f) => ({ path: resolve(f.path), text: f.text }));
    },
    display: show,
    keyOf: (file) => resolve(base, file),
    defaultNamespace,
    analyzeOptions,
  };
}

type Handler = (ws: ToolWorkspace, args: Record<string, unknown>) => unknown;

const HANDLERS: Record<ToolName, Handler> = {
  reach: (ws, a) => reachTool(ws, a),
  explain: (ws, a) => explainTool(ws, a as { src: string; dst: string }),
  what_if: (ws, a) => whatIfTool(ws, a),
  check: (ws, a) => checkTool(ws, a),
  blast_radius: (ws, a) => blastRadiusTool(ws, a as { workload: string }),
};

/** Builds the MCP server (not yet connected): tests connect it to in-memory transports, `mcp` to stdio. */
export function createMcpServer(root: string, defaultNamespace?: string, analyzeOptions?: AnalyzeOptions): McpServer {
  const server = new McpServer({ name: 'policy-lens', version: packageVersion() }, { instructions: 'Policy Lens answers questions about Kubernetes NetworkPolicy and Calico policy manifests from its analysis engine: who can reach whom (reach), why (explain), what a proposed change would do (what_if), problems in the YAML (check) and the blast radius of a workload. Endpoint ids are namespace/name.' });
  for (const name of Object.keys(TOOLS) as ToolName[]) {
    const t = TOOLS[name];
    server.registerTool(
      name,
      { title: t.title, description: t.description, inputSchema: t.input, outputSchema: t.output, annotations: { readOnlyHint: true, openWorldHint: false } },
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (async (args: Record<string, unknown>) => {
        try {
          const p = typeof args.path === 'string' && args.path ? resolve(root, args.path) : root;
          const out = HANDLERS[name](diskWorkspace(p, defaultNamespace, analyzeOptions), args) as Record<string, unknown>;
          return { content: [{ type: 'text' as const, text: JSON.stringify(out, null, 2) }], structuredContent: out };
        } catch (e) {
          if (!(e instanceof ToolError)) throw e;
          return { content: [{ type: 'text' as const, text: e.message }], isError: true };
        }
      }) as never,
    );
  }
  return server;
}

export async function mcp(args: string[], io: CliIO): Promise<number> {
  let values;
  let positionals: string[];
  let analyzeOpts;
  try {
    ({ values, positionals } = parse(args, { 'default-namespace': { type: 'string' } }));
    analyzeOpts = analyzeOptionsOf(values);
    if (values.help) {
      io.out(MCP_USAGE);
      return 0;
    }
    if (positionals.length > 1) throw new UsageError('give at most one PATH (the workspace)');
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`policy-lens mcp: ${e.message}\n${MCP_USAGE}`);
    return 2;
  }
  const root = resolve(positionals[0] ?? '.');
  try {
    statSync(root);
  } catch {
    io.err(`policy-lens mcp: ${root}: no such file or directory\n`);
    return 2;
  }
  const server = createMcpServer(root, values['default-namespace'] as string | undefined, analyzeOpts);
  const transport = new StdioServerTransport();
  await server.connect(transport);
  // Serve until the client closes stdin.
  await new Promise<void>((done) => {
    server.server.onclose = () => done();
    process.stdin.on('end', () => done());
    process.stdin.on('close', () => done());
  });
  await server.close().catch(() => undefined);
  return 0;
}
