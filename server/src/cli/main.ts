// `policy-lens` command-line interface.
//   policy-lens reach PATH... [--output text|json] [--explain SRC DST] [--default-namespace NS] [--cni CNI]
//                             [--ipblock-matches-pods] [--max-file-size BYTES]
//   policy-lens check | diff | verify | mcp ...   (each in its own module: check.ts, diff.ts, verify.ts, mcp.ts)
//   policy-lens flows FLOWFILE... --manifests PATH... (cli/flows.ts)
//   policy-lens recommend FLOWFILE... --manifests PATH... (cli/recommend.ts)
import { relative } from 'node:path';
import { analyzeFiles, ConnSet, leftOutSummary, type Diagnostic } from '../core/index';
import { describeConns, describePosture, plural, renderTraceText } from '../core/explain/format';
import { externalName, mergeExternals, namedAddressSets, parseRangeId } from '../core/explain/externals';
import { panelData } from '../core/panel-data';
import { podIpSplitDiagnostics } from '../core/lint/pod-ips';
import { collectFiles, DEFAULT_MAX_FILE_SIZE, formatSize, parseSize } from './inputs';
import { ChunkedWriter, OutputClosed, streamSink, writeReachJson, type TextSink } from './json-writer';
import { check } from './check';
import { diff } from './diff';
import { mcp } from './mcp';
import { verify } from './verify';
import { portabilityCommand } from './portability';
import { describeChoice, isCniSetting, type CniSetting } from '../core/policy/cni';
import { runSuggest, takeSuggestArg, type SuggestCliOptions } from './suggest';

export { collectFiles } from './inputs';

const USAGE = `Usage:
  policy-lens reach PATH... [--output text|json] [--explain SRC DST] [--default-namespace NS]
                            [--cni auto|kubernetes|calico|cilium] [--ipblock-matches-pods] [--max-file-size BYTES]
  policy-lens reach PATH... --explain SRC DST --suggest[=allow|block] [--port N[-M]] [--protocol P]
  policy-lens check PATH... [--format text|json|sarif|markdown] [--fail-on error|warning|information|never]
                            [--baseline-file FILE]
  policy-lens diff --base REF|PATH [PATH...] [--format text|json|markdown]
                            [--fail-on any-change|new-exposure|removed-allowed]
  policy-lens verify --rules FILE PATH... [--format text|json|markdown]
  policy-lens mcp [PATH]    Model Context Protocol server over stdio
  policy-lens flows FLOWFILE... --manifests PATH... [--baseline saved|head|staged|PATH] [--output text|json]
                            [--fail-on newly-blocked|newly-allowed|disagreement]
  policy-lens recommend FLOWFILE... --manifests PATH... [--dialect kubernetes|calico|cnp] [--staged]
  policy-lens portability PATH... [--cni calico,cilium,kubernetes] [--format text|json|markdown]
                            flows whose verdict differs between CNIs, and why
Every command that reads manifests accepts --cni auto|kubernetes|calico|cilium (default auto: detected from the objects).
  policy-lens COMMAND --help   details of one command

Options of reach:
  PATH                   YAML/JSON manifest files or folders (folders are searched recursively for .yaml, .yml,
                         .json; hidden entries and node_modules are skipped; symbolic links are followed, each
                         folder is searched once). Inside folders only regular files are read; a PATH given here
                         may also be a pipe, e.g. <(kubectl get networkpolicy -A -o yaml).
  --output, -o           text (default) or json
  --explain SRC DST      explain why SRC can or cannot reach DST (ids: namespace/name, an external range or DNS name)
  --default-namespace NS namespace for objects without metadata.namespace (default: default)
  --cni CNI              whose semantics evaluate the manifests: auto (default; a cilium-config ConfigMap or
                         cilium.io objects mean Cilium, projectcalico.org objects Calico), kubernetes, calico, cilium
  --ipblock-matches-pods Kubernetes NetworkPolicy ipBlock also matches pods whose status.podIP is inside
                         (CNI-specific; default: external addresses only; Calico always matches, Cilium never)
  --suggest              with --explain: propose verified policy edits that allow the flow (block it when it is
                         allowed); --port/--protocol narrow the flow (default: the destination's declared ports)
  --max-file-size BYTES  skip files larger than this (default ${formatSize(DEFAULT_MAX_FILE_SIZE).replace(' ', '')}; suffixes K, M, G = x1024)
  --help, -h             show this help

  A file that cannot be used (unreadable, too large, binary or not UTF-8, a FIFO/socket/device inside a folder)
  is skipped with a one-line warning on stderr; the analysis covers the other files.

Exit codes of reach:
  0  done (warnings about skipped files may have been printed)
  1  --explain named an unknown endpoint
  2  usage error (unknown option, bad value, a PATH that does not exist), or no input could be read at all
  3  the output could not be written, or an internal error
`;

