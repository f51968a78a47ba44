// Generated Kubernetes workspaces for the engine benchmark and the large-workspace e2e tests (scripts/bench.mjs,
// test/e2e/ui.js): namespaces, pods and NetworkPolicies. Deterministic: the same arguments always give the same YAML.

/** Deterministic PRNG so every run measures the same clusters. */
export function rng(seed) {
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

/** The same cluster as separate files (namespaces, pods per namespace, policies per namespace), as a repo holds it. */
export function generateFiles(pods, policies, seed = 1) {
  const [{ text }] = generate(pods, policies, seed);
  const byFile = new Map();
  for (const doc of text.split('---\n')) {
    const kind = /^kind: (\w+)/m.exec(doc)?.[1] ?? 'Other';
    const ns = /namespace: (\S+?)[,}\s]/.exec(doc)?.[1] ?? /^  name: (\S+)/m.exec(doc)?.[1] ?? 'cluster';
    const file = kind === 'Namespace' ? 'namespaces.yaml' : kind === 'Pod' ? `apps/${ns}.yaml` : `policies/${ns}.yaml`;
    if (!byFile.has(file)) byFile.set(file, []);
    byFile.get(file).push(doc);
  }
  return [...byFile].map(([path, docs]) => ({ path, text: docs.join('---\n') }));
}
