// Generates schemas/cnp-*.schema.json (JSON Schema draft-07) for ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2)
// and the deprecated AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1). Field semantics and limits:
// kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go and apis/v1alpha1/*.go (descriptions
// here are written for Policy Lens). Usage: node scripts/gen-cnp-schemas.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const REF = 'https://network-policy-api.sigs.k8s.io/api-overview/';

const selector = (description) => ({ $ref: '#/definitions/LabelSelector', description });

function definitions(v1) {
  const max = v1 ? 100 : 25;
  const defs = {
    LabelSelector: {
      type: ['object', 'null'],
      additionalProperties: false,
      description: 'Label query: every matchLabels entry and matchExpressions requirement must hold. `{}` selects everything.',
      properties: {
        matchLabels: { type: ['object', 'null'], additionalProperties: { type: 'string' }, description: 'Labels that must be present with exactly these values.' },
        matchExpressions: {
          type: 'array',
          description: 'Set-based requirements, all of which must hold.',
          items: {
            type: 'object',
            required: ['key', 'operator'],
            additionalProperties: false,
            properties: {
              key: { type: 'string', description: 'Label key.' },
              operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'], description: '`In`/`NotIn` compare with `values`; `Exists`/`DoesNotExist` test the key only.' },
              values: { type: 'array', items: { type: 'string' }, description: 'Values for In/NotIn (non-empty); empty for Exists/DoesNotExist.' },
            },
          },
        },
      },
    },
    NamespacedPod: {
      type: 'object',
      additionalProperties: false,
      required: v1 ? ['namespaceSelector', 'podSelector'] : ['podSelector'],
      description: 'Pods matching podSelector in the namespaces matching namespaceSelector (AND).',
      properties: {
        namespaceSelector: selector(v1 ? 'Namespaces whose pods are selected (`{}`: every namespace).' : 'Namespaces whose pods are selected; absent or `{}`: every namespace.'),
        podSelector: selector('Pods selected in those namespaces (`{}`: every pod).'),
      },
    },
    Subject: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      description: 'The pods the policy applies to: exactly one of `namespaces` or `pods`. Host-networked pods are never selected.',
      properties: {
        namespaces: selector('Every pod of the namespaces matching this selector.'),
        pods: { $ref: '#/definitions/NamespacedPod' },
      },
    },
    IngressPeer: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      description: 'A source: exactly one of `namespaces` or `pods`. A peer with no field the implementation knows fails closed (an allow rule matches nothing, a Deny/Pass rule denies all).',
      properties: {
        namespaces: selector('Every pod of the namespaces matching this selector.'),
        pods: { $ref: '#/definitions/NamespacedPod' },
      },
    },
    EgressPeer: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      description: 'A destination: exactly one of `namespaces`, `pods`, `networks`, `nodes`' + (v1 === 'banp' ? '' : ', `domainNames`') + '.',
      properties: {
        namespaces: selector('Every pod of the namespaces matching this selector.'),
        pods: { $ref: '#/definitions/NamespacedPod' },
        networks: {
          type: 'array',
          minItems: 1,
          maxItems: 25,
          uniqueItems: true,
          items: { type: 'string', maxLength: 43 },
          description: 'CIDRs (IPv4 or IPv6, e.g. 10.0.0.0/8, fd00::/8). They match cluster-internal addresses too: 0.0.0.0/0 also covers pod-to-pod traffic (Policy Lens matches pods by status.podIP).',
        },
        nodes: selector('Nodes by label (experimental): matches the addresses in their status.addresses.'),
      },
    },
    Rule: null,
  };
  if (v1 !== 'banp') {
    defs.EgressPeer.properties.domainNames = {
      type: 'array',
      minItems: 1,
      maxItems: 25,
      uniqueItems: true,
      items: { type: 'string', pattern: '^(\\*\\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.)+[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\\.?$' },
      description: 'Domain names (experimental; allow rules only): `api.example.com` matches exactly that name, `*.example.com` one or more labels in front of example.com (not example.com itself). Shown as named external endpoints.',
    };
  }
  const actions = v1 === 'banp' ? ['Allow', 'Deny'] : v1 ? ['Allow', 'Deny', 'Pass'] : ['Accept', 'Deny', 'Pass'];
  const actionDoc = v1
    ? 'Allow: allow the traffic (no later NetworkPolicy or BaselineAdminNetworkPolicy rule applies); Deny: drop it' + (v1 === 'banp' ? '.' : '; Pass: skip the remaining AdminNetworkPolicy rules and let NetworkPolicies (then the BaselineAdminNetworkPolicy) decide.')
    : 'Accept: accept the traffic for this direction (no later ClusterNetworkPolicy or NetworkPolicy rule of this direction is consulted; the other side still checks its ingress); Deny: drop it; Pass: skip the rest of this tier (Admin → NetworkPolicy → Baseline → default allow).';
  const ports = v1
    ? {
        type: 'array',
        minItems: 1,
        maxItems: 100,
        description: 'Destination ports; absent = every port and protocol.',
        items: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          description: 'Exactly one of portNumber, portRange or namedPort.',
          properties: {
            portNumber: {
              type: 'object',
              additionalProperties: false,
              required: ['port'],
              properties: { protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP'], default: 'TCP' }, port: { type: 'integer', minimum: 1, maximum: 65535 } },
              description: 'One port of one protocol.',
            },
            portRange: {
              type: 'object',
              additionalProperties: false,
              required: ['start', 'end'],
              properties: {
                protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP'], default: 'TCP' },
                start: { type: 'integer', minimum: 1, maximum: 65535 },
                end: { type: 'integer', minimum: 1, maximum: 65535 },
              },
              description: 'Ports start..end (inclusive) of one protocol.',
            },
            namedPort: { type: 'string', description: 'A container port name, resolved on the destination pod (experimental).' },
          },
        },
      }
    : {
        type: 'array',
        minItems: 1,
        maxItems: 25,
        description: 'Protocols and destination ports; absent = every port and protocol.',
        items: { $ref: '#/definitions/Protocol' },
      };
  if (!v1) {
    const port = {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      description: 'Exactly one of `number` or `range`.',
      properties: {
        number: { type: 'integer', minimum: 1, maximum: 65535, description: 'One port.' },
        range: {
          type: 'object',
          additionalProperties: false,
          required: ['start', 'end'],
          description: 'Ports start..end, inclusive; start must be less than end.',
          properties: { start: { type: 'integer', minimum: 1, maximum: 65535 }, end: { type: 'integer', minimum: 1, maximum: 65535 } },
        },
      },
    };
    const proto = (name) => ({
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      description: `${name} traffic to a destination port. The CRD requires destinationPort (\`${name.toLowerCase()}: {}\` is rejected); for every port use range 1-65535.`,
      properties: { destinationPort: port },
    });
    defs.Protocol = {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      description: 'Exactly one of tcp, udp, sctp or destinationNamedPort.',
      properties: {
        tcp: proto('TCP'),
        udp: proto('UDP'),
        sctp: proto('SCTP'),
        destinationNamedPort: { type: 'string', description: 'A container port name, resolved on the destination pod (not with networks/nodes/domainNames peers).' },
      },
    };
  }
  const rule = (dir) => ({
    type: 'object',
    additionalProperties: false,
    required: ['action', dir === 'ingress' ? 'from' : 'to'],
    description: `An ${dir} rule. Rules run in the order written; the first one that matches decides.`,
    properties: {
      name: { type: 'string', maxLength: 100, description: 'Rule name (shown in explanations).' },
      action: { type: 'string', enum: actions, description: actionDoc },
      [dir === 'ingress' ? 'from' : 'to']: {
        type: 'array',
        minItems: 1,
        maxItems: max,
        items: { $ref: dir === 'ingress' ? '#/definitions/IngressPeer' : '#/definitions/EgressPeer' },
        description: dir === 'ingress' ? 'Sources; the rule matches traffic from any of them.' : 'Destinations; the rule matches traffic to any of them.',
      },
      [v1 ? 'ports' : 'protocols']: ports,
    },
  });
  defs.IngressRule = rule('ingress');
  defs.EgressRule = rule('egress');
  delete defs.Rule;
  return defs;
}

