// `policy-lens flows`: import observed flows (Calico Whisker / Goldmane, Cilium Hubble; gzip accepted), map them to
// the manifests, classify them with the engine, and with --baseline list the observed flows a change newly blocks
// or newly allows.
//   policy-lens flows FLOWFILE... --manifests PATH... [--baseline saved|head|staged|PATH] [--output text|json]
//                     [--fail-on newly-blocked|newly-allowed|disagreement] [--default-namespace NS]
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { analyze, analyzeFiles, parseFiles, type Analysis, type InputFile } from '../core/index';
import { classifyFlows, type ClassifiedFlow, type FlowAggregator, type FlowReport } from '../core/flows/index';
import { readFlowFilesParallel, readFlowStream } from '../flow-files';
import { NoHeadBaseline, readHeadVersion } from '../git-show';
import { collectFiles, formatDiagnostic, type CliIO } from './main';
import { CNI_SETTINGS, type CniSetting } from '../core/policy/cni';
import type { AnalyzeOptions } from '../core/analysis';

export const FLOWS_USAGE = `  policy-lens flows FLOWFILE... --manifests PATH... [--baseline saved|head|staged|PATH] [--output text|json]
                    [--fail-on newly-blocked|newly-allowed|disagreement] [--default-namespace NS] [--cni CNI]

  FLOWFILE             Whisker GET /flows JSON, Goldmane flows (JSON lines), or hubble observe -o jsonpb output;
                       gzip accepted; - reads standard input (see docs/flows.md)
  --manifests PATH...  the manifests (files or folders) the flows are checked against
  --baseline           compare with a baseline: saved (the files on disk, i.e. the manifests themselves), head (their
                       git HEAD versions), staged (the manifests with Calico staged policies applied is the change),
                       or another file or folder
  --fail-on            exit 1 when some observed flow is newly blocked (newly allowed, a disagreement)
  --cni                auto|kubernetes|calico|cilium: whose semantics evaluate the manifests (default auto)
`;

const FAIL_ON = ['newly-blocked', 'newly-allowed', 'disagreement'] as const;
type FailOn = (typeof FAIL_ON)[number];

export interface FlowsArgs {
  flowFiles: string[];
  manifests: string[];
  baseline?: string;
  output: 'text' | 'json';
  failOn: FailOn[];
  defaultNamespace?: string;
  /** --cni: whose semantics evaluate the manifests. */
  analyze: AnalyzeOptions;
  /** recommend only */
  dialect?: string;
  staged?: boolean;
  cnpTier?: 'Baseline' | 'Admin';
}

/** Parses the arguments shared by `flows` and `recommend`; a string is a usage error. */
export function parseFlowArgs(rest: string[], extra: 'flows' | 'recommend'): FlowsArgs | string {
  const a: FlowsArgs = { flowFiles: [], manifests: [], output: 'text', failOn: [], analyze: {} };
  let target: 'flows' | 'manifests' = 'flows';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = (name: string): string | undefined => {
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
      return rest[++i];
    };
    if (arg === '--manifests' || arg.startsWith('--manifests=')) {
      const v = arg.startsWith('--manifests=') ? arg.slice('--manifests='.length) : undefined;
      if (v) a.manifests.push(v);
      target = 'manifests';
      continue;
    }
    if (arg === '-' ) {
      (target === 'flows' ? a.flowFiles : a.manifests).push(arg);
      continue;
    }
    if (!arg.startsWith('-')) {
      (target === 'flows' ? a.flowFiles : a.manifests).push(arg);
      continue;
    }
    target = 'flows';
    const name = arg.split('=')[0];
    if (extra === 'flows' && name === '--baseline') {
      const v = value('--baseline');
      if (!v) return '--baseline needs saved, head, staged or a PATH';
      a.baseline = v;
    } else if (extra === 'flows' && (name === '--output' || name === '-o')) {
      const v = value(name);
      if (v !== 'text' && v !== 'json') return `--output must be text or json, not "${v ?? ''}"`;
      a.output = v;
    } else if (extra === 'flows' && name === '--fail-on') {
      const v = value('--fail-on') ?? '';
      for (const x of v.split(',')) {
        if (!(FAIL_ON as readonly string[]).includes(x)) return `--fail-on takes ${FAIL_ON.join(', ')}, not "${x}"`;
        a.failOn.push(x as FailOn);
      }
    } else if (extra === 'recommend' && name === '--dialect') {
      const v = value('--dialect');
      if (v !== 'kubernetes' && v !== 'calico' && v !== 'cnp') return `--dialect must be kubernetes, calico or cnp, not "${v ?? ''}"`;
      a.dialect = v;
    } else if (extra === 'recommend' && name === '--cnp-tier') {
      const v = (value('--cnp-tier') ?? '').toLowerCase();
      if (v !== 'baseline' && v !== 'admin') return `--cnp-tier must be baseline or admin, not "${v}"`;
      a.cnpTier = v === 'admin' ? 'Admin' : 'Baseline';
    } else if (extra === 'recommend' && arg === '--staged') {
      a.staged = true;
    } else if (name === '--cni') {
      const v = value('--cni');
      if (!v || !(CNI_SETTINGS as readonly string[]).includes(v)) return `--cni must be ${CNI_SETTINGS.join(', ')}, not "${v ?? ''}"`;
      a.analyze = { cni: v as CniSetting };
    } else if (name === '--default-namespace') {
      const v = value('--default-namespace');
      if (!v) return '--default-namespace needs a namespace';
      a.defaultNamespace = v;
    } else return `unknown option "${arg}"`;
  }
  if (a.flowFiles.length === 0) return 'no FLOWFILE given';
  if (a.manifests.length === 0) return 'no --manifests PATH given';
  if (a.flowFiles.filter((f) => f === '-').length > 1) return 'standard input (-) can be read once';
  return a;
}

