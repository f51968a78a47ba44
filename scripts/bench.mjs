// `npm run bench`: engine time and memory on generated clusters, the CLI on a 10,000-file folder, then the
// language-server benchmark (scripts/bench-lsp.mjs) when present. Prints figures; asserts nothing (targets are in
// the README).
//
//   node scripts/bench.mjs            engine + CLI + flows + LSP + big document + panel
//   node scripts/bench.mjs engine     engine only
//   node scripts/bench.mjs cli        the 10,000-file CLI run only
//   node scripts/bench.mjs flows      observed flows: 1,000,000 records through `policy-lens flows` (FLOWS_BENCH_RECORDS)
//   node scripts/bench.mjs lsp        the language server (scripts/bench-lsp.mjs)
//   node scripts/bench.mjs big        one huge document through the language server (scripts/bench-big.mjs)
//   node scripts/bench.mjs panel      the reachability panel over stdio: edit -> panel data, incremental vs from scratch
//                                     (scripts/bench-panel.mjs)
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execSync, spawn, spawnSync } from 'node:child_process';
import { generate, rng } from './gen-workspace.mjs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv[2];
const outDir = join(root, 'out', 'bench');
mkdirSync(outDir, { recursive: true });
await build({ entryPoints: [join(root, 'server/src/core/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: join(outDir, 'core.cjs'), logLevel: 'warning' });
const core = createRequire(import.meta.url)(join(outDir, 'core.cjs'));

function mib(b) {
  return (b / 1024 / 1024).toFixed(1);
}

function time(fn) {
  const t = process.hrtime.bigint();
  const v = fn();
  return [v, Number(process.hrtime.bigint() - t) / 1e6];
}

if (!only || only === 'engine') {
  console.log('== Engine (Kubernetes NetworkPolicy), full workload x workload matrix');
  console.log('pods  policies  parse_ms  analyze_ms  matrix_ms  total_ms  classes  allowed_pairs  explain_p50_ms  heap_MiB  rss_MiB');
  for (const [pods, pols] of [
    [100, 50],
    [1000, 500],
    [5000, 2000],
  ]) {
    const files = generate(pods, pols);
    global.gc?.();
    const [cluster, parseMs] = time(() => core.parseFiles(files));
    const [analysis, analyzeMs] = time(() => core.analyze(cluster));
    const [pairs, matrixMs] = time(() => analysis.countAllowedPairs());
    const ids = cluster.workloads.map((w) => w.id);
    const r = rng(7);
    const samples = [];
    for (let i = 0; i < 50; i++) {
      const s = ids[Math.floor(r() * ids.length)];
      const d = ids[Math.floor(r() * ids.length)];
      samples.push(time(() => analysis.explain(s, d))[1]);
    }
    samples.sort((a, b) => a - b);
    const mem = process.memoryUsage();
    console.log(
      [pods, pols, parseMs.toFixed(0), analyzeMs.toFixed(0), matrixMs.toFixed(0), (parseMs + analyzeMs + matrixMs).toFixed(0), analysis.evaluation.classes.length, pairs, samples[25].toFixed(2), mib(mem.heapUsed), mib(mem.rss)]
        .map(String)
        .join('  '),
    );
  }
  console.log('target: 5000 pods x 2000 policies, analyze + matrix under 2000 ms on 2 cores');
}

/**
 * The CLI case: a folder of 10,000 files, each one bare Pod and one NetworkPolicy. 20 namespaces, 100 distinct
 * label sets (every namespace holds 5 pods of each set); per namespace one default-deny-ingress, the other policies
 * admit one app from another app of the namespace, or a team from another namespace, on one port, or limit egress.
 */
export function generateFolder(dir, files = 10_000, seed = 3) {
  const r = rng(seed);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const NS = 20;
  const SETS = 100;
  for (let i = 0; i < files; i++) {
    const ns = i % NS;
    const set = Math.floor(i / NS) % SETS;
    const app = `a${set}`;
    const team = `t${set % 10}`;
    const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\n  namespace: ns${ns}\n  labels: {app: ${app}, team: ${team}}\nspec:\n  containers:\n  - name: c\n    image: img\n    ports:\n    - {name: http, containerPort: ${8000 + (set % 10)}}\n`;
    let spec;
    if (i < NS) spec = `  podSelector: {}\n  policyTypes: [Ingress]\n`;
    else {
      const kind = Math.floor(r() * 4);
      const a = Math.floor(r() * SETS);
      const b = Math.floor(r() * SETS);
      if (kind <= 1) spec = `  podSelector: {matchLabels: {app: a${a}}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: a${b}}}}]\n    ports: [{port: ${8000 + (a % 10)}}]\n`;
      else if (kind === 2) spec = `  podSelector: {matchLabels: {app: a${a}}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ns${b % NS}}}, podSelector: {matchLabels: {team: t${b % 10}}}}]\n    ports: [{port: http}]\n`;
      // Few distinct ipBlocks (5 /16s, 4 exceptions each): external ranges are cut at every boundary and every pod
      // that may reach the outside gets one connection per range, so this keeps the output in the hundreds of MB.
      else spec = `  podSelector: {matchLabels: {app: a${a}}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{podSelector: {matchLabels: {team: t${b % 10}}}}]\n  - to: [{ipBlock: {cidr: 10.${a % 5}.0.0/16, except: [10.${a % 5}.${b % 4}.0/24]}}]\n    ports: [{port: 443}]\n`;
    }
    const np = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np${i}, namespace: ns${ns}}\nspec:\n${spec}`;
    writeFileSync(join(dir, `f${String(i).padStart(5, '0')}.yaml`), `${pod}---\n${np}`);
  }
}

