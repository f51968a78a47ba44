// Registry of the lint rules implemented under server/src/core/lint. Every id has a page
// docs/rules/<id>.md. Pure: no LSP imports.
import type { Severity } from '../model';

export interface RuleInfo {
  id: string;
  severity: Severity;
  /** One-line summary (also the heading of the doc page). */
  title: string;
  /** 'api' = the API server rejects the object; 'authoring' = valid but most likely a mistake. */
  category: 'api' | 'authoring';
  /** True when a quick fix exists. */
  fixable: boolean;
}

const list: RuleInfo[] = [
  { id: 'np-ipblock-with-selector', severity: 'error', category: 'api', fixable: false, title: 'A peer may not combine ipBlock with podSelector or namespaceSelector' },
  { id: 'np-empty-peer', severity: 'error', category: 'api', fixable: false, title: 'A peer must set podSelector, namespaceSelector or ipBlock' },
  { id: 'np-invalid-cidr', severity: 'error', category: 'api', fixable: false, title: 'ipBlock cidr / except must be a valid CIDR' },
  { id: 'np-except-outside-cidr', severity: 'error', category: 'api', fixable: false, title: 'Every ipBlock except entry must be a strict subset of cidr' },
  { id: 'np-endport-requires-numeric-port', severity: 'error', category: 'api', fixable: false, title: 'endPort requires a numeric port' },
  { id: 'np-endport-less-than-port', severity: 'error', category: 'api', fixable: false, title: 'endPort must be greater than or equal to port' },
  { id: 'np-port-out-of-range', severity: 'error', category: 'api', fixable: false, title: 'Port numbers must be between 1 and 65535' },
  { id: 'np-invalid-port-name', severity: 'error', category: 'api', fixable: true, title: 'A named port must be a valid IANA service name' },
  { id: 'np-selector-requirement', severity: 'error', category: 'api', fixable: false, title: 'matchExpressions values must fit the operator' },
  { id: 'np-label-invalid', severity: 'error', category: 'api', fixable: false, title: 'Label keys and values must be valid Kubernetes labels' },
  { id: 'np-name-invalid', severity: 'error', category: 'api', fixable: false, title: 'The name must be a DNS subdomain and the namespace a DNS label' },
  { id: 'np-unknown-field', severity: 'warning', category: 'authoring', fixable: true, title: 'Unknown field in a NetworkPolicy (typo?)' },
  { id: 'np-policy-type-missing', severity: 'warning', category: 'authoring', fixable: true, title: 'Rules are present but their direction is missing from policyTypes' },
  { id: 'np-split-rule', severity: 'warning', category: 'authoring', fixable: true, title: 'A stray `-` splits one rule in two (ports OR peers instead of AND)' },
  { id: 'np-split-peer', severity: 'info', category: 'authoring', fixable: true, title: 'A stray `-` splits namespaceSelector and podSelector into two peers (OR instead of AND)' },
  { id: 'np-allow-all', severity: 'warning', category: 'authoring', fixable: false, title: 'A rule allows all traffic in its direction' },
  { id: 'np-broad-peer', severity: 'info', category: 'authoring', fixable: false, title: 'An empty selector in a peer selects every pod in its scope' },
  { id: 'np-selector-no-match', severity: 'warning', category: 'authoring', fixable: true, title: 'Selector matches nothing in the workspace' },
  { id: 'np-dns-blocked', severity: 'warning', category: 'authoring', fixable: true, title: 'Egress default-deny blocks DNS' },
  { id: 'np-duplicate-name', severity: 'warning', category: 'authoring', fixable: false, title: 'Two NetworkPolicies share a namespace and name' },
  { id: 'np-named-port-undefined', severity: 'warning', category: 'authoring', fixable: true, title: 'Named port is not defined by any destination pod' },
];

export const RULES: ReadonlyMap<string, RuleInfo> = new Map(list.map((r) => [r.id, r]));
export const RULE_IDS: readonly string[] = list.map((r) => r.id);

export function ruleInfo(id: string): RuleInfo | undefined {
  return RULES.get(id);
}
