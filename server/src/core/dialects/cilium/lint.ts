// Lints for CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy, and for objects the chosen CNI ignores.
// (What the API server or the agent rejects is reported by parse.ts.) Pure: no LSP imports.
//
// Per document (lintCiliumChunk, on the YAML AST, with quick fixes):
//   cilium-unknown-field          a key the CRD does not define (typo?)                       fix: rename
//   cilium-empty-peer-list        `fromEndpoints: []` & co. select nothing                     fix: `[{}]` (every endpoint)
//   cilium-default-deny-disabled  enableDefaultDeny: false on a policy that looks like an isolation policy
//                                                                                              fix: remove the false
// Workspace (lintCilium, on the model and the engine):
//   cilium-fqdn-without-dns       toFQDNs without an egress DNS rule (L7 dns) for the same pods  fix: add one
//   cilium-cidr-matches-pods      a CIDR rule aimed at pod addresses (CIDR rules never match pods)
//   cilium-deny-shadows-allow     an allow rule every flow of which a deny rule denies first
//   cilium-endpoint-selector-namespace  a CNP endpointSelector naming another namespace (replaced)
//   cilium-label-not-in-identity  a selector on a pod label Cilium leaves out of identities
//   cilium-not-modelled           parsed, but not part of the reachability (host policies, toServices, ...)
//   cni-kind-ignored              an object of a kind the chosen CNI ignores
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Cluster, SourceRange } from '../../model';
import { asMap, asSeq, keyName, keySpan, nodeSpan, pairOf, valueOf } from '../../lint/ast';
import type { ParsedChunk } from '../../documents';
import type { FixHint, LocalFinding } from '../../lint/doc-rules';
import type { Finding } from '../../lint/workspace-rules';
import { editDistance } from '../../lint/net';
import type { Analysis } from '../../analysis';
import type { CniChoice } from '../../policy/cni';
import { cniName } from '../../policy/cni';
import { isCiliumPolicyKind, POD_NAMESPACE_LABEL, type CiliumOptions, type CiliumPeerRule, type CiliumPolicy, type CiliumRule } from './model';
import { isIdentityLabel } from './labels';
import { ciliumSubjectMatcher, ruleDisplay } from './lower';
import { buildWorld } from '../../policy/build';
import { ciliumSettings } from '../../policy/cni';
import { parseCidr, parseIPv4, parseIPv6 } from '../../ip';
import { ruleLabel } from '../../explain/format';

// ---------------------------------------------------------------- field tables (pkg/policy/api JSON names)