/** Streams every flow file into one aggregator (several files in parallel worker threads); unreadable files are errors. */
export async function readFlows(files: string[], io: CliIO): Promise<{ agg: FlowAggregator; ok: boolean }> {
  let ok = true;
  const report = (f: string, err: NodeJS.ErrnoException) => {
    io.err(`policy-lens: ${f}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EISDIR' ? 'is a directory (give flow files)' : err.message}\n`);
    ok = false;
  };
  const onDisk = files.filter((f) => f !== '-');
  const agg = await readFlowFilesParallel(onDisk, report);
  if (files.includes('-')) {
    try {
      await readFlowStream((io as CliIO & { stdin?: Readable }).stdin ?? process.stdin, agg, '(stdin)');
    } catch (e) {
      report('-', e as NodeJS.ErrnoException);
    }
  }
  return { agg, ok };
}

/**
 * Starts reading the flow files (worker threads) and reads and analyses the manifests meanwhile. Undefined, once the
 * reading has ended, when a manifest path is unreadable (said on stderr).
 */
export async function startInputs(args: FlowsArgs, io: CliIO): Promise<{ m: NonNullable<ReturnType<typeof loadManifests>>; reading: ReturnType<typeof readFlows> } | undefined> {
  const reading = readFlows(args.flowFiles, io);
  const m = loadManifests(args.manifests, io, args.defaultNamespace, args.analyze);
  if (!m) {
    await reading;
    return undefined;
  }
  return { m, reading };
}

/** Reads the manifests; prints their diagnostics to stderr. Undefined (after a message) when a path is unreadable. */
export function loadManifests(paths: string[], io: CliIO, defaultNamespace?: string, opts: AnalyzeOptions = {}): { files: InputFile[]; analysis: Analysis } | undefined {
  const { files, errors } = collectFiles(paths);
  for (const e of errors) io.err(`policy-lens: ${e}\n`);
  if (errors.length) return undefined;
  const { cluster, analysis } = analyzeFiles(files, { defaultNamespace }, opts);
  for (const d of cluster.diagnostics) io.err(`${formatDiagnostic(d)}\n`);
  return { files, analysis };
}

/**
 * The baseline of an impact preview. `saved`: on the command line the files on disk are the manifests themselves,
 * so the baseline equals the current state; `head`: the git HEAD version of every manifest file (a file HEAD does
 * not have is absent from the baseline); `staged`: the current state is the manifests with Calico staged policies
 * applied and the baseline the manifests as enforced; anything else is a file or folder of manifests.
 */
async function baselineOf(spec: string, files: InputFile[], io: CliIO, defaultNamespace: string | undefined, opts: AnalyzeOptions): Promise<{ baseline: Analysis; current?: Analysis; label: string } | string> {
  if (spec === 'saved') return { baseline: analyze(parseFiles(files, { defaultNamespace }), opts), label: 'the saved files' };
  if (spec === 'staged') {
    const cluster = parseFiles(files, { defaultNamespace });
    return { baseline: analyze(cluster, opts), current: analyze(cluster, { ...opts, staged: true }), label: 'the enforced policies (staged policies not applied)' };
  }
  if (spec === 'head') {
    const out: InputFile[] = [];
    try {
      for (const f of files) {
        const text = await readHeadVersion(resolve(f.path));
        if (text !== undefined) out.push({ path: f.path, text });
      }
    } catch (e) {
      if (e instanceof NoHeadBaseline) return e.message;
      throw e;
    }
    return { baseline: analyze(parseFiles(out, { defaultNamespace }), opts), label: 'git HEAD' };
  }
  const { files: bf, errors } = collectFiles([spec]);
  if (errors.length) return errors.join('; ');
  const cluster = parseFiles(bf, { defaultNamespace });
  for (const d of cluster.diagnostics) io.err(`${formatDiagnostic(d)}\n`);
  return { baseline: analyze(cluster, opts), label: spec };
}

