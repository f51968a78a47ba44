// Generates a large cluster the way `kubectl get pods -A -o yaml` prints it (one PodList with ownerReferences,
// pod-template-hash labels, status.podIP), plus NetworkPolicies in files of 100. Used by `npm run bench` for the
// CLI scale figures (issue 10: 50,000 pods owned by 5,000 Deployments x 10,000 policies in 100 namespaces).
//   node scripts/gen-cluster.mjs OUTDIR [pods=50000] [deployments=5000] [policies=10000] [namespaces=100]
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export function generateKubectlCluster(out, { pods = 50000, deployments = 5000, policies = 10000, namespaces = 100, seed = 3 } = {}) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const r = rng(seed);
  const perDep = Math.max(1, Math.round(pods / deployments));
  const ns = (i) => `team-${i}`;
  const nsDocs = [];
  for (let n = 0; n < namespaces; n++) nsDocs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns(n)}\n  labels:\n    kubernetes.io/metadata.name: ${ns(n)}\n    tier: t${n % 5}\n    env: ${n % 3 === 0 ? 'prod' : 'dev'}\n`);
  writeFileSync(join(out, 'namespaces.yaml'), nsDocs.join('---\n'));
  const items = [];
  let ip = 0;
  for (let d = 0; d < deployments; d++) {
    const n = d % namespaces;
    const app = `app${Math.floor(d / namespaces) % 50}`;
    const hash = (d * 2654435761 >>> 0).toString(16).slice(0, 8);
    const rs = `${app}-d${d}-${hash}`;
    for (let p = 0; p < perDep; p++) {
      ip++;
      const name = `${rs}-${(p * 7919 + d).toString(36).padStart(5, 'x')}`;
      items.push(`- apiVersion: v1
  kind: Pod
  metadata:
    creationTimestamp: "2026-11-01T10:00:00Z"
    generateName: ${rs}-
    labels:
      app: ${app}
      component: c${d % 7}
      pod-template-hash: ${hash}
    name: ${name}
    namespace: ${ns(n)}
    ownerReferences:
    - apiVersion: apps/v1
      blockOwnerDeletion: true
      controller: true
      kind: ReplicaSet
      name: ${rs}
      uid: 0000${d}-aaaa-bbbb-cccc-${String(d).padStart(12, '0')}
    resourceVersion: "${1000 + ip}"
    uid: ${ip}-1111-2222-3333-444444444444
  spec:
    containers:
    - image: registry.example/${app}:1.0
      imagePullPolicy: IfNotPresent
      name: main
      ports:
      - containerPort: 8080
        name: http
        protocol: TCP
      - containerPort: 9090
        name: metrics
        protocol: TCP
      resources:
        requests:
          cpu: 100m
          memory: 128Mi
    dnsPolicy: ClusterFirst
    nodeName: node-${d % 40}
    restartPolicy: Always
    serviceAccountName: ${app}
  status:
    phase: Running
    podIP: 10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}
    podIPs:
    - ip: 10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}
`);
    }
  }
  writeFileSync(join(out, 'pods.yaml'), `apiVersion: v1\nitems:\n${items.join('')}kind: List\nmetadata:\n  resourceVersion: ""\n`);
  const pol = [];
  let made = 0;
  for (let n = 0; n < namespaces && made < policies; n++) {
    pol.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: ${ns(n)}}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n`);
    made++;
    if (made < policies) {
      pol.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-dns, namespace: ${ns(n)}}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]\n    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n`);
      made++;
    }
  }
  while (made < policies) {
    const n = Math.floor(r() * namespaces);
    const a = Math.floor(r() * 50);
    const b = Math.floor(r() * 50);
    const k = Math.floor(r() * 4);
    let spec;
    if (k === 0) spec = `  podSelector: {matchLabels: {app: app${a}}}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: app${b}}}}]\n    ports: [{port: http}]\n`;
    else if (k === 1) spec = `  podSelector: {matchLabels: {app: app${a}}}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {tier: t${b % 5}}}, podSelector: {matchLabels: {component: c${b % 7}}}}]\n    ports: [{port: 8080}]\n`;
    else if (k === 2) spec = `  podSelector: {matchLabels: {component: c${a % 7}}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{podSelector: {matchLabels: {app: app${b}}}}, {namespaceSelector: {matchLabels: {env: prod}}, podSelector: {matchLabels: {app: app${b}}}}]\n    ports: [{port: 8080}, {port: 9090}]\n`;
    else spec = `  podSelector: {matchLabels: {app: app${a}}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 172.${16 + (a % 16)}.0.0/16}}]\n    ports: [{port: 443}]\n`;
    pol.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p${made}, namespace: ${ns(n)}}\nspec:\n${spec}`);
    made++;
  }
  for (let i = 0; i < pol.length; i += 100) writeFileSync(join(out, `policies-${String(i / 100).padStart(4, '0')}.yaml`), pol.slice(i, i + 100).join('---\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, pods, deps, pols, nss] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node scripts/gen-cluster.mjs OUTDIR [pods] [deployments] [policies] [namespaces]');
    process.exit(2);
  }
  generateKubectlCluster(out, { pods: Number(pods ?? 50000), deployments: Number(deps ?? 5000), policies: Number(pols ?? 10000), namespaces: Number(nss ?? 100) });
}
