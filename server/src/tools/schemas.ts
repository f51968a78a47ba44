// Input and output schemas of the engine tools, defined once (zod) and used by the MCP server (cli/mcp.ts) and —
// converted to JSON Schema — by the VS Code language-model tools (package.json contributes.languageModelTools;
// test/cli/mcp.test.ts checks that package.json matches `lmToolInputSchema`).
import { z } from 'zod';

const path = z.string().describe('Workspace folder or manifest file to analyse (default: the workspace the server was started with). Relative paths are resolved against that workspace.').optional();

const protocols = z.record(z.string(), z.array(z.tuple([z.number(), z.number()]))).describe('Allowed ports per protocol, inclusive ranges: {"TCP":[[80,80],[8000,8080]]}');

const rule = z.object({
  policy: z.string(),
  direction: z.enum(['Ingress', 'Egress']),
  ruleIndex: z.number(),
  protocols: protocols.optional(),
  file: z.string().optional(),
  line: z.number().optional(),
});

const step = z.object({
  kind: z.enum(['rule', 'tier-end', 'default']),
  action: z.enum(['Allow', 'Deny', 'Pass', 'Log']),
  tier: z.string().optional(),
  policy: z.string().optional(),
  ruleIndex: z.number().optional(),
  conns: protocols,
  file: z.string().optional(),
  line: z.number().optional(),
  note: z.string().optional(),
});

const side = z.object({
  isolated: z.boolean().describe('True when some policy selects the endpoint for this direction'),
  selectedBy: z.array(z.string()),
  allowedBy: z.array(rule).describe('The rules that allow (part of) the connection'),
  allowed: protocols,
  steps: z.array(step).describe('The engine trace: every decision (rule, tier end, default) in evaluation order'),
});

export const reachInput = {
  path,
  from: z.string().describe('Only flows whose source id matches this glob ("shop/*", "*/web", "10.0.0.0-*")').optional(),
  to: z.string().describe('Only flows whose destination id matches this glob').optional(),
  namespace: z.string().describe('Only flows with the source or the destination in this namespace').optional(),
  protocol: z.string().describe('Only flows allowing this protocol (TCP, UDP, SCTP, ...)').optional(),
  port: z.number().int().min(0).max(65535).describe('Only flows allowing this port (with `protocol`, on that protocol)').optional(),
  includeExternal: z.boolean().describe('Include flows from/to external address ranges (default true)').optional(),
  limit: z.number().int().min(1).max(5000).describe('Most connections to return (default 200)').optional(),
};

const connection = z.object({ src: z.string(), dst: z.string(), protocols, ports: z.string().describe('The same connections in words') });

export const reachOutput = {
  workloads: z.number(),
  externalRanges: z.number(),
  policies: z.number(),
  totalConnections: z.number().describe('Connections matching the filters'),
  truncated: z.boolean(),
  connections: z.array(connection),
};

export const explainInput = {
  path,
  src: z.string().describe('Source endpoint id: namespace/name of a workload, or an external range id as listed by reach'),
  dst: z.string().describe('Destination endpoint id'),
};

export const explainOutput = {
  src: z.string(),
  dst: z.string(),
  verdict: z.enum(['allowed', 'denied']),
  allowed: protocols,
  ports: z.string(),
  egress: side.optional().describe('Egress side of the source (absent for external sources)'),
  ingress: side.optional().describe('Ingress side of the destination (absent for external destinations)'),
  summary: z.string().describe("The engine's explanation in words"),
};

export const whatIfInput = {
  path,
  changes: z
    .array(
      z.object({
        file: z.string().describe('File path relative to the workspace (an existing file is replaced, a new one added)'),
        content: z.string().describe('Proposed YAML; omit to delete the file').optional(),
      }),
    )
    .min(1)
    .describe('Proposed edits, applied in memory only (no file is written)')
    .optional(),
  yaml: z.string().describe('Shorthand: proposed manifests (one or more YAML documents) added as one new file; give this or `changes`').optional(),
  limit: z.number().int().min(1).max(5000).describe('Most changed flows to return (default 200)').optional(),
};