export async function flowsCommand(rest: string[], io: CliIO): Promise<number> {
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage:\n${FLOWS_USAGE}`);
    return 0;
  }
  const args = parseFlowArgs(rest, 'flows');
  if (typeof args === 'string') {
    io.err(`policy-lens flows: ${args}\nUsage:\n${FLOWS_USAGE}`);
    return 2;
  }
  const inputs = await startInputs(args, io);
  if (!inputs) return 2;
  const { m, reading } = inputs;
  let current = m.analysis;
  let baseline: Analysis | undefined;
  let baselineLabel: string | undefined;
  if (args.baseline) {
    const b = await baselineOf(args.baseline, m.files, io, args.defaultNamespace, args.analyze);
    if (typeof b === 'string') {
      io.err(`policy-lens flows: no baseline: ${b}\n`);
      return 2;
    }
    baseline = b.baseline;
    baselineLabel = b.label;
    if (b.current) current = b.current;
  }
  const { agg, ok } = await reading;
  if (!ok) return 2;
  // JSON lists the allowed pairs never observed (the contract); the text output counts them.
  const report = classifyFlows(agg, current, { baseline, baselineLabel, unobserved: args.output === 'json' ? 'list' : 'count' });
  if (args.output === 'json') io.out(`${JSON.stringify(toJson(report, !!baseline))}\n`);
  else printText(report, io, !!baseline, baselineLabel);
  const fail = args.failOn.some((f) =>
    report.flows.some((x) => (f === 'disagreement' ? x.disagreement : x.change === f)),
  );
  return fail ? 1 : 0;
}

/** The JSON contract: flows, unmatched, unobserved (plus files and summary). */
export function toJson(r: FlowReport, withBaseline: boolean): unknown {
  return {
    flows: r.flows.map((f) => {
      const o: Record<string, unknown> = { src: f.src, dst: f.dst, protocol: f.protocol, port: f.port ?? null, count: f.count, observed: f.observed, predicted: f.predicted };
      if (withBaseline) o.baseline = f.baseline;
      o.change = f.change ?? null;
      for (const k of ['srcCandidates', 'dstCandidates', 'disagreement', 'uncertain', 'audit', 'pending', 'reported', 'firstSeen', 'lastSeen', 'notes'] as const) {
        if (f[k] !== undefined) o[k] = f[k];
      }
      o.formats = f.formats;
      o.origin = f.origin;
      return o;
    }),
    unmatched: r.unmatched,
    unobserved: r.unobserved,
    files: r.files,
    summary: r.summary,
  };
}

function conn(f: ClassifiedFlow): string {
  if (f.protocol === 'ICMP' || f.protocol === 'ICMPv6') return f.port === undefined ? f.protocol : `${f.protocol} type ${f.port >> 8} code ${f.port & 255}`;
  return f.port === undefined ? `${f.protocol} (port not recorded)` : `${f.protocol} ${f.port}`;
}

function printText(r: FlowReport, io: CliIO, withBaseline: boolean, baselineLabel?: string): void {
  const s = r.summary;
  // Written in blocks of lines: one write per line is slow into a pipe.
  let buf = '';
  const out = (line: string) => {
    buf += line;
    if (buf.length > 1 << 16) {
      io.out(buf);
      buf = '';
    }
  };
  out(
    `${s.records} records, ${s.flows} observed flows (${s.observedAllowed} allowed, ${s.observedDenied} denied): ${s.agree} as the manifests predict, ${s.disagree} disagree, ${s.uncertain} uncertain; ${s.unmatchedRecords} records unmatched; ${s.unobservedPairs} allowed pairs never observed (listed with --output json)\n`,
  );
  if (withBaseline) out(`compared with ${baselineLabel}: ${s.newlyBlocked} newly blocked, ${s.newlyAllowed} newly allowed\n`);
  for (const f of r.flows) {
    const marks: string[] = [];
    if (f.change) marks.push(f.change.toUpperCase());
    if (f.disagreement) marks.push('DISAGREES');
    if (f.audit) marks.push('audit');
    const base = withBaseline ? `, baseline ${f.baseline}` : '';
    out(`${f.src} => ${f.dst} : ${conn(f)}  observed ${f.observed} x${f.count}, predicted ${f.predicted}${base}${marks.length ? `  [${marks.join(', ')}]` : ''}\n`);
    for (const u of f.uncertain ?? []) out(`    uncertain: ${u}\n`);
  }
  for (const u of r.unmatched) out(`unmatched ${u.file}:${u.line}: ${u.reason}${u.count > 1 ? ` (${u.count} records)` : ''}\n`);
  if (buf) io.out(buf);
}