/** Runs `node bin/policy-lens.js ARGS > outFile`; wall time, peak RSS (/usr/bin/time -v, else /proc VmHWM), exit. */
function runMeasured(args, outFile, nodeOptions = '') {
  return new Promise((resolve) => {
    const out = openSync(outFile, 'w');
    const errFile = `${outFile}.stderr`;
    const err = openSync(errFile, 'w');
    const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
    const cmd = timeBin ? [timeBin, ['-v', process.execPath, join(root, 'bin', 'policy-lens.js'), ...args]] : [process.execPath, [join(root, 'bin', 'policy-lens.js'), ...args]];
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd[0], cmd[1], { stdio: ['ignore', out, err], cwd: root, env: { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS, nodeOptions].filter(Boolean).join(' ') } });
    let hwmKb = 0;
    const poll = timeBin
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
          } catch {
            /* exited */
          }
        }, 50);
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (poll) clearInterval(poll);
      closeSync(out);
      closeSync(err);
      const stderr = readFileSync(errFile, 'utf8');
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const exit = /Exit status: (\d+)/.exec(stderr);
      const killed = /Command terminated by signal (\d+)/.exec(stderr);
      if (m) hwmKb = Number(m[1]);
      resolve({ ms, rssMiB: hwmKb / 1024, code: killed ? null : exit ? Number(exit[1]) : code, signal: killed ? `signal ${killed[1]}` : signal, stderr });
    });
  });
}

/**
 * Whether the file is complete JSON of the CLI contract; counts its items. Up to 400 MB it is parsed whole; above
 * V8's string limit it is parsed item by item along the layout the writer guarantees (every item of the two
 * top-level arrays is indented by 4 spaces, JSON escapes newlines inside strings) and the envelope is checked.
 */
async function checkJson(file) {
  const size = statSync(file).size;
  if (size < 400 * 1024 * 1024) {
    try {
      const j = JSON.parse(readFileSync(file, 'utf8'));
      return { ok: Array.isArray(j.endpoints) && Array.isArray(j.connections), endpoints: j.endpoints?.length, connections: j.connections?.length, size };
    } catch (e) {
      return { ok: false, why: e.message, size };
    }
  }
  const counts = { endpoints: 0, connections: 0 };
  const envelope = [];
  let section;
  let item = [];
  let why;
  for await (const line of createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    if (why) continue;
    if (section && line.startsWith('    ')) {
      item.push(line);
      if (line === '    }' || line === '    },') {
        try {
          JSON.parse(item.join('\n').replace(/,$/, ''));
          counts[section]++;
        } catch (e) {
          why = `item ${counts[section]} of ${section}: ${e.message}`;
        }
        item = [];
      }
      continue;
    }
    envelope.push(line);
    section = line === '  "endpoints": [' ? 'endpoints' : line === '  "connections": [' ? 'connections' : undefined;
  }
  const forms = [];
  for (const e of ['[\n  ],', '[],']) for (const c of ['[\n  ]', '[]']) forms.push(`{\n  "endpoints": ${e}\n  "connections": ${c}\n}`);
  if (!why && item.length) why = 'truncated inside an item';
  if (!why && !forms.includes(envelope.join('\n'))) why = `bad envelope ${JSON.stringify(envelope.join('\n').slice(0, 120))}`;
  return { ok: !why, why, size, ...counts };
}