const flowChange = z.object({
  src: z.string(),
  dst: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
  added: protocols,
  removed: protocols,
  newExposure: z.boolean(),
  before: z.object({ protocols, rules: z.array(rule), egressIsolated: z.boolean().optional(), ingressIsolated: z.boolean().optional() }),
  after: z.object({ protocols, rules: z.array(rule), egressIsolated: z.boolean().optional(), ingressIsolated: z.boolean().optional() }),
});

const finding = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning', 'information', 'hint']),
  message: z.string(),
  file: z.string(),
  startLine: z.number(),
  startColumn: z.number(),
  endLine: z.number(),
  endColumn: z.number(),
  fingerprint: z.string(),
});

const diffSummary = z.object({ added: z.number(), removed: z.number(), changed: z.number(), newExposure: z.number(), removedAllowed: z.number() });

export const whatIfOutput = {
  summary: diffSummary,
  totalChanges: z.number(),
  truncated: z.boolean(),
  changes: z.array(flowChange),
  connectionsBefore: z.number(),
  connectionsAfter: z.number(),
  findings: z.array(finding).describe('Diagnostics of the changed files after the edits'),
};

export const checkInput = {
  path,
  files: z.array(z.string()).describe('Only report findings in these files (relative to the workspace)').optional(),
  minSeverity: z.enum(['error', 'warning', 'information', 'hint']).describe('Lowest severity to report (default hint: everything)').optional(),
};

export const checkOutput = {
  filesChecked: z.number(),
  summary: z.object({ error: z.number(), warning: z.number(), information: z.number(), hint: z.number() }),
  findings: z.array(finding),
};

export const blastRadiusInput = {
  path,
  workload: z.string().describe('Workload id (namespace/name)'),
  maxHops: z.number().int().min(1).max(50).describe('Follow chains of allowed flows up to this many hops (default 1: direct neighbours only)').optional(),
};

const reached = z.object({ id: z.string(), hops: z.number(), via: z.string().optional().describe('Previous endpoint on a shortest chain') });

export const blastRadiusOutput = {
  workload: z.string(),
  canReach: z.array(connection).describe('Direct flows out of the workload'),
  reachableFrom: z.array(connection).describe('Direct flows into the workload'),
  transitiveReach: z.array(reached).describe('Endpoints reachable through chains of allowed flows (within maxHops)'),
  transitiveReachedBy: z.array(reached).describe('Endpoints that can reach the workload through chains of allowed flows (within maxHops)'),
};

/** Name, title, description, input and output shapes of every engine tool. */
export const TOOLS = {
  reach: {
    title: 'Reachability matrix',
    description: 'Who can talk to whom: the allowed connections between workloads (and external address ranges) computed by the Policy Lens engine from the Kubernetes / Calico manifests, filterable by source, destination, namespace, protocol and port.',
    input: reachInput,
    output: reachOutput,
  },
  explain: {
    title: 'Explain one connection',
    description: 'Explains whether SRC can reach DST and on which ports, with the policies that isolate each side and the rules (file and line) that allow it, or why nothing does.',
    input: explainInput,
    output: explainOutput,
  },
  what_if: {
    title: 'What-if: apply proposed YAML',
    description: 'Applies proposed manifest edits in memory (no file is written) and returns the flows they would newly allow or block, with the rules responsible before and after, plus the diagnostics of the edited files.',
    input: whatIfInput,
    output: whatIfOutput,
  },
  check: {
    title: 'Check manifests',
    description: 'The diagnostics the Policy Lens language server reports for the manifests (invalid fields, selectors that match nothing, rules that allow everything, blocked DNS, ...), with rule ids and positions.',
    input: checkInput,
    output: checkOutput,
  },
  blast_radius: {
    title: 'Blast radius of a workload',
    description: 'What a workload can reach and what can reach it, directly and through chains of allowed flows (if it were compromised, where could an attacker go next?).',
    input: blastRadiusInput,
    output: blastRadiusOutput,
  },
} as const;

export type ToolName = keyof typeof TOOLS;

/** JSON Schema of a tool's input for VS Code's languageModelTools (no `path`: the tools answer for the open workspace). */
export function lmToolInputSchema(name: ToolName): Record<string, unknown> {
  const { path: _omit, ...shape } = TOOLS[name].input as Record<string, z.ZodType>;
  const schema = z.toJSONSchema(z.object(shape), { io: 'input' }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}
