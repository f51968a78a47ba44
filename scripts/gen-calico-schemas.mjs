// Generates schemas/calico-*.schema.json (JSON Schema draft-07) for the projectcalico.org/v3 kinds Policy Lens
// models. Field semantics: https://docs.tigera.io/calico/latest/reference/resources/ and the Calico API types
// (api/pkg/apis/projectcalico/v3). Usage: node scripts/gen-calico-schemas.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const DOCS = 'https://docs.tigera.io/calico/latest/reference/resources';
const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;

const selector = (description, dflt) => ({
  type: 'string',
  maxLength: 1024,
  description:
    description +
    ' Calico selector expression: `k == "v"`, `k != "v"` (also true when k is absent), `k in {"a", "b"}`, `k not in {...}`, `has(k)`, `k contains "s"`, `k starts with "s"`, `k ends with "s"`, `all()`, `global()`, combined with `!`, `&&`, `||` and parentheses. Quote the YAML value when it starts with `!`.' +
    (dflt ? ` Default: ${dflt}.` : ''),
  ...(dflt === 'all()' ? { default: '' } : {}),
});

const definitions = {
  Labels: {
    type: 'object',
    description: 'Labels (string keys and string values). Selectors in policies match against them.',
    additionalProperties: { type: 'string', maxLength: 63 },
  },
  Protocol: {
    description: 'IP protocol: a name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite; case-sensitive) or a number 1-255.',
    anyOf: [
      { type: 'string', enum: ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'UDPLite'] },
      { type: 'integer', minimum: 1, maximum: 255 },
      { type: 'string', pattern: '^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]?)$' },
    ],
  },
  Port: {
    description:
      'A port: a number 1-65535, a range string "min:max" (inclusive), or a named port defined by the endpoints. Numeric ports and ranges need the rule protocol to be TCP, UDP or SCTP.',
    anyOf: [
      { type: 'integer', minimum: 1, maximum: 65535 },
      { type: 'string', pattern: '^([0-9]{1,5}:[0-9]{1,5}|[a-zA-Z0-9_.-]{1,128})$' },
    ],
  },
  ICMP: {
    type: 'object',
    additionalProperties: false,
    description: 'ICMP match criteria. Requires protocol ICMP or ICMPv6 on the rule.',
    properties: {
      type: { type: 'integer', minimum: 0, maximum: 254, description: 'ICMP type, e.g. 8 for echo request (ping).' },
      code: { type: 'integer', minimum: 0, maximum: 255, description: 'ICMP code. Requires `type`.' },
    },
  },
  ServiceAccountMatch: {
    type: 'object',
    additionalProperties: false,
    description: 'Matches endpoints running as the given service accounts (names and selector are ANDed).',
    properties: {
      names: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Service account names.' },
      selector: selector('Selects service accounts by their labels (`projectcalico.org/name` is the service account name).'),
    },
  },
  ServiceMatch: {
    type: 'object',
    additionalProperties: false,
    description:
      'Matches a Kubernetes Service (Kubernetes datastore only). Cannot be combined with selector, notSelector, namespaceSelector, nets, notNets or serviceAccounts; allowed in egress destinations and ingress sources only.',
    required: ['name'],
    properties: {
      name: { type: 'string', maxLength: 253, description: 'Service name.' },
      namespace: { type: 'string', maxLength: 253, description: "Service namespace; defaults to the policy's namespace (required in global policies)." },
    },
  },
  EntityRule: {
    type: 'object',
    additionalProperties: false,
    description: 'Source or destination match criteria. Every field that is present must match (AND).',
    properties: {
      nets: { type: 'array', maxItems: 256, items: { type: 'string' }, description: 'Match IPs in any of these CIDRs (network addresses, e.g. 10.0.0.0/8; do not mix IPv4 and IPv6 in one rule).' },
      notNets: { type: 'array', maxItems: 256, items: { type: 'string' }, description: 'Match IPs in none of these CIDRs.' },
      selector: selector(
        'Match endpoints and network sets with these labels, in the namespaces chosen by namespaceSelector (default: the policy namespace for NetworkPolicy, everything for GlobalNetworkPolicy). Traffic from/to unknown IPs never matches a selector.',
      ),
      notSelector: selector('Match traffic from/to anywhere EXCEPT endpoints and network sets with these labels (negates the packet match, so outside traffic matches).'),
      namespaceSelector: selector(
        'Select namespaces by their labels (`projectcalico.org/name` is the namespace name). It sets the scope of `selector`. `global()` (alone) selects non-namespaced resources such as GlobalNetworkSets and host endpoints.',
      ),
      ports: { type: 'array', maxItems: 50, items: { $ref: '#/definitions/Port' }, description: 'Match these ports.' },
      notPorts: { type: 'array', maxItems: 50, items: { $ref: '#/definitions/Port' }, description: 'Match ports other than these.' },
      serviceAccounts: { $ref: '#/definitions/ServiceAccountMatch' },
      services: { $ref: '#/definitions/ServiceMatch' },
    },
  },
  Rule: {
    type: 'object',
    additionalProperties: false,
    required: ['action'],
    description: 'A rule: match criteria plus an action. Rules run in order; Allow, Deny and Pass are final for the policy, Log continues with the next rule.',
    properties: {
      action: {
        type: 'string',
        enum: ['Allow', 'Deny', 'Log', 'Pass'],
        description:
          'Allow or Deny the packet (final); Log it and continue with the next rule; Pass: skip the rest of this tier and continue with the next tier that applies to the endpoint (or the profiles after the last tier).',
      },
      ipVersion: { type: 'integer', enum: [4, 6], description: 'Match only IPv4 or only IPv6 traffic.' },
      protocol: { $ref: '#/definitions/Protocol' },
      notProtocol: { $ref: '#/definitions/Protocol' },
      icmp: { $ref: '#/definitions/ICMP' },
      notICMP: { $ref: '#/definitions/ICMP' },
      source: { $ref: '#/definitions/EntityRule' },
      destination: { $ref: '#/definitions/EntityRule' },
      http: {
        type: 'object',
        description: 'HTTP match (application layer policy; ingress Allow rules only).',
        properties: {
          methods: { type: 'array', items: { type: 'string' }, maxItems: 20 },
          paths: {
            type: 'array',
            maxItems: 20,
            items: {
              type: 'object',
              additionalProperties: false,
              properties: { exact: { type: 'string', maxLength: 1024 }, prefix: { type: 'string', maxLength: 1024 } },
            },
          },
        },
      },
      metadata: {
        type: 'object',
        additionalProperties: false,
        description: 'Per-rule metadata; does not affect enforcement.',
        properties: { annotations: { type: 'object', additionalProperties: { type: 'string' } } },
      },
    },
  },
};