const SELECTOR = ['matchLabels', 'matchExpressions'];
const PORT_RULE = ['ports', 'rules', 'terminatingTLS', 'originatingTLS', 'serverNames', 'listener'];
const INGRESS_COMMON = ['fromEndpoints', 'fromRequires', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes', 'toPorts', 'icmps'];
const EGRESS_COMMON = ['toEndpoints', 'toRequires', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes', 'toPorts', 'icmps'];
const FIELDS: Record<string, string[]> = {
  root: ['apiVersion', 'kind', 'metadata', 'spec', 'specs', 'status'],
  rule: ['endpointSelector', 'nodeSelector', 'ingress', 'ingressDeny', 'egress', 'egressDeny', 'labels', 'enableDefaultDeny', 'description', 'log'],
  ingress: [...INGRESS_COMMON, 'authentication'],
  ingressDeny: INGRESS_COMMON,
  egress: [...EGRESS_COMMON, 'toFQDNs', 'authentication'],
  egressDeny: EGRESS_COMMON,
  portRule: PORT_RULE,
  port: ['port', 'endPort', 'protocol'],
  cidrRule: ['cidr', 'cidrGroupRef', 'cidrGroupSelector', 'except'],
  icmpRule: ['fields'],
  icmpField: ['family', 'type'],
  fqdn: ['matchName', 'matchPattern'],
  enableDefaultDeny: ['ingress', 'egress'],
  l7: ['http', 'kafka', 'dns', 'l7proto', 'l7'],
};

class Collector {
  readonly out: LocalFinding[] = [];
  constructor(readonly text: string) {}
  add(code: string, severity: LocalFinding['severity'], message: string, span: [number, number] | undefined, fix?: FixHint): void {
    if (span) this.out.push({ code, severity, message, start: span[0], end: span[1], fix });
  }
}

function unknownKeys(c: Collector, map: unknown, table: string[], where: string): void {
  const m = asMap(map);
  if (!m) return;
  for (const it of m.items) {
    const p = it as Pair;
    const k = keyName(p);
    if (k === undefined || table.includes(k)) continue;
    const best = table.map((t) => ({ t, d: editDistance(k.toLowerCase(), t.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
    const near = best && best.d <= Math.max(2, Math.floor(k.length / 4)) ? best.t : undefined;
    c.add('cilium-unknown-field', 'warning', `Unknown field \`${k}\` in ${where}${near ? `; did you mean \`${near}\`?` : ''} The API server drops unknown fields, so it has no effect.`, keySpan(p, c.text), near ? { kind: 'rename-key', to: near } : undefined);
  }
}

function items(n: unknown): Node[] {
  return (asSeq(n)?.items as Node[] | undefined) ?? [];
}

function lintRule(c: Collector, rule: YAMLMap, name: string): void {
  unknownKeys(c, rule, FIELDS.rule, 'a Cilium policy rule');
  for (const k of ['endpointSelector', 'nodeSelector']) unknownKeys(c, valueOf(rule, k), SELECTOR, k);
  unknownKeys(c, valueOf(rule, 'enableDefaultDeny'), FIELDS.enableDefaultDeny, 'enableDefaultDeny');
  for (const dir of ['ingress', 'ingressDeny', 'egress', 'egressDeny']) {
    for (const r of items(valueOf(rule, dir))) {
      if (!isMap(r)) continue;
      unknownKeys(c, r, FIELDS[dir], `an ${dir} rule`);
      for (const f of ['fromEndpoints', 'toEndpoints', 'fromNodes', 'toNodes']) for (const s of items(valueOf(r, f))) unknownKeys(c, s, SELECTOR, f);
      for (const f of ['fromCIDRSet', 'toCIDRSet']) for (const s of items(valueOf(r, f))) unknownKeys(c, s, FIELDS.cidrRule, f);
      for (const pr of items(valueOf(r, 'toPorts'))) {
        unknownKeys(c, pr, dir.endsWith('Deny') ? ['ports'] : FIELDS.portRule, 'a toPorts entry');
        for (const pp of items(valueOf(pr, 'ports'))) unknownKeys(c, pp, FIELDS.port, 'a ports entry');
        unknownKeys(c, valueOf(pr, 'rules'), FIELDS.l7, 'rules');
      }
      for (const ic of items(valueOf(r, 'icmps'))) {
        unknownKeys(c, ic, FIELDS.icmpRule, 'an icmps entry');
        for (const f of items(valueOf(ic, 'fields'))) unknownKeys(c, f, FIELDS.icmpField, 'an ICMP field');
      }
      for (const q of items(valueOf(r, 'toFQDNs'))) unknownKeys(c, q, FIELDS.fqdn, 'a toFQDNs entry');
      // [API] an empty non-nil peer list selects nothing.
      for (const f of ['fromEndpoints', 'toEndpoints', 'fromEntities', 'toEntities', 'fromCIDR', 'toCIDR', 'fromCIDRSet', 'toCIDRSet', 'fromNodes', 'toNodes']) {
        const p = pairOf(r, f);
        const v = asSeq(p?.value);
        if (!p || !v || v.items.length > 0) continue;
        const endpoints = f.endsWith('Endpoints');
        c.add(
          'cilium-empty-peer-list',
          'warning',
          `\`${f}: []\` selects nothing, so this rule ${dir.endsWith('Deny') ? 'denies' : 'allows'} nothing${dir.endsWith('Deny') ? '' : ' (it still puts the selected endpoints in default-deny)'}.${endpoints ? ` To select every endpoint${name === 'CiliumNetworkPolicy' ? ' of the namespace' : ''} write \`${f}: [{}]\`; to allow nothing, leave the rule out.` : ' Leave the rule out if that is the intent.'}`,
          nodeSpan(p.value, c.text),
          endpoints ? { kind: 'cilium-select-all' } : undefined,
        );
      }
    }
  }
  // enableDefaultDeny: false on a direction whose allow rules allow nothing (the default-deny idiom `- {}`).
  const edd = asMap(valueOf(rule, 'enableDefaultDeny'));
  for (const [dir, deny] of [
    ['ingress', 'ingressDeny'],
    ['egress', 'egressDeny'],
  ] as const) {
    const p = pairOf(edd, dir);
    if (!p || !isScalar(p.value) || (p.value as { value: unknown }).value !== false) continue;
    const allows = items(valueOf(rule, dir));
    const emptyRules = allows.filter((r) => (isMap(r) && r.items.length === 0) || r === null || (isScalar(r) && (r as { value: unknown }).value === null));
    const looksIsolating = allows.length > 0 && emptyRules.length === allows.length;
    if (!looksIsolating) continue;
    c.add(
      'cilium-default-deny-disabled',
      'warning',
      `This policy's ${dir} rules allow nothing (\`- {}\`, the default-deny idiom), but \`enableDefaultDeny.${dir}: false\` keeps it from putting the selected endpoints in default-deny: it has no ${dir} effect${items(valueOf(rule, deny)).length ? ` besides its ${deny} rules` : ''}. Remove \`${dir}: false\` to make it an isolation policy.`,
      keySpan(p, c.text),
      { kind: 'remove-key' },
    );
  }
}

/** Per-document lints of a CNP/CCNP (unknown fields, empty peer lists, enableDefaultDeny: false). */
export function lintCiliumChunk(chunk: ParsedChunk): LocalFinding[] {
  if (!isCiliumPolicyKind(chunk.kind) || !chunk.apiVersion?.startsWith('cilium.io/')) return [];
  const root = asMap(chunk.doc.contents);
  if (!root) return [];
  const c = new Collector(chunk.text);
  unknownKeys(c, root, FIELDS.root, chunk.kind);
  const spec = asMap(valueOf(root, 'spec'));
  if (spec) lintRule(c, spec, chunk.kind);
  for (const s of items(valueOf(root, 'specs'))) if (isMap(s)) lintRule(c, s, chunk.kind);
  return c.out;
}

// ---------------------------------------------------------------- workspace lints

function add(out: Finding[], code: string, severity: Finding['severity'], message: string, range: SourceRange | undefined, fix?: FixHint): void {
  if (range) out.push({ code, severity, message, range, fix });
}

function allRules(r: CiliumRule): CiliumPeerRule[] {
  return [...r.ingress, ...r.ingressDeny, ...r.egress, ...r.egressDeny];
}

const NOT_MODELLED_ENTITIES: Record<string, string> = {
  host: 'the local host',
  'remote-node': 'other nodes',
  'kube-apiserver': 'the API server',
  ingress: 'the Cilium ingress proxy',
  init: 'endpoints without an identity yet',
  health: 'the health endpoints',
  unmanaged: 'endpoints Cilium does not manage',
};

/** Pod CIDRs from the cilium-config ConfigMap (cluster-pool IPAM, native routing). */
function podCidrs(cluster: Cluster): { text: string; cidr: ReturnType<typeof parseCidr> }[] {
  const out: { text: string; cidr: ReturnType<typeof parseCidr> }[] = [];
  for (const cm of cluster.cilium?.configs ?? []) {
    for (const k of ['cluster-pool-ipv4-cidr', 'cluster-pool-ipv6-cidr', 'ipv4-native-routing-cidr', 'ipv6-native-routing-cidr']) {
      for (const t of (cm.data[k] ?? '').split(/[\s,]+/).filter(Boolean)) out.push({ text: `${t} (${k})`, cidr: parseCidr(t) });
    }
  }
  return out;
}

function podIps(cluster: Cluster): { id: string; family: 4 | 6; v: bigint }[] {
  const out: { id: string; family: 4 | 6; v: bigint }[] = [];
  for (const w of cluster.workloads) {
    for (const ip of w.ips ?? []) {
      const v4 = parseIPv4(ip);
      const v6 = v4 === undefined ? parseIPv6(ip) : undefined;
      if (v4 !== undefined) out.push({ id: w.id, family: 4, v: v4 });
      else if (v6 !== undefined) out.push({ id: w.id, family: 6, v: v6 });
    }
  }
  return out;
}

export interface CiliumLintEnv {
  /** The CNI the workspace is evaluated as. */
  cni: CniChoice;
  /** The engine's analysis (built on first use). */
  analysis: () => Analysis;
  /** Cilium agent settings given explicitly (they override kube-system/cilium-config). */
  cilium?: CiliumOptions;
}

/** Workspace lints of Cilium objects, and of objects the chosen CNI ignores. */
export function lintCilium(cluster: Cluster, env: CiliumLintEnv): Finding[] {
  const out: Finding[] = [];
  const cni = env.cni;
  const policies = (cluster.cilium?.policies ?? []).filter((p) => !p.rejected);

  // cni-kind-ignored: objects of kinds the chosen CNI does not enforce.
  if (cni.cni !== 'cilium') {
    for (const p of cluster.cilium?.policies ?? []) {
      add(out, 'cni-kind-ignored', 'warning', `${p.kind} is enforced only by Cilium; this workspace is evaluated as ${cniName(cni.cni)} (${cni.how === 'setting' ? 'set by policyLens.cni / --cni' : cni.reason}), which ignores it: its rules are not part of the reachability.`, p.nameRange ?? p.range);
    }
  }
  if (cni.cni !== 'calico') {
    for (const p of cluster.calico?.policies ?? []) {
      add(out, 'cni-kind-ignored', 'warning', `${p.kind} is enforced only by Calico; this workspace is evaluated as ${cniName(cni.cni)} (${cni.how === 'setting' ? 'set by policyLens.cni / --cni' : cni.reason}), which ignores it: its rules are not part of the reachability.`, p.metadata.nameRange ?? p.range);
    }
  }
  if (cni.cni === 'cilium') {
    // Cilium 1.20 enforces ClusterNetworkPolicy only behind enable-k8s-cluster-network-policy and has no
    // AdminNetworkPolicy/BaselineAdminNetworkPolicy (field notes §1.5; cilium PR #47227).
    const cnpOn = ciliumSettings(cluster, env.cilium).clusterNetworkPolicy;
    for (const p of cluster.clusterPolicies ?? []) {
      if (p.kind === 'ClusterNetworkPolicy' && cnpOn) continue;
      const why =
        p.kind === 'ClusterNetworkPolicy'
          ? 'Cilium 1.20 enforces ClusterNetworkPolicy only with `enable-k8s-cluster-network-policy: "true"` in kube-system/cilium-config (Helm k8sClusterNetworkPolicy.enabled), which this workspace does not set'
          : `Cilium does not implement the deprecated ${p.kind} (only ClusterNetworkPolicy, behind enable-k8s-cluster-network-policy)`;
      add(out, 'cni-kind-ignored', 'warning', `${why}; this workspace is evaluated as Cilium (${cni.how === 'setting' ? 'set by policyLens.cni / --cni' : cni.reason}), so its rules are not part of the reachability.`, p.nameRange ?? p.range);
    }
  }
  if (!policies.length) return out;

  const groups = cluster.cilium?.cidrGroups ?? [];
  const pods = podIps(cluster);
  const podNets = podCidrs(cluster);
  for (const p of policies) {
    for (const r of p.rules) {
      if (r.nodeSelector && !r.endpointSelector) add(out, 'cilium-not-modelled', 'info', `A nodeSelector makes this a host policy (it applies to nodes, not pods); nodes are not endpoints of the reachability, so its rules are not evaluated.`, r.nodeSelector.range ?? p.nameRange);
      // endpointSelector of a CNP naming another namespace.
      if (p.namespace !== undefined && r.endpointSelector) {
        for (const m of r.endpointSelector.matchLabels) {
          if (m.key.name === POD_NAMESPACE_LABEL && (m.key.source === 'k8s' || m.key.source === 'any') && m.value !== p.namespace) {
            add(out, 'cilium-endpoint-selector-namespace', 'warning', `The endpointSelector of a CiliumNetworkPolicy always applies in the policy's namespace (${p.namespace}); Cilium replaces \`${m.key.raw}: ${m.value}\` with it. Use a CiliumClusterwideNetworkPolicy to select pods of ${m.value}, or move the policy there.`, m.range ?? r.endpointSelector.range);
          }
        }
      }
      const sels = [...(r.endpointSelector ? [r.endpointSelector] : []), ...allRules(r).flatMap((x) => x.endpoints ?? [])];
      for (const s of sels) {
        for (const m of [...s.matchLabels.map((x) => ({ key: x.key, range: x.range, positive: true })), ...s.matchExpressions.map((x) => ({ key: x.key, range: x.range, positive: x.operator === 'In' || x.operator === 'Exists' }))]) {
          if (!m.positive || (m.key.source !== 'k8s' && m.key.source !== 'any') || isIdentityLabel(m.key.name)) continue;
          add(out, 'cilium-label-not-in-identity', 'warning', `Cilium leaves the pod label \`${m.key.name}\` out of security identities (default label filter), so a selector requiring it never matches. Select on an identity label instead (e.g. app, or app.kubernetes.io/*).`, m.range ?? s.range);
        }
      }
      for (const pr of allRules(r)) {
        for (const e of pr.entities ?? []) if (NOT_MODELLED_ENTITIES[e.name]) add(out, 'cilium-not-modelled', 'info', `The entity \`${e.name}\` (${NOT_MODELLED_ENTITIES[e.name]}) is not an endpoint of the reachability: this peer matches nothing there.`, e.range);
        for (const s of pr.services ?? []) add(out, 'cilium-not-modelled', 'info', `toServices is shown as the named destination \`service:${s.text}\`; it is not resolved to the service's pods.`, s.range);
        for (const g of pr.groups ?? []) add(out, 'cilium-not-modelled', 'info', `${pr.direction === 'Ingress' ? 'fromGroups' : 'toGroups'} (cloud security groups) is not modelled: shown as the named destination \`group:${g.text}\`.`, g.range);
        for (const n of pr.nodes ?? []) add(out, 'cilium-not-modelled', 'info', 'Nodes are not endpoints of the reachability: this node selector matches nothing there.', n.range);
        if (pr.authentication && pr.authentication !== 'disabled') add(out, 'cilium-not-modelled', 'info', `authentication.mode ${pr.authentication} (mutual authentication) is not modelled: the L3/L4 verdict assumes it succeeds.`, pr.range);
        for (const c of pr.cidrs ?? []) {
          if (c.groupRef !== undefined && !groups.some((g) => g.name === c.groupRef)) add(out, 'cilium-not-modelled', 'info', `No CiliumCIDRGroup named ${c.groupRef} in the workspace: this peer matches nothing here.`, c.range);
          // CIDR rules never match pods ([CIDR] in lower.ts).
          if (!c.cidr) continue;
          const hit = pods.find((ip) => ip.family === c.cidr!.family && c.cidr!.lo <= ip.v && ip.v <= c.cidr!.hi);
          const net = podNets.find((n) => typeof n.cidr !== 'string' && n.cidr.family === c.cidr!.family && n.cidr.lo <= c.cidr!.hi && c.cidr!.lo <= n.cidr.hi && c.cidr!.prefix >= n.cidr.prefix);
          if (hit || net) {
            add(out, 'cilium-cidr-matches-pods', 'warning', `${c.text} covers pod addresses (${hit ? `the pod IP of ${hit.id}` : `the pod CIDR ${net!.text}`}), but Cilium CIDR rules only apply to peers outside the cluster: they never match pods${cni.cni === 'cilium' ? '' : ' (under Cilium)'}. Select the pods with ${pr.direction === 'Ingress' ? 'fromEndpoints' : 'toEndpoints'} instead.`, c.range);
          }
        }
      }
      // toFQDNs needs a DNS rule (L7 dns) for the same pods, or the DNS proxy never learns the names.
      for (const pr of r.egress) {
        if (!pr.fqdns?.length) continue;
        if (!dnsVisible(cluster, policies, p, r, env.cilium)) {
          add(out, 'cilium-fqdn-without-dns', 'warning', 'toFQDNs only matches names the DNS proxy has seen, and no egress rule with DNS L7 rules (`rules: dns`) on port 53 applies to these pods: the names are never learnt, so this rule allows nothing. Add an egress rule to kube-dns with `rules: {dns: [{matchPattern: "*"}]}`.', pr.range, { kind: 'cilium-add-dns' });
        }
      }
    }
  }
  if (cni.cni === 'cilium') out.push(...denyShadows(policies, env.analysis()));
  return out;
}

/** Is DNS inspected (an egress rule with L7 dns rules on port 53) for the pods `r` selects? */
function dnsVisible(cluster: Cluster, policies: CiliumPolicy[], p: CiliumPolicy, r: CiliumRule, opts?: CiliumOptions): boolean {
  const hasDnsRule = (q: CiliumRule) => q.egress.some((e) => e.toPorts?.some((t) => t.l7?.kind === 'dns' && t.ports.some((pp) => pp.port === 53 || pp.port === undefined)));
  if (hasDnsRule(r)) return true;
  // Other rules selecting the same pods (by the engine's subject matchers: the same selection as the evaluator).
  if (cluster.workloads.length === 0) return false;
  const world = buildWorld(cluster);
  const clusterName = ciliumSettings(cluster, opts).clusterName;
  const mine = ciliumSubjectMatcher(p, r, clusterName).workloads(world);
  if (mine.length === 0) return true; // selects nothing here: nothing to say
  const covered = new Set<number>();
  for (const q of policies) for (const qr of q.rules) if (hasDnsRule(qr)) for (const i of ciliumSubjectMatcher(q, qr, clusterName).workloads(world)) covered.add(i);
  return mine.every((i) => covered.has(i));
}


/** Allow rules every flow of which a deny rule denies first (the engine's own walk: the rule decides nothing). */
function denyShadows(policies: CiliumPolicy[], a: Analysis): Finding[] {
  const out: Finding[] = [];
  for (const p of policies) {
    for (const r of p.rules) {
      if (!r.endpointSelector || r.ingressDeny.length + r.egressDeny.length + policies.reduce((n, q) => n + q.rules.reduce((m, x) => m + x.ingressDeny.length + x.egressDeny.length, 0), 0) === 0) continue;
      for (const pr of [...r.ingress, ...r.egress]) {
        if (!pr.range) continue;
        const eff = a.ruleEffectsAt(pr.range.file, pr.range.startOffset);
        if (!eff || eff.effects.length > 0) continue;
        // Would the rule match something without the deny rules? Its peers match some column and it selects pods.
        const matched = ruleMatchesSomething(a, p, r, pr);
        if (!matched) continue;
        add(out, 'cilium-deny-shadows-allow', 'warning', `${ruleDisplay(p, r)} ${ruleLabel(pr.direction, pr.index)} allows nothing: every flow it matches is denied first by ${matched} (deny rules take precedence over allow rules, whatever policy they are in).`, pr.range);
      }
    }
  }
  return out;
}

/** The deny rules (in words) that take every flow of an allow rule, or undefined when they do not (or it matches nothing). */
function ruleMatchesSomething(a: Analysis, p: CiliumPolicy, r: CiliumRule, pr: CiliumPeerRule): string | undefined {
  const ev = a.evaluation;
  const dir = pr.direction;
  const display = ruleDisplay(p, r);
  const C = ev.classes.length;
  const denies = new Set<string>();
  let matched = false;
  for (let c = 0; c < C; c++) {
    const fr = ev.chain(c, dir).flatMap((t) => t.rules).find((x) => x.rule.action === 'Allow' && x.policy.display === display && x.rule.range?.startOffset === pr.range?.startOffset);
    if (!fr) continue;
    // Columns the allow rule's peers match.
    const cols: number[] = [];
    for (let col = 0; col < ev.columns; col++) {
      const x = col < C ? undefined : ev.externals[col - C];
      const hit = !fr.rule.peers || fr.rule.peers.some((m) => (col < C ? m.matchesWorkload(ev.world, ev.classes[col].members[0]) : x!.atom ? m.matchesAtom(x!.atom) : !!m.matchesDomain?.(x!.domain!)));
      if (hit && !(col === c && ev.classes[c].members.length === 1)) cols.push(col);
    }
    if (cols.length === 0) continue;
    matched = true;
    const denied = new Map<number, string[]>();
    ev.walk(c, dir, cols, {
      rule: (_t, step, hit, col) => {
        if (step.rule.action !== 'Deny' || hit.isEmpty()) return;
        const l = denied.get(col) ?? [];
        l.push(`${step.policy.display} ${ruleLabel(dir, step.rule.index, step.rule.name, { kind: step.policy.kind, action: 'Deny' })}`);
        denied.set(col, l);
      },
    });
    for (const col of cols) {
      const l = denied.get(col);
      if (!l) return undefined; // some matched flow is not denied by a deny rule
      for (const x of l) denies.add(x);
    }
  }
  if (!matched || denies.size === 0) return undefined;
  return [...denies].slice(0, 3).join(', ') + (denies.size > 3 ? ', …' : '');
}

export type { YAMLMap };
