// `npm run bench`: engine time and memory on generated clusters, then observed-flow import (1,000,000 records through
// the CLI as a process), then the language-server benchmark (scripts/bench-lsp.mjs) when present. Prints figures;
// asserts nothing (targets are in the README).
//
//   node scripts/bench.mjs            engine + flows + LSP
//   node scripts/bench.mjs engine     engine only
//   node scripts/bench.mjs flows      flow import only
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { execSync, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv[2];
const outDir = join(root, 'out', 'bench');
mkdirSync(outDir, { recursive: true });
await build({ entryPoints: [join(root, 'server/src/core/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: join(outDir, 'core.cjs'), logLevel: 'warning' });
const core = createRequire(import.meta.url)(join(outDir, 'core.cjs'));

/** Deterministic PRNG so every run measures the same clusters. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * A cluster of `pods` pods in pods/50 namespaces; each namespace has 10 apps (5 replicas each) in 3 tiers.
 * Every pod also has a unique pod-name label, so grouping must come from what selectors can tell apart.
 * Policies: per namespace a default deny (ingress+egress) and DNS egress; the rest allow app->app on a
 * numeric or named port, from other namespaces by label, or to external CIDRs.
 */
export function generate(pods, policies, seed = 1) {
  const r = rng(seed);
  const nsCount = Math.max(1, Math.round(pods / 50));
  const docs = [];
  for (let n = 0; n < nsCount; n++) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns${n}\n  labels: {team: t${n % 7}, env: ${n % 2 ? 'prod' : 'dev'}}\n`);
  for (let i = 0; i < pods; i++) {
    const n = i % nsCount;
    const app = Math.floor(i / nsCount) % 10;
    docs.push(
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\n  namespace: ns${n}\n  labels: {app: a${app}, tier: t${app % 3}, pod-name: p${i}}\nspec:\n  containers:\n  - name: c\n    image: img\n    ports:\n    - {name: http, containerPort: ${8000 + app}}\n    - {name: metrics, containerPort: 9090}\n`,
    );
  }
  let made = 0;
  for (let n = 0; n < nsCount && made < policies; n++) {
    docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: ns${n}}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n`);
    made++;
    if (made < policies) {
      docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-dns, namespace: ns${n}}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: a0}}}]\n    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n`);
      made++;
    }
  }
  while (made < policies) {
    const n = Math.floor(r() * nsCount);
    const kind = Math.floor(r() * 4);
    const a = Math.floor(r() * 10);
    const b = Math.floor(r() * 10);
    let spec;
    if (kind === 0) spec = `  podSelector: {matchLabels: {app: a${a}}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: a${b}}}}]\n    ports: [{port: ${8000 + a}}]\n`;
    else if (kind === 1) spec = `  podSelector: {matchLabels: {app: a${a}}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: t${b % 7}}}, podSelector: {matchExpressions: [{key: tier, operator: In, values: [t${b % 3}]}]}}]\n    ports: [{port: http}]\n`;
    else if (kind === 2) spec = `  podSelector: {matchLabels: {tier: t${a % 3}}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{podSelector: {matchLabels: {app: a${b}}}}, {namespaceSelector: {matchLabels: {env: prod}}}]\n    ports: [{port: 8000, endPort: 8010}]\n`;
    else spec = `  podSelector: {matchLabels: {app: a${a}}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 10.${a}.0.0/16, except: [10.${a}.${b}.0/24]}}]\n    ports: [{port: 443}]\n`;
    docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p${made}, namespace: ns${n}}\nspec:\n${spec}`);
    made++;
  }
  return [{ path: `gen-${pods}-${policies}.yaml`, text: docs.join('---\n') }];
}

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