export interface CliIO {
  /** Standard output. May return a promise to make the writer wait (backpressure); any other value is ignored. */
  out: (s: string) => unknown;
  err: (s: string) => void;
}

function defaultIO(): CliIO {
  const sink = streamSink(process.stdout);
  return {
    out: (s) => {
      const p = sink.write(s);
      // Commands that do not await their writes must not die of an unhandled rejection (e.g. EPIPE after `| head`);
      // whoever awaits `p` still sees the failure.
      p?.catch(() => undefined);
      return p;
    },
    err: (s) => void process.stderr.write(s),
  };
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${relative(process.cwd(), d.range.file) || d.range.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} [${d.code}] ${d.message}`;
}

/** Usage errors: reported in one line (plus the usage), exit code 2, never a stack trace. */
class UsageError extends Error {}

interface Args {
  paths: string[];
  output: 'text' | 'json';
  explain?: [string, string];
  defaultNamespace?: string;
  maxFileSize: number;
  help: boolean;
  ipBlockMatchesPods: boolean;
  cni: CniSetting;
  suggest: SuggestCliOptions;
}

function parseArgs(rest: string[]): Args {
  const args: Args = { paths: [], output: 'text', maxFileSize: DEFAULT_MAX_FILE_SIZE, help: false, ipBlockMatchesPods: false, cni: 'auto', suggest: { enabled: false } };
  let output = 'text';
  let maxFileSize: string | undefined;
  const value = (i: number, name: string): string => {
    const v = rest[i];
    if (v === undefined || (v.startsWith('-') && v.length > 1)) throw new UsageError(`${name} needs a value`);
    return v;
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const taken = takeSuggestArg(rest, i, args.suggest);
    if (typeof taken === 'string') throw new UsageError(taken);
    if (taken !== undefined) {
      i = taken;
      continue;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    if (name === '--output' || name === '-o') output = inline ?? value(++i, name);
    else if (name === '--explain') {
      const s = rest[++i];
      const d = rest[++i];
      if (!s || !d) throw new UsageError('--explain needs SRC and DST');
      args.explain = [s, d];
    } else if (name === '--default-namespace') args.defaultNamespace = inline ?? value(++i, name);
    else if (name === '--max-file-size') maxFileSize = inline ?? value(++i, name);
    else if (name === '--help' || name === '-h') args.help = true;
    else if (name === '--cni') {
      const v = inline ?? value(++i, name);
      if (!isCniSetting(v)) throw new UsageError(`--cni must be one of auto, kubernetes, calico, cilium, not "${v}"`);
      args.cni = v;
    } else if (a === '--ipblock-matches-pods') args.ipBlockMatchesPods = true;
    else if (a === '--') {
      args.paths.push(...rest.slice(i + 1));
      break;
    } else if (a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option "${a}"`);
    else args.paths.push(a);
  }
  if (output !== 'text' && output !== 'json') throw new UsageError(`--output must be text or json, not "${output}"`);
  const s = args.suggest;
  if ((s.enabled || s.port !== undefined || s.protocol !== undefined) && !(args.explain && s.enabled)) {
    throw new UsageError('--suggest needs --explain SRC DST; --port and --protocol need --suggest');
  }
  args.output = output;
  if (maxFileSize !== undefined) {
    const n = parseSize(maxFileSize);
    if (n === undefined) throw new UsageError(`--max-file-size must be a positive number of bytes (suffixes K, M, G), not "${maxFileSize}"`);
    args.maxFileSize = n;
  }
  return args;
}

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    if (cmd) await io.out(USAGE);
    else io.err(USAGE);
    return cmd ? 0 : 2;
  }
  if (cmd === 'check') return check(rest, io);
  if (cmd === 'diff') return diff(rest, io);
  if (cmd === 'verify') return verify(rest, io);
  if (cmd === 'mcp') return mcp(rest, io);
  if (cmd === 'flows') return (await import('./flows')).flowsCommand(rest, io);
  if (cmd === 'recommend') return (await import('./recommend')).recommendCommand(rest, io);
  if (cmd === 'portability') return portabilityCommand(rest, io);
  if (cmd !== 'reach') {
    io.err(`policy-lens: unknown command "${cmd}" (policy-lens --help shows the commands)\n`);
    return 2;
  }
  let args: Args;
  try {
    args = parseArgs(rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`policy-lens: ${e.message}\n(policy-lens --help shows the usage)\n`);
    return 2;
  }
  if (args.help) {
    await io.out(USAGE);
    return 0;
  }
  if (args.paths.length === 0) {
    io.err(`policy-lens: no PATH given\n${USAGE}`);
    return 2;
  }
  const { files, errors, messages, skipped } = collectFiles(args.paths, { maxFileSize: args.maxFileSize });
  for (const e of errors) io.err(`policy-lens: ${e}\n`);
  if (errors.length) return 2;
  for (const m of messages) io.err(`policy-lens: ${m.level}: ${m.text}\n`);
  if (files.length === 0 && skipped > 0) {
    io.err('policy-lens: no input could be read\n');
    return 2;
  }
  const { cluster, analysis } = analyzeFiles(files, { defaultNamespace: args.defaultNamespace }, { cni: args.cni, ipBlockMatchesPods: args.ipBlockMatchesPods });
  for (const d of [...cluster.diagnostics, ...podIpSplitDiagnostics(cluster, { ipBlockMatchesPods: args.ipBlockMatchesPods, cni: args.cni })]) io.err(`${formatDiagnostic(d)}\n`);

  const sink: TextSink = {
    write: (s) => {
      const r = io.out(s);
      return r instanceof Promise ? (r as Promise<void>) : undefined;
    },
  };
  try {
    if (args.explain && args.suggest.enabled) {
      const [src, dst] = args.explain;
      return runSuggest(io, files, analysis, src, dst, args.suggest, args.output, args.defaultNamespace);
    }
    return await report(args, cluster, analysis, sink);
  } catch (e) {
    if (e instanceof OutputClosed) return 0; // the reader went away (`| head`): nothing more to say
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string' && typeof err.syscall === 'string') {
      io.err(`policy-lens: cannot write the output: ${err.message}\n`);
      return 3;
    }
    throw e;
  }
}

