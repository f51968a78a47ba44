// Plain-English sentences for Cilium policies and rules (hover, outline details). The words for connections come
// from the one formatter (describeConns). Pure.
import { describeConns } from '../../explain/format';
import { ConnSet } from '../../ports';
import { effectivePeerSelector, effectiveSubjectSelector, selectorText } from './labels';
import { hasL4, isolatingDirections, ruleConns, selectsNothing } from './lower';
import { ENTITY_DOCS, type CiliumEntity, type CiliumPeerRule, type CiliumPolicy, type CiliumRule, type CiliumSelector } from './model';

function sel(s: CiliumSelector): string {
  return `\`${selectorText(s)}\``;
}

/** Who a selector of a peer selects, with the namespace Cilium injects. */
export function describePeerSelector(s: CiliumSelector, policyNs: string | undefined): string {
  const eff = effectivePeerSelector(s, policyNs);
  const injected = eff !== s;
  if (s.matchLabels.length + s.matchExpressions.length === 0) return policyNs !== undefined ? `every pod in namespace ${policyNs}` : 'every pod of the cluster';
  return `endpoints matching ${sel(s)}${injected ? (policyNs !== undefined ? ` in namespace ${policyNs}` : ' (pods only)') : ''}`;
}

/** The peers of a rule in words. */
export function describePeers(p: CiliumPolicy, r: CiliumPeerRule): string {
  if (selectsNothing(r)) return `nothing (${r.emptyL3.map((e) => `\`${e.field}: []\``).join(', ')} selects no peer)`;
  if (r.l3.length === 0) return hasL4(r) ? 'any peer' : 'nothing (an empty rule allows nothing; it only enables default-deny)';
  const parts: string[] = [];
  for (const s of r.endpoints ?? []) parts.push(describePeerSelector(s, p.namespace));
  for (const e of r.entities ?? []) parts.push(`entity \`${e.name}\` (${ENTITY_DOCS[e.name as CiliumEntity] ?? e.name})`);
  for (const c of r.cidrs ?? []) parts.push(c.text ? `${c.text}${c.except.length ? ` except ${c.except.map((e) => e.text).join(', ')}` : ''} (outside the cluster only)` : `CIDR group ${c.groupRef ?? 'selected by labels'}`);
  for (const q of r.fqdns ?? []) parts.push(`DNS ${q.matchName ? `name ${q.matchName}` : `pattern ${q.matchPattern}`}`);
  for (const s of r.services ?? []) parts.push(`service ${s.text}`);
  for (const g of r.groups ?? []) parts.push(`group ${g.text}`);
  for (const n of r.nodes ?? []) parts.push(`nodes matching ${sel(n)}`);
  return parts.join(' or ');
}

/** One sentence for a rule: "Allows TCP 8080 from ... (L7 HTTP rules apply at the proxy)". */
export function describeCiliumRule(p: CiliumPolicy, r: CiliumPeerRule, universe: ConnSet): string {
  const verb = r.deny ? 'Denies' : 'Allows';
  const conns = ruleConns(r, universe);
  let what = describeConns(conns.ports ? conns.ports.ranges.intersect(universe) : universe, universe);
  const named = conns.ports?.named ?? [];
  if (named.length) what = `${conns.ports!.ranges.isEmpty() ? '' : `${what} and `}the named port${named.length > 1 ? 's' : ''} ${named.map((n) => `${n.name}${n.protocol ? `/${n.protocol}` : ''}`).join(', ')} (resolved on the destination pod)`;
  const dir = r.direction === 'Ingress' ? 'from' : 'to';
  const l7 = (r.toPorts ?? []).filter((x) => x.l7).map((x) => x.l7!.kind.toUpperCase());
  const tail: string[] = [];
  if (l7.length) tail.push(`L7 ${[...new Set(l7)].join(', ')} rules apply at the proxy; the L3/L4 verdict is what Policy Lens evaluates`);
  if (r.deny) tail.push('deny rules take precedence over every allow rule, in any policy (CNP, CCNP or Kubernetes NetworkPolicy)');
  return `${verb} ${what} ${dir} ${describePeers(p, r)}${tail.length ? `. ${tail.map((t) => t[0].toUpperCase() + t.slice(1)).join('. ')}` : ''}.`;
}

/** The summary of one rule (`spec` or `specs[i]`): what it selects and what it does to the selected endpoints. */
export function describeCiliumPolicy(p: CiliumPolicy, r: CiliumRule, nonDefaultDenyPolicies = true): string {
  const lines: string[] = [];
  if (p.rejected) lines.push(`**Not enforced:** ${p.rejected}`);
  if (!r.endpointSelector && r.nodeSelector) {
    lines.push(`Host policy: applies to the nodes matching ${sel(r.nodeSelector)} (not modelled by Policy Lens).`);
    return lines.join('\n\n');
  }
  if (r.endpointSelector) {
    const eff = effectiveSubjectSelector(r.endpointSelector, p.namespace);
    const empty = r.endpointSelector.matchLabels.length + r.endpointSelector.matchExpressions.length === 0;
    lines.push(`Applies to ${empty ? (p.namespace !== undefined ? `every pod in namespace ${p.namespace}` : 'every pod of the cluster') : `the pods matching ${sel(r.endpointSelector)}${p.namespace !== undefined ? ` in namespace ${p.namespace}` : ''}`}${eff !== r.endpointSelector && !empty ? '' : ''}.`);
  }
  const iso = isolatingDirections(r, nonDefaultDenyPolicies);
  for (const d of ['Ingress', 'Egress'] as const) {
    const allows = d === 'Ingress' ? r.ingress : r.egress;
    const denies = d === 'Ingress' ? r.ingressDeny : r.egressDeny;
    if (allows.length + denies.length === 0) continue;
    const dir = d.toLowerCase();
    const parts: string[] = [];
    if (iso.includes(d)) parts.push(`puts them in **default-deny for ${dir}**: ${dir} traffic that no allow rule of any policy selecting them allows is dropped`);
    else parts.push(`does **not** put them in default-deny for ${dir} (\`enableDefaultDeny.${dir}: false\`): it only adds to what other policies allow or deny`);
    if (allows.length) parts.push(`${allows.length} allow rule${allows.length === 1 ? '' : 's'} (a union with every other policy's)`);
    if (denies.length) parts.push(`${denies.length} deny rule${denies.length === 1 ? '' : 's'}, evaluated first: they win over any allow rule, whatever policy it is in`);
    lines.push(`**${d}**: ${parts.join('; ')}.`);
  }
  return lines.join('\n\n');
}