const types = {
  type: 'array',
  minItems: 1,
  maxItems: 2,
  uniqueItems: true,
  items: { type: 'string', enum: ['Ingress', 'Egress'] },
  description:
    'Directions the policy applies to. When absent or empty Calico sets it from the rules: [Ingress] if there are no egress rules (even with no ingress rules), [Egress] if there are only egress rules, [Ingress, Egress] if both.',
};

function policySpec(global, staged) {
  const props = {
    tier: { type: 'string', pattern: `^${LABEL}$`, maxLength: 63, default: 'default', description: 'Tier the policy belongs to. Tiers run in order; default: `default` (order 1000000, evaluated last).' },
    order: {
      type: 'number',
      description:
        'Precedence within the tier: lower order runs first; policies without order run last; ties run by name. Kubernetes NetworkPolicies are at order 1000 in the default tier.',
    },
    selector: selector(global ? 'Endpoints (workload and host endpoints in all namespaces) the policy applies to.' : 'Endpoints in the policy namespace the policy applies to.', 'all()'),
    serviceAccountSelector: selector('Applies the policy only to endpoints whose service account matches.', 'all()'),
    types,
    ingress: { type: 'array', maxItems: 1024, items: { $ref: '#/definitions/Rule' }, description: 'Ordered ingress rules.' },
    egress: { type: 'array', maxItems: 1024, items: { $ref: '#/definitions/Rule' }, description: 'Ordered egress rules.' },
    performanceHints: { type: 'array', uniqueItems: true, items: { type: 'string', enum: ['AssumeNeededOnEveryNode'] }, description: 'Hints for the policy engine; never change enforcement.' },
  };
  if (global) {
    props.namespaceSelector = selector('Restricts the policy to endpoints in namespaces with these labels (`projectcalico.org/name` is the namespace name).', 'all()');
    props.doNotTrack = { type: 'boolean', default: false, description: 'Host endpoints: apply before connection tracking; allowed packets are not tracked. Needs applyOnForward.' };
    props.preDNAT = { type: 'boolean', default: false, description: 'Host endpoints: apply before DNAT (ingress only). Needs applyOnForward.' };
    props.applyOnForward = { type: 'boolean', default: false, description: 'Host endpoints: also apply to forwarded traffic.' };
  }
  if (staged) {
    props.stagedAction = {
      type: 'string',
      enum: ['Set', 'Delete', 'Learn', 'Ignore'],
      default: 'Set',
      description: 'What the staged policy previews: Set (create/replace the enforced policy of the same name), Delete (remove it; then only tier may be set), Learn, Ignore.',
    };
  }
  return { type: 'object', additionalProperties: false, description: 'Policy specification.', properties: props };
}

function meta(namespaced, nameFormat, nameDesc) {
  const properties = {
    name: { type: 'string', maxLength: 253, pattern: nameFormat, description: nameDesc },
    labels: { $ref: '#/definitions/Labels' },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  };
  if (namespaced) properties.namespace = { type: 'string', default: 'default', description: 'Namespace of the resource (default: `default`).' };
  return { type: 'object', required: ['name'], description: 'Object metadata.', properties };
}

const npName = `^((${LABEL})(\\.${LABEL})?|((knp|ossg)\\.default\\.(${SUBDOMAIN})))$`;
const gnpName = `^(${LABEL}\\.)?${LABEL}$`;

