// Plain-English descriptions of ClusterNetworkPolicy / AdminNetworkPolicy / BaselineAdminNetworkPolicy rules, for
// hover and outline, e.g. "Admin tier, priority 10: denies ingress from namespaces env=dev to pods app=db in namespaces
// team=data on TCP 5432; later tiers never see it". Pure: no LSP imports.
import type { LabelSelector } from '../../model';
import { describeSelector, isEmptySelector } from '../../selectors';
import { peerFailure } from './lower';
import type { ClusterPeer, ClusterPolicy, ClusterPort, ClusterRule } from './model';

function sel(s: LabelSelector | undefined): string {
  return describeSelector(s ?? { matchLabels: {}, matchExpressions: [] });
}

/** "pods app=db in namespaces team=data", "all pods in namespaces team=data", "all pods". */
function podsIn(ns: LabelSelector | undefined, pods: LabelSelector | undefined): string {
  const who = !pods || isEmptySelector(pods) ? 'all pods' : `pods ${sel(pods)}`;
  if (!ns || isEmptySelector(ns)) return pods && !isEmptySelector(pods) ? `${who} in every namespace` : who;
  return `${who} in namespaces ${sel(ns)}`;
}

export function describeSubject(p: ClusterPolicy): string {
  if (!p.subject.valid) return 'no pods (invalid subject)';
  return podsIn(p.subject.namespaceSelector, p.subject.podSelector);
}

export function describePeer(peer: ClusterPeer): string {
  switch (peer.kind) {
    case 'namespaces':
      return !peer.namespaceSelector || isEmptySelector(peer.namespaceSelector) ? 'all namespaces' : `namespaces ${sel(peer.namespaceSelector)}`;
    case 'pods':
      return podsIn(peer.namespaceSelector, peer.podSelector);
    case 'networks':
      return `networks ${(peer.networks ?? []).map((n) => n.text).join(', ')}`;
    case 'nodes':
      return !peer.nodes || isEmptySelector(peer.nodes) ? 'all nodes' : `nodes ${sel(peer.nodes)}`;
    case 'domainNames':
      return (peer.domainNames ?? []).map((d) => d.text).join(', ');
    default:
      return `an unrecognised peer (${peer.unknownFields.join(', ') || 'no field'})`;
  }
}

function describePort(p: ClusterPort): string {
  if (p.name !== undefined) return `port named ${p.name}`;
  if (p.start === undefined) return `every ${p.protocol} port`;
  return p.start === p.end ? `${p.protocol} ${p.start}` : `${p.protocol} ${p.start}-${p.end}`;
}

export function describePorts(ports: ClusterPort[] | undefined): string {
  if (!ports) return 'every port and protocol';
  if (ports.length === 0) return 'no port';
  // Group "TCP 80, TCP 443" as "TCP 80, 443".
  const parts: string[] = [];
  let last: string | undefined;
  for (const p of ports) {
    const d = describePort(p);
    const m = /^(TCP|UDP|SCTP) (\d.*)$/.exec(d);
    if (m && last === m[1]) parts[parts.length - 1] += `, ${m[2]}`;
    else parts.push(d);
    last = m ? m[1] : undefined;
  }
  return parts.join(', ');
}

const VERB: Record<string, string> = { Accept: 'accepts', Allow: 'allows', Deny: 'denies', Pass: 'passes' };

function consequence(p: ClusterPolicy, r: ClusterRule): string {
  const admin = p.tier === 'Admin';
  switch (r.action) {
    case 'Accept':
    case 'Allow':
      return admin
        ? `later tiers never see it${r.direction === 'Egress' ? " (the destination's ingress rules still apply)" : ''}`
        : `it applies to traffic no NetworkPolicy decided${r.direction === 'Egress' ? " (the destination's ingress rules still apply)" : ''}`;
    case 'Deny':
      return admin ? 'later tiers never see it' : 'it applies to traffic no NetworkPolicy decided';
    case 'Pass':
      return admin ? 'NetworkPolicies decide it, then the Baseline tier' : 'the default (allow) decides it';
    default:
      return 'the rule has no valid action and is ignored';
  }
}

/** "Admin tier, priority 10" / "Baseline tier (BaselineAdminNetworkPolicy: after every Baseline policy)". */
export function describePlacement(p: ClusterPolicy): string {
  if (p.kind === 'BaselineAdminNetworkPolicy') return 'Baseline tier (after every Baseline ClusterNetworkPolicy)';
  return `${p.tier} tier, priority ${p.priority ?? '?'}`;
}

/** One rule in words (without the placement). */
export function describeRule(p: ClusterPolicy, r: ClusterRule): string {
  const peers = r.peers.map(describePeer).join(' or ') || 'no peer';
  const subject = describeSubject(p);
  const flow = r.direction === 'Ingress' ? `ingress from ${peers} to ${subject}` : `egress from ${subject} to ${peers}`;
  const failed = r.peers.map((x) => peerFailure(x, false)).find((x) => x);
  const fail = failed ? ` (fails closed: ${failed}; ${r.action === 'Accept' || r.action === 'Allow' ? 'it matches nothing' : 'it denies all traffic'})` : '';
  return `${VERB[r.action ?? ''] ?? 'does nothing with'} ${flow} on ${describePorts(r.ports)}; ${consequence(p, r)}${fail}`;
}

/** The hover sentence of a rule: "Admin tier, priority 10: denies ingress from ... on TCP 5432; later tiers never see it". */
export function ruleSentence(p: ClusterPolicy, r: ClusterRule): string {
  return `${describePlacement(p)}: ${describeRule(p, r)}`;
}

/** Markdown summary of a policy (hover on its header). */
export function policySummary(p: ClusterPolicy): string {
  const lines: string[] = [];
  const dep = p.kind === 'ClusterNetworkPolicy' ? '' : ' (deprecated v1alpha1: migrate to ClusterNetworkPolicy)';
  lines.push(`**${p.kind} ${p.name}** — ${describePlacement(p)}${dep}`);
  lines.push(`Applies to ${describeSubject(p)}. Rules run in order; the first that matches decides. No implicit isolation: what no rule matches goes on to the next tier.`);
  for (const [dir, rules] of [
    ['Ingress', p.ingress],
    ['Egress', p.egress],
  ] as const) {
    if (rules.length === 0) continue;
    const items = rules.slice(0, 10).map((r) => `${r.index + 1}. ${r.name ? `\`${r.name}\`: ` : ''}${describeRule(p, r)}`);
    if (rules.length > 10) items.push(`… ${rules.length - 10} more`);
    lines.push(`**${dir}**:\n${items.join('\n')}`);
  }
  return lines.join('\n\n');
}