if (!only || only === 'cli') {
  console.log('\n== CLI: policy-lens reach DIR --output json > file (10,000 files: 10,000 Pods in 20 namespaces, 100 label sets; 10,000 NetworkPolicies)');
  const dir = join(outDir, 'cli-10k');
  const t = Date.now();
  generateFolder(dir);
  console.log(`generated ${dir} in ${Date.now() - t} ms`);
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'cli'], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) console.log(`build failed: ${b.stderr}`);
  const outFile = join(outDir, 'cli-10k.json');
  // The heap is capped a little above the 2 GiB target (BENCH_CLI_HEAP_MB overrides it, 0 = node's default): a
  // run that cannot fit fails in minutes instead of thrashing the garbage collector near node's own limit.
  const heapMb = Number(process.env.BENCH_CLI_HEAP_MB ?? 2560);
  if (heapMb) console.log(`(node --max-old-space-size=${heapMb}; BENCH_CLI_HEAP_MB=0 for node's default)`);
  const r = await runMeasured(['reach', dir, '--output', 'json'], outFile, heapMb ? `--max-old-space-size=${heapMb}` : '');
  // The command's own last words (an out-of-memory report, say), without /usr/bin/time's report.
  const lines = r.stderr.split('\n');
  const timeReport = lines.findIndex((l) => /^\s*(Command being timed|Command terminated by signal)/.test(l));
  const own = (timeReport >= 0 ? lines.slice(0, timeReport) : lines).filter((l) => l.trim());
  const fatal = own.filter((l) => /FATAL ERROR|Error:|heap/i.test(l) && !/^\s*\d+: 0x/.test(l));
  const lastErr = (fatal.length ? fatal : own).slice(-4);
  console.log('wall_s  peak_rss_MiB  exit  json_MiB  json_complete  endpoints  connections');
  const j = r.code === 0 ? await checkJson(outFile) : { ok: false, why: 'command failed', size: statSync(outFile).size };
  console.log(
    [(r.ms / 1000).toFixed(1), r.rssMiB.toFixed(0), r.signal ?? r.code, (j.size / 1024 / 1024).toFixed(1), j.ok ? 'yes' : `NO (${j.why})`, j.endpoints ?? '-', j.connections ?? '-'].join('  '),
  );
  if (r.code !== 0 || !j.ok) console.log(`stderr (last lines):\n  ${lastErr.join('\n  ')}`);
  console.log('target: under 60 s wall, peak RSS under 2 GiB, complete JSON');
  rmSync(outFile, { force: true });
  rmSync(`${outFile}.stderr`, { force: true });
}

// ---------------------------------------------------------------- observed flows

/**
 * Writes `n` flow records in the two bulk formats: Hubble `hubble observe -o jsonpb` lines and a Whisker
 * `GET /flows` answer (one JSON envelope, items streamed). Traffic follows a fixed set of 20,000 (source pod,
 * destination pod, port) tuples and 2,000 pod -> external address tuples, as a cluster's real traffic repeats; a
 * fifth of the Hubble records are replies and each request is reported at egress and at ingress.
 */