const kinds = [
  {
    file: 'calico-networkpolicy',
    kind: 'NetworkPolicy',
    title: 'Calico NetworkPolicy (projectcalico.org/v3)',
    doc: 'networkpolicy',
    description: 'Namespaced Calico policy: ordered rules applied to the endpoints of one namespace that match spec.selector.',
    metadata: meta(true, npName, 'Policy name: lowercase letters, digits and "-", with at most one ".".'),
    spec: policySpec(false, false),
  },
  {
    file: 'calico-globalnetworkpolicy',
    kind: 'GlobalNetworkPolicy',
    title: 'Calico GlobalNetworkPolicy (projectcalico.org/v3)',
    doc: 'globalnetworkpolicy',
    description: 'Cluster-wide Calico policy: ordered rules applied to workload endpoints in all namespaces and to host endpoints.',
    metadata: meta(false, gnpName, 'Policy name: lowercase letters, digits and "-", with at most one ".".'),
    spec: policySpec(true, false),
  },
  {
    file: 'calico-stagednetworkpolicy',
    kind: 'StagedNetworkPolicy',
    title: 'Calico StagedNetworkPolicy (projectcalico.org/v3)',
    doc: 'stagednetworkpolicy',
    description: 'A NetworkPolicy that is only previewed (flow logs show its would-be verdict) and never enforces traffic.',
    metadata: meta(true, npName, 'Policy name: lowercase letters, digits and "-", with at most one ".".'),
    spec: policySpec(false, true),
  },
  {
    file: 'calico-stagedglobalnetworkpolicy',
    kind: 'StagedGlobalNetworkPolicy',
    title: 'Calico StagedGlobalNetworkPolicy (projectcalico.org/v3)',
    doc: 'stagedglobalnetworkpolicy',
    description: 'A GlobalNetworkPolicy that is only previewed and never enforces traffic.',
    metadata: meta(false, gnpName, 'Policy name: lowercase letters, digits and "-", with at most one ".".'),
    spec: policySpec(true, true),
  },
  {
    file: 'calico-networkset',
    kind: 'NetworkSet',
    title: 'Calico NetworkSet (projectcalico.org/v3)',
    doc: 'networkset',
    description: 'A namespaced, labelled set of CIDRs that rule selectors in the same namespace can match (e.g. external networks).',
    metadata: meta(true, `^${SUBDOMAIN}$`, 'Name: a lowercase DNS subdomain.'),
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: { nets: { type: 'array', uniqueItems: true, items: { type: 'string' }, description: 'IPv4/IPv6 CIDRs (or single addresses) in the set.' } },
    },
  },
  {
    file: 'calico-globalnetworkset',
    kind: 'GlobalNetworkSet',
    title: 'Calico GlobalNetworkSet (projectcalico.org/v3)',
    doc: 'globalnetworkset',
    description: 'A cluster-wide, labelled set of CIDRs matched by GlobalNetworkPolicy selectors, or by NetworkPolicy rules whose namespaceSelector is global().',
    metadata: meta(false, `^${SUBDOMAIN}$`, 'Name: a lowercase DNS subdomain.'),
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: { nets: { type: 'array', uniqueItems: true, items: { type: 'string' }, description: 'IPv4/IPv6 CIDRs (or single addresses) in the set.' } },
    },
  },
  {
    file: 'calico-tier',
    kind: 'Tier',
    title: 'Calico Tier (projectcalico.org/v3)',
    doc: 'tier',
    description:
      'An ordered group of policies. Tiers run by order (lowest first); within a tier that applies to an endpoint, traffic no policy acts on gets the tier defaultAction. Built-in tiers: kube-admin (1000, Pass), default (1000000, Deny), kube-baseline (10000000, Pass).',
    metadata: meta(false, `^${LABEL}$`, 'Tier name: lowercase letters, digits and "-" (no dots), at most 63 characters.'),
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        order: { type: 'number', description: 'Tier precedence: lower runs first; no order = last.' },
        defaultAction: {
          type: 'string',
          enum: ['Deny', 'Pass'],
          default: 'Deny',
          description: 'Action for traffic that reaches the end of the tier when some policy in it applies to the endpoint but none acted: Deny (default) or Pass to the next tier.',
        },
      },
    },
  },
];

for (const k of kinds) {
  const usesRules = k.kind.includes('Policy');
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://policy-lens.invalid/schemas/${k.file}.schema.json`,
    title: k.title,
    description: `${k.description} Reference: ${DOCS}/${k.doc}`,
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    additionalProperties: false,
    properties: {
      apiVersion: { type: 'string', enum: ['projectcalico.org/v3'], description: 'Calico API group and version.' },
      kind: { type: 'string', enum: [k.kind], description: `Object kind: \`${k.kind}\`.` },
      metadata: k.metadata,
      spec: k.spec,
    },
    definitions: usesRules ? definitions : { Labels: definitions.Labels },
  };
  writeFileSync(join(root, 'schemas', `${k.file}.schema.json`), JSON.stringify(schema, null, 2) + '\n');
}
console.log(`wrote ${kinds.length} Calico schemas`);