function spec(v1) {
  const props = {};
  if (!v1) props.tier = { type: 'string', enum: ['Admin', 'Baseline'], description: 'Admin: evaluated before NetworkPolicies, which cannot override it. Baseline: evaluated after them, for traffic no NetworkPolicy decided (Pass in Admin also leads here).' };
  if (v1 !== 'banp') props.priority = { type: 'integer', minimum: 0, maximum: 1000, description: 'Precedence within the tier: lower values are evaluated first. Two policies of one tier with the same priority that can match the same traffic have no defined order.' };
  props.subject = { $ref: '#/definitions/Subject' };
  const max = v1 ? 100 : 25;
  props.ingress = { type: 'array', maxItems: max, items: { $ref: '#/definitions/IngressRule' }, description: `Ingress rules in order (at most ${max}); without ingress rules the policy does not affect ingress.` };
  props.egress = { type: 'array', maxItems: max, items: { $ref: '#/definitions/EgressRule' }, description: `Egress rules in order (at most ${max}); without egress rules the policy does not affect egress.` };
  return { type: 'object', additionalProperties: false, required: v1 === 'banp' ? ['subject'] : v1 ? ['priority', 'subject'] : ['tier', 'priority', 'subject'], description: 'Policy specification.', properties: props };
}

const kinds = [
  {
    file: 'cnp-clusternetworkpolicy',
    kind: 'ClusterNetworkPolicy',
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    v1: false,
    title: 'ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2)',
    description: 'Cluster-scoped policy of the Admin or Baseline tier: ordered Accept/Deny/Pass rules for the pods of its subject. No implicit isolation: traffic no rule matches goes on to the next tier.',
    name: 'Policy name (cluster-scoped: no namespace).',
  },
  {
    file: 'cnp-adminnetworkpolicy',
    kind: 'AdminNetworkPolicy',
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    v1: 'anp',
    title: 'AdminNetworkPolicy (policy.networking.k8s.io/v1alpha1, deprecated)',
    description: 'Deprecated: use ClusterNetworkPolicy with tier Admin. Cluster-scoped policy evaluated before NetworkPolicies, ordered by priority.',
    name: 'Policy name (cluster-scoped: no namespace).',
  },
  {
    file: 'cnp-baselineadminnetworkpolicy',
    kind: 'BaselineAdminNetworkPolicy',
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    v1: 'banp',
    title: 'BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1, deprecated)',
    description: 'Deprecated: use ClusterNetworkPolicy with tier Baseline. The cluster singleton `default`, evaluated after NetworkPolicies for traffic they did not decide.',
    name: 'Must be `default` (singleton).',
  },
];

for (const k of kinds) {
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://policy-lens.invalid/schemas/${k.file}.schema.json`,
    title: k.title,
    description: `${k.description} Reference: ${REF}`,
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    additionalProperties: false,
    properties: {
      apiVersion: { type: 'string', enum: [k.apiVersion], description: `API group and version: \`${k.apiVersion}\`.` },
      kind: { type: 'string', enum: [k.kind], description: `Object kind: \`${k.kind}\`.` },
      metadata: {
        type: 'object',
        required: ['name'],
        description: 'Object metadata.',
        properties: {
          name: k.v1 === 'banp' ? { type: 'string', enum: ['default'], description: k.name } : { type: 'string', maxLength: 253, description: k.name },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          annotations: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      spec: spec(k.v1),
      status: { type: ['object', 'null'], description: 'Set by the implementation (conditions); ignored when applying.' },
    },
    definitions: definitions(k.v1),
  };
  writeFileSync(join(root, 'schemas', `${k.file}.schema.json`), JSON.stringify(schema, null, 2) + '\n');
}
console.log(`wrote ${kinds.length} schemas`);