async function report(args: Args, cluster: ReturnType<typeof analyzeFiles>['cluster'], analysis: ReturnType<typeof analyzeFiles>['analysis'], sink: TextSink): Promise<number> {
  const w = new ChunkedWriter(sink);
  if (args.explain) {
    const [src, dst] = args.explain;
    const t = analysis.trace(src, dst);
    if (args.output === 'json') await w.write(`${JSON.stringify({ src: t.src, dst: t.dst, protocols: t.allowed, explanation: t }, null, 2)}\n`);
    else {
      // An address or CIDR given for an end is explained through the external range that holds it.
      for (const [given, id] of [[src, t.src], [dst, t.dst]]) {
        if (given === id || !parseRangeId(id)) continue;
        await w.write(`${given} is in the external range ${id} (${externalName(id)}): the policies treat its addresses alike.\n`);
      }
      await w.write(renderTraceText(t, (r) => `${relative(process.cwd(), r.file) || r.file}:${r.start.line + 1}`, analysis.universe));
    }
    await w.flush();
    return t.problem?.startsWith('Unknown endpoint') ? 1 : 0;
  }

  // Connections come from the analysis' generator: never all of them in memory at once.
  const endpoints = analysis.endpoints();
  if (args.output === 'json') {
    await writeReachJson(sink, endpoints, analysis.connections());
    return 0;
  }
  const workloads = endpoints.filter((e) => e.kind !== 'External').length;
  const calico = cluster.calico?.policies ?? [];
  const staged = calico.filter((p) => p.staged).length;
  const cps = cluster.clusterPolicies ?? [];
  const clusterWide = cps.length ? `, ${cps.length} cluster network ${cps.length === 1 ? 'policy' : 'policies'}${cps.some((p) => p.kind !== 'ClusterNetworkPolicy') ? ` (${cps.filter((p) => p.kind !== 'ClusterNetworkPolicy').length} deprecated AdminNetworkPolicy/BaselineAdminNetworkPolicy)` : ''}` : '';
  const cilium = cluster.cilium?.policies ?? [];
  const parts = [calico.length ? `${calico.length} Calico` : '', cilium.length ? `${cilium.length} Cilium` : ''].filter(Boolean);
  const total = cluster.policies.length + calico.length + cilium.length;
  const policies = parts.length
    ? `${[cluster.policies.length ? `${cluster.policies.length} Kubernetes` : '', ...parts].filter(Boolean).join(' and ')} ${total === 1 ? 'policy' : 'policies'}${staged ? ` (${staged} staged, not enforced)` : ''}${clusterWide}`
    : `${plural(cluster.policies.length, 'network policy', 'network policies')}${clusterWide}`;
  // Connections between workloads are streamed (generated twice: counted, then listed); connections with addresses
  // outside the cluster are few per workload and held, to merge adjacent ranges with the same connections for display
  // ("0.0.0.0/0 except 203.0.113.0/24"). The words are the formatter's (core/explain/format.ts), as in hover and panel.
  const universe = analysis.universe;
  const externalIds = new Set(endpoints.filter((e) => e.kind === 'External').map((e) => e.id));
  const inbound = new Map<string, { id: string; key: string; value: string }[]>();
  const outbound = new Map<string, { id: string; key: string; value: string }[]>();
  let between = 0;
  for (const c of analysis.connections()) {
    const fromOutside = externalIds.has(c.src);
    if (!fromOutside && !externalIds.has(c.dst)) {
      between++;
      continue;
    }
    const words = describeConns(ConnSet.fromProtocolPorts(c.protocols), universe);
    const [map, inside, outside] = fromOutside ? [inbound, c.dst, c.src] : [outbound, c.src, c.dst];
    let list = map.get(inside);
    if (!list) map.set(inside, (list = []));
    list.push({ id: outside, key: words, value: words });
  }
  const sets = namedAddressSets(cluster);
  const lines = (map: Map<string, { id: string; key: string; value: string }[]>, fromOutside: boolean): string[] => {
    const out: string[] = [];
    for (const inside of [...map.keys()].sort()) {
      for (const g of mergeExternals(map.get(inside)!, sets)) out.push(fromOutside ? `${g.name} => ${inside} : ${g.value}` : `${inside} => ${g.name} : ${g.value}`);
    }
    return out;
  };
  const fromOutside = lines(inbound, true);
  const toOutside = lines(outbound, false);
  await w.write(`${plural(workloads, 'workload')}, ${policies}, ${plural(between + fromOutside.length + toOutside.length, 'allowed connection')}\n`);
  if (analysis.cni.how !== 'default') await w.write(`evaluated as ${describeChoice(analysis.cni)}\n`);
  const leftOut = leftOutSummary(cluster.leftOut);
  if (leftOut) await w.write(`${leftOut}: their rules are not part of this reachability\n`);
  const payload = panelData(analysis);
  const posture = describePosture(payload.posture, (i) => payload.endpoints[i].id);
  if (posture.length) await w.write(`\nPosture:\n${posture.map((l) => `- ${l}\n`).join('')}`);
  await w.write(`\nBetween workloads (${between.toLocaleString('en-US')}):\n`);
  for (const c of analysis.connections()) {
    if (externalIds.has(c.src) || externalIds.has(c.dst)) continue;
    await w.write(`${c.src} => ${c.dst} : ${describeConns(ConnSet.fromProtocolPorts(c.protocols), universe)}\n`);
  }
  if (fromOutside.length) await w.write(`\nFrom outside the cluster (${fromOutside.length.toLocaleString('en-US')}):\n${fromOutside.join('\n')}\n`);
  if (toOutside.length) await w.write(`\nTo outside the cluster (${toOutside.length.toLocaleString('en-US')}):\n${toOutside.join('\n')}\n`);
  await w.flush();
  return 0;
}