async function writeFlowFiles(dir, pods, n) {
  const r = rng(11);
  const nsCount = Math.max(1, Math.round(pods / 50));
  const podNs = (i) => `ns${i % nsCount}`;
  const podApp = (i) => Math.floor(i / nsCount) % 10;
  const tuples = [];
  for (let k = 0; k < 20000; k++) {
    const s = Math.floor(r() * pods);
    let d = Math.floor(r() * pods);
    if (d === s) d = (d + 1) % pods;
    const kind = r();
    tuples.push({ s, d, port: kind < 0.6 ? 8000 + podApp(d) : kind < 0.8 ? 9090 : 53, proto: kind >= 0.8 && kind < 0.9 ? 'UDP' : 'TCP' });
  }
  for (let k = 0; k < 2000; k++) {
    const a = Math.floor(r() * 10);
    const ip = r() < 0.5 ? `10.${a}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}` : `93.184.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
    tuples.push({ s: Math.floor(r() * pods), ip, port: 443, proto: 'TCP' });
  }
  const ipOf = (i) => `10.244.${(i >> 8) & 255}.${i & 255}`;
  const labels = (i) => `"k8s:app=a${podApp(i)}","k8s:tier=t${podApp(i) % 3}","k8s:pod-name=p${i}","k8s:io.kubernetes.pod.namespace=${podNs(i)}","k8s:io.cilium.k8s.policy.cluster=default","k8s:io.cilium.k8s.policy.serviceaccount=default"`;
  const ep = (i) => `{"ID":${1000 + (i % 4000)},"identity":${20000 + podApp(i)},"cluster_name":"default","namespace":"${podNs(i)}","labels":[${labels(i)}],"pod_name":"p${i}"}`;
  const world = '{"identity":2,"labels":["reserved:world"]}';
  const half = Math.floor(n / 2);
  const hubble = join(dir, 'hubble.jsonl');
  const whisker = join(dir, 'whisker.json');
  const write = async (path, fill) => {
    const out = createWriteStream(path);
    let buf = '';
    await fill(async (s) => {
      buf += s;
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) await once(out, 'drain');
        buf = '';
      }
    });
    out.end(buf);
    await once(out, 'finish');
  };
  await write(hubble, async (emit) => {
    for (let k = 0; k < half; k++) {
      const t = tuples[Math.floor(r() * tuples.length)];
      const reply = r() < 0.2;
      const dir = k % 2 ? 'INGRESS' : 'EGRESS';
      const ts = `2026-11-03T10:${String(Math.floor(k / 60000) % 60).padStart(2, '0')}:${String(Math.floor(k / 1000) % 60).padStart(2, '0')}.${String(k % 1000).padStart(3, '0')}000000Z`;
      const src = reply ? (t.ip ? world : ep(t.d)) : ep(t.s);
      const dst = reply ? ep(t.s) : t.ip ? world : ep(t.d);
      const sip = reply ? t.ip ?? ipOf(t.d) : ipOf(t.s);
      const dip = reply ? ipOf(t.s) : t.ip ?? ipOf(t.d);
      const l4 = t.proto === 'TCP' ? `{"TCP":{"source_port":${reply ? t.port : 40000 + (k % 20000)},"destination_port":${reply ? 40000 + (k % 20000) : t.port},"flags":{${reply ? '"SYN":true,"ACK":true' : '"SYN":true'}}}}` : `{"UDP":{"source_port":${reply ? t.port : 40000 + (k % 20000)},"destination_port":${reply ? 40000 + (k % 20000) : t.port}}}`;
      const verdict = !reply && t.port === 9090 && t.s % 7 === 0 ? '"verdict":"DROPPED","drop_reason_desc":"POLICY_DENIED","event_type":{"type":1}' : '"verdict":"FORWARDED","event_type":{"type":5}';
      await emit(`{"flow":{"time":"${ts}","uuid":"6e0f7a9c-0000-4000-8000-${String(k).padStart(12, '0')}",${verdict},"ethernet":{"source":"0a:58:0a:f4:01:0a","destination":"0a:58:0a:f4:02:14"},"IP":{"source":"${sip}","destination":"${dip}","ipVersion":"IPv4"},"l4":${l4},"source":${src},"destination":${dst},"Type":"L3_L4","node_name":"worker-${k % 8}","traffic_direction":"${dir}","is_reply":${reply},"trace_observation_point":"TO_ENDPOINT","interface":{"index":12,"name":"lxc${k % 997}"},"Summary":""},"node_name":"worker-${k % 8}","time":"${ts}"}\n`);
    }
  });
  const calicoLabels = (i) => `app=a${podApp(i)} | pod-name=p${i} | tier=t${podApp(i) % 3}`;
  await write(whisker, async (emit) => {
    await emit('{"total":{"totalPages":1},"items":[\n');
    for (let k = 0; k < n - half; k++) {
      const t = tuples[Math.floor(r() * tuples.length)];
      const deny = t.port === 9090 && t.s % 7 === 0;
      const dst = t.ip ? `"dest_name":"${t.ip.startsWith('10.') ? 'pvt' : 'pub'}","dest_namespace":"","dest_labels":""` : `"dest_name":"p${t.d}","dest_namespace":"${podNs(t.d)}","dest_labels":"${calicoLabels(t.d)}"`;
      const rep = k % 2 ? 'Dst' : 'Src';
      await emit(`${k ? ',\n' : ''}{"start_time":"2026-11-03T10:00:00Z","end_time":"2026-11-03T10:00:15Z","action":"${deny ? 'Deny' : 'Allow'}","source_name":"p${t.s}","source_namespace":"${podNs(t.s)}","source_labels":"${calicoLabels(t.s)}",${dst},"protocol":"${t.proto.toLowerCase()}","dest_port":${t.port},"reporter":"${rep}","policies":{"enforced":[{"kind":"NetworkPolicy","name":"${rep === 'Src' ? `egress-${t.s % 40}` : `ingress-${(t.d ?? 0) % 40}`}","namespace":"${podNs(rep === 'Src' ? t.s : t.d ?? t.s)}","tier":"default","action":"${deny ? 'Deny' : 'Allow'}","policy_index":0,"rule_index":${t.port % 3},"trigger":null}],"pending":[]},"packets_in":12,"packets_out":10,"bytes_in":2048,"bytes_out":1024}`);
    }
    await emit('\n]}\n');
  });
  return { hubble, whisker };
}

if (!only || only === 'flows') {
  const N = Number(process.env.FLOWS_BENCH_RECORDS ?? 1_000_000);
  console.log(`\n== Observed flows: import and classify ${N.toLocaleString('en-US')} records (CLI process) against 5000 pods x 2000 policies`);
  const dir = join(outDir, 'flows');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const [manifest] = generate(5000, 2000);
  const manifestPath = join(dir, manifest.path);
  writeFileSync(manifestPath, manifest.text);
  const t0 = process.hrtime.bigint();
  const { hubble, whisker } = await writeFlowFiles(dir, 5000, N);
  const genMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const size = (p) => statSync(p).size;
  console.log(`generated in ${(genMs / 1000).toFixed(1)} s: hubble.jsonl ${mib(size(hubble))} MiB (${Math.floor(N / 2)} lines), whisker.json ${mib(size(whisker))} MiB (${N - Math.floor(N / 2)} items)`);
  // The CLI as a process; a preload reports its peak RSS (the maximum resident set size) on exit.
  const rss = join(dir, 'rss.cjs');
  writeFileSync(rss, "process.on('exit', () => { const u = process.resourceUsage(); require('node:fs').writeSync(2, `\\n@@maxrss ${u.maxRSS} @@cpu ${u.userCPUTime + u.systemCPUTime}\\n`); });\n");
  execSync('node scripts/build.mjs cli', { cwd: root, stdio: 'ignore' });
  console.log(`(load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${availableParallelism()} cores; cpu_s is the CPU time of all threads)`);
  console.log('output  wall_s  cpu_s  peak_rss_MiB  flows  unmatched_records  summary');
  for (const output of ['text', 'json']) {
    const t = process.hrtime.bigint();
    const res = spawnSync(process.execPath, ['--require', rss, join(root, 'bin', 'policy-lens.js'), 'flows', hubble, whisker, '--manifests', manifestPath, '--output', output], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
    const wall = Number(process.hrtime.bigint() - t) / 1e9;
    const maxrss = Number(/@@maxrss (\d+)/.exec(res.stderr ?? '')?.[1] ?? 0) / 1024;
    const cpu = Number(/@@cpu (\d+)/.exec(res.stderr ?? '')?.[1] ?? 0) / 1e6;
    if (res.status !== 0) {
      console.log(`${output}: exit ${res.status}: ${(res.stderr ?? '').slice(0, 500)}`);
      process.exitCode = 1;
      continue;
    }
    const summary = output === 'json' ? JSON.parse(res.stdout).summary : undefined;
    const first = output === 'text' ? res.stdout.split('\n')[0] : `${summary.flows} flows, ${summary.unobservedPairs} unobserved pairs listed, ${mib(Buffer.byteLength(res.stdout))} MiB JSON`;
    const flows = output === 'json' ? summary.flows : Number(/(\d+) observed flows/.exec(first)?.[1]);
    const unmatched = output === 'json' ? summary.unmatchedRecords : Number(/(\d+) records unmatched/.exec(first)?.[1]);
    console.log(`${output.padEnd(6)}  ${wall.toFixed(1).padStart(6)}  ${cpu.toFixed(1).padStart(5)}  ${maxrss.toFixed(0).padStart(12)}  ${String(flows).padStart(5)}  ${String(unmatched).padStart(17)}  ${first}`);
  }
  console.log('target: 1,000,000 records imported and classified under 10 s, peak RSS under 1 GiB (text output; json also lists every unobserved pair)');
  if (!process.env.FLOWS_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}

if (!only || only === 'lsp') {
  const lsp = join(root, 'scripts', 'bench-lsp.mjs');
  if (existsSync(lsp)) {
    console.log('\n== Language server');
    const r = spawnSync(process.execPath, [lsp], { stdio: 'inherit', cwd: root });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  } else {
    console.log('\n(language-server benchmark scripts/bench-lsp.mjs not present)');
  }
}

if (!only || only === 'big') {
  console.log('\n== Language server, one big document');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'bench-big.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

if (!only || only === 'panel') {
  console.log('\n== Reachability panel (server over stdio): edit -> panel data, incremental beside from scratch');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'bench-panel.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
