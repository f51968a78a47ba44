// Plain-English explanation of one NetworkPolicy, e.g.
// "Pods app=api in ns shop accept TCP 8080 only from pods app=web in namespaces team=frontend;
//  all other ingress is denied." Pure: no LSP imports.
import type { LabelSelector, NetworkPolicy, Peer, PolicyPort, PolicyRule } from '../model';
import { describeSelector, isEmptySelector } from '../selectors';

function sel(s: LabelSelector): string {
  return describeSelector(s);
}

export function describeSubject(p: NetworkPolicy): string {
  return isEmptySelector(p.podSelector) ? `All pods in ns ${p.namespace}` : `Pods ${sel(p.podSelector)} in ns ${p.namespace}`;
}

export function describePeerText(policyNs: string, peer: Peer): string {
  if (peer.ipBlock) {
    const ex = peer.ipBlock.except.length ? ` except ${peer.ipBlock.except.join(', ')}` : '';
    return `IP range ${peer.ipBlock.cidr || '(no cidr)'}${ex}`;
  }
  const pods = !peer.podSelector || isEmptySelector(peer.podSelector) ? 'all pods' : `pods ${sel(peer.podSelector)}`;
  if (!peer.namespaceSelector) return `${pods} in ns ${policyNs}`;
  if (isEmptySelector(peer.namespaceSelector)) return `${pods} in all namespaces`;
  return `${pods} in namespaces ${sel(peer.namespaceSelector)}`;
}

export function describePort(p: PolicyPort): string {
  if (p.port === undefined) return `all ${p.protocol} ports`;
  if (typeof p.port === 'string') return `${p.protocol} port named "${p.port}"`;
  if (p.endPort !== undefined && p.endPort !== p.port) return `${p.protocol} ${p.port}-${p.endPort}`;
  return `${p.protocol} ${p.port}`;
}

function joinOr(xs: string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;
}

function describeRule(policyNs: string, r: PolicyRule, dir: 'Ingress' | 'Egress'): string {
  const ports = r.ports && r.ports.length ? joinOr(r.ports.map(describePort)) : 'any port';
  const prep = dir === 'Ingress' ? 'from' : 'to';
  const peers = r.peers && r.peers.length ? `${prep} ${joinOr(r.peers.map((x) => describePeerText(policyNs, x)))}` : `${prep} anywhere`;
  return `${ports} ${peers}`;
}

/** One sentence per enforced direction, plus a note for directions the policy does not touch. */
export function explainPolicy(p: NetworkPolicy): string {
  const subject = describeSubject(p);
  const parts: string[] = [];
  for (const dir of ['Ingress', 'Egress'] as const) {
    const rules = dir === 'Ingress' ? p.ingress : p.egress;
    const verb = dir === 'Ingress' ? 'accept' : 'may send';
    const noun = dir === 'Ingress' ? 'ingress' : 'egress';
    if (!p.policyTypes.includes(dir)) {
      if (rules && rules.length) parts.push(`its ${noun} rules are ignored because policyTypes does not list ${dir}`);
      continue;
    }
    if (!rules || rules.length === 0) {
      parts.push(`${dir === 'Ingress' ? 'accept no ingress' : 'may send no egress'} (all ${noun} is denied)`);
      continue;
    }
    if (rules.some((r) => (!r.peers || r.peers.length === 0) && (!r.ports || r.ports.length === 0))) {
      parts.push(`${verb} all ${noun} (a rule with no peers and no ports allows everything)`);
      continue;
    }
    parts.push(`${verb} ${joinOr(rules.map((r) => describeRule(p.namespace, r, dir))).replace(/^(.*?) (from|to) /, '$1 only $2 ')}; all other ${noun} is denied`);
  }
  let text = parts.length ? `${subject} ${parts.join('; they ')}.` : `${subject}: this policy restricts nothing.`;
  const untouched = (['Ingress', 'Egress'] as const).filter((d) => !p.policyTypes.includes(d)).map((d) => d.toLowerCase());
  if (untouched.length && parts.length) text += ` This policy does not restrict ${untouched.join(' or ')}.`;
  if (p.namespaceDefaulted) text += ` (metadata.namespace is not set; assuming ${p.namespace}.)`;
  return text;
}
