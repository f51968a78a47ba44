// Generates schemas/cilium-*.schema.json (JSON Schema draft-07) for CiliumNetworkPolicy and
// CiliumClusterwideNetworkPolicy (cilium.io/v2). Field semantics: docs.cilium.io "Network Policy" and the Go types of
// cilium/cilium pkg/policy/api (descriptions are written for Policy Lens, not copied). L3/L4 fields are complete;
// L7 shapes (http, kafka, dns, l7proto/l7) are described but not evaluated.
// Usage: node scripts/gen-cilium-schemas.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const DOCS = 'https://docs.cilium.io/en/stable/security/policy/';
const ENTITIES = ['all', 'world', 'world-ipv4', 'world-ipv6', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'init', 'health', 'unmanaged', 'none'];
const CIDR = '^([0-9]{1,3}\\.){3}[0-9]{1,3}(/([0-9]|[1-2][0-9]|3[0-2]))?$|^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(/([0-9]|[1-9][0-9]|1[0-1][0-9]|12[0-8]))?$';

const definitions = {
  EndpointSelector: {
    type: 'object',
    additionalProperties: false,
    description:
      'Selects endpoints by their Cilium identity labels, like a Kubernetes label selector. A key may name its source: `k8s:app` (a pod label), `reserved:host`; without a source it matches any. Besides pod labels, every pod has `io.kubernetes.pod.namespace`, `io.cilium.k8s.policy.serviceaccount`, `io.cilium.k8s.policy.cluster` and `io.cilium.k8s.namespace.labels.<label>`. `{}` selects every endpoint in scope.',
    properties: {
      matchLabels: { type: 'object', additionalProperties: { type: 'string', maxLength: 63 }, description: 'Labels every selected endpoint carries with exactly these values (AND).' },
      matchExpressions: {
        type: 'array',
        description: 'Requirements that must all hold.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['key', 'operator'],
          properties: {
            key: { type: 'string', description: 'Label key (optionally `source:key`).' },
            operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'], description: 'In / NotIn need values; Exists / DoesNotExist take none.' },
            values: { type: 'array', items: { type: 'string' }, description: 'Values for In / NotIn.' },
          },
        },
      },
    },
  },
  Entity: {
    type: 'string',
    enum: ENTITIES,
    description:
      'A class of peers without individual identities: `all` (everything), `world` (outside the cluster; `world-ipv4` / `world-ipv6` per family), `cluster` (every pod of the cluster plus host, remote-node, init, ingress, health, unmanaged and kube-apiserver), `host` (the local node), `remote-node` (other nodes), `kube-apiserver`, `ingress` (the Cilium Envoy ingress), `init`, `health`, `unmanaged`, `none`.',
  },
  CIDR: { type: 'string', pattern: CIDR, description: 'An IPv4 or IPv6 prefix (a bare address is a /32 or /128). CIDR rules only match peers outside the cluster, never pods.' },
  CIDRRule: {
    type: 'object',
    additionalProperties: false,
    description: 'A prefix with optional exceptions, or a reference to CiliumCIDRGroup objects (exactly one of cidr, cidrGroupRef, cidrGroupSelector).',
    properties: {
      cidr: { type: 'string', pattern: CIDR, description: 'Prefix in address/length form.' },
      cidrGroupRef: { type: 'string', description: 'Name of a CiliumCIDRGroup.' },
      cidrGroupSelector: { $ref: '#/definitions/EndpointSelector', description: 'Selects CiliumCIDRGroups by their labels.' },
      except: { type: 'array', items: { type: 'string', pattern: CIDR }, description: 'Prefixes inside cidr that are not matched.' },
    },
  },
  PortProtocol: {
    type: 'object',
    additionalProperties: false,
    description: 'A destination port and protocol.',
    properties: {
      port: {
        type: 'string',
        pattern: '^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})|([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$',
        description: 'A port number as a string ("80"; "0" = every port), or a named port resolved on the destination pod. The CRD wants a string: quote numbers.',
      },
      endPort: { type: 'integer', minimum: 0, maximum: 65535, description: 'Last port of a range starting at port (numeric ports only).' },
      protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP', 'VRRP', 'IGMP', 'ANY'], description: 'L4 protocol. ANY (or absent) = TCP, UDP and SCTP. ICMP is matched with `icmps`, not here.' },
    },
  },
  DNSRule: {
    type: 'object',
    additionalProperties: false,
    description: 'A DNS name the DNS proxy lets through (and learns for toFQDNs).',
    properties: { matchName: { type: 'string', description: 'Exact name.' }, matchPattern: { type: 'string', description: 'Name pattern: `*` matches within one label, `**.` any number of subdomain levels, `*` alone everything.' } },
  },
  HTTPRule: {
    type: 'object',
    additionalProperties: false,
    description: 'An HTTP request the proxy lets through (all given fields must match).',
    properties: {
      method: { type: 'string', description: 'Method regular expression (e.g. GET).' },
      path: { type: 'string', description: 'Path regular expression.' },
      host: { type: 'string', description: 'Host regular expression.' },
      headers: { type: 'array', items: { type: 'string' }, description: 'Headers that must be present ("Name: value").' },
      headerMatches: { type: 'array', items: { type: 'object' }, description: 'Header matches with actions (mismatch handling, secrets).' },
    },
  },
  L7Rules: {
    type: 'object',
    additionalProperties: false,
    description: 'Layer-7 rules enforced by the proxy on the traffic the L3/L4 part allows (one type per toPorts entry). Policy Lens parses them and shows them; it evaluates the L3/L4 verdict.',
    properties: {
      http: { type: 'array', items: { $ref: '#/definitions/HTTPRule' }, description: 'HTTP rules (TCP only).' },
      kafka: { type: 'array', items: { type: 'object' }, description: 'Kafka rules (deprecated).' },
      dns: { type: 'array', items: { $ref: '#/definitions/DNSRule' }, description: 'DNS rules (egress, port 53): names the DNS proxy allows and learns for toFQDNs.' },
      l7proto: { type: 'string', description: 'Name of a proxylib L7 parser.' },
      l7: { type: 'array', items: { type: 'object', additionalProperties: { type: 'string' } }, description: 'Key-value rules for l7proto.' },
    },
  },
  PortRule: {
    type: 'object',
    additionalProperties: false,
    description: 'Ports (with optional L7 rules) the rule covers.',
    properties: {
      ports: { type: 'array', maxItems: 40, items: { $ref: '#/definitions/PortProtocol' }, description: 'Ports and protocols (at most 40).' },
      rules: { $ref: '#/definitions/L7Rules' },
      terminatingTLS: { type: 'object', description: 'TLS context for connections terminated by the proxy.' },
      originatingTLS: { type: 'object', description: 'TLS context for connections the proxy originates.' },
      serverNames: { type: 'array', items: { type: 'string' }, description: 'Allowed TLS SNI values.' },
      listener: { type: 'object', description: 'Redirect to an Envoy listener of a CiliumEnvoyConfig (egress only).' },
    },
  },
  PortDenyRule: {
    type: 'object',
    additionalProperties: false,
    description: 'Ports a deny rule covers (no L7 rules in deny rules).',
    properties: { ports: { type: 'array', maxItems: 40, items: { $ref: '#/definitions/PortProtocol' }, description: 'Ports and protocols.' } },
  },
  ICMPRule: {
    type: 'object',
    additionalProperties: false,
    description: 'ICMP types the rule covers (every code of each type). Cannot be combined with toPorts in one rule.',
    properties: {
      fields: {
        type: 'array',
        maxItems: 40,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['type'],
          properties: {
            family: { type: 'string', enum: ['IPv4', 'IPv6'], default: 'IPv4', description: 'ICMP (IPv4, default) or ICMPv6.' },
            type: { anyOf: [{ type: 'integer', minimum: 0, maximum: 255 }, { type: 'string' }], description: 'Type number 0-255 or name (EchoRequest, EchoReply, DestinationUnreachable, TimeExceeded, ...).' },
          },
        },
      },
    },
  },
  FQDNSelector: {
    type: 'object',
    additionalProperties: false,
    description: 'A DNS name (or pattern) of peers outside the cluster; needs an egress DNS rule (`rules: dns`) so the proxy learns the addresses.',
    properties: { matchName: { type: 'string', description: 'Exact DNS name.' }, matchPattern: { type: 'string', description: 'DNS name pattern (`*`, `**.`).' } },
  },
  Service: {
    type: 'object',
    additionalProperties: false,
    description: 'A Kubernetes service whose endpoints are allowed (by name or by label selector).',
    properties: {
      k8sService: { type: 'object', additionalProperties: false, properties: { serviceName: { type: 'string' }, namespace: { type: 'string' } }, description: 'A service by name.' },
      k8sServiceSelector: { type: 'object', additionalProperties: false, required: ['selector'], properties: { selector: { $ref: '#/definitions/EndpointSelector' }, namespace: { type: 'string' } }, description: 'Services by label selector.' },
    },
  },
  Groups: { type: 'object', description: 'Cloud provider groups (aws: securityGroupsIds, securityGroupsNames, labels, region), resolved to CIDRs by the operator.' },
  Authentication: { type: 'object', additionalProperties: false, required: ['mode'], properties: { mode: { type: 'string', enum: ['disabled', 'required', 'test-always-fail'] } }, description: 'Mutual authentication required for the allowed traffic.' },
};

function peers(dir, deny) {
  const from = dir === 'ingress';
  const p = (s) => (from ? `from${s}` : `to${s}`);
  const props = {
    [p('Endpoints')]: { type: 'array', items: { $ref: '#/definitions/EndpointSelector' }, description: `Endpoints (pods) by label. In a CiliumNetworkPolicy a selector stays in the policy namespace unless it names \`k8s:io.kubernetes.pod.namespace\`. \`[{}]\` = every endpoint in scope; \`[]\` selects nothing; absent with toPorts = any peer.` },
    [p('Entities')]: { type: 'array', items: { $ref: '#/definitions/Entity' }, description: 'Entities (world, cluster, host, ...).' },
    [p('CIDR')]: { type: 'array', items: { $ref: '#/definitions/CIDR' }, description: 'Prefixes outside the cluster.' },
    [p('CIDRSet')]: { type: 'array', items: { $ref: '#/definitions/CIDRRule' }, description: 'Prefixes outside the cluster, with exceptions, or CiliumCIDRGroups.' },
    [p('Groups')]: { type: 'array', items: { $ref: '#/definitions/Groups' }, description: 'Cloud provider groups (AWS security groups).' },
    [p('Nodes')]: { type: 'array', items: { $ref: '#/definitions/EndpointSelector' }, description: 'Nodes by label (needs enable-node-selector-labels).' },
    [p('Requires')]: { type: 'array', maxItems: 0, items: { $ref: '#/definitions/EndpointSelector' }, description: 'Removed in Cilium 1.19 (must be empty).' },
    toPorts: { type: 'array', items: { $ref: deny ? '#/definitions/PortDenyRule' : '#/definitions/PortRule' }, description: deny ? 'Ports this deny rule covers (absent: every port and protocol).' : 'Ports this rule allows, with optional L7 rules (absent: every protocol, ICMP included).' },
    icmps: { type: 'array', items: { $ref: '#/definitions/ICMPRule' }, description: 'ICMP / ICMPv6 types (without toPorts).' },
  };
  if (!from) props.toServices = { type: 'array', items: { $ref: '#/definitions/Service' }, description: 'Kubernetes services.' };
  if (!from && !deny) props.toFQDNs = { type: 'array', items: { $ref: '#/definitions/FQDNSelector' }, description: 'DNS names of peers outside the cluster (no other to* field in the same rule).' };
  if (!deny) props.authentication = { $ref: '#/definitions/Authentication' };
  return {
    type: 'object',
    additionalProperties: false,
    description: `${deny ? 'A deny rule: what it matches is dropped, whatever any allow rule of any policy says (deny rules are evaluated first).' : 'An allow rule (allow rules of every policy selecting the endpoint form a union).'} One kind of peer per rule (endpoints, entities, CIDR, CIDR set, ...); all given parts must match.`,
    properties: props,
  };
}
definitions.IngressRule = peers('ingress', false);
definitions.IngressDenyRule = peers('ingress', true);
definitions.EgressRule = peers('egress', false);
definitions.EgressDenyRule = peers('egress', true);

function rule(clusterwide) {
  const props = {
    endpointSelector: { $ref: '#/definitions/EndpointSelector', description: `The pods this rule applies to${clusterwide ? ' (in every namespace)' : ", always in the policy's namespace"}.` },
    ingress: { type: 'array', items: { $ref: '#/definitions/IngressRule' }, description: 'Allow rules for incoming traffic. Any ingress or ingressDeny rule puts the selected pods in default-deny for ingress (unless enableDefaultDeny.ingress is false). `- {}` allows nothing: the default-deny idiom.' },
    ingressDeny: { type: 'array', items: { $ref: '#/definitions/IngressDenyRule' }, description: 'Deny rules for incoming traffic; they take precedence over every allow rule.' },
    egress: { type: 'array', items: { $ref: '#/definitions/EgressRule' }, description: 'Allow rules for outgoing traffic. Any egress or egressDeny rule puts the selected pods in default-deny for egress (unless enableDefaultDeny.egress is false).' },
    egressDeny: { type: 'array', items: { $ref: '#/definitions/EgressDenyRule' }, description: 'Deny rules for outgoing traffic; they take precedence over every allow rule.' },
    enableDefaultDeny: {
      type: 'object',
      additionalProperties: false,
      description: 'Whether this policy puts the selected endpoints in default-deny per direction (default: true for a direction with rules). false makes a policy that only adds allows or denies.',
      properties: { ingress: { type: 'boolean', description: 'Default-deny for ingress.' }, egress: { type: 'boolean', description: 'Default-deny for egress.' } },
    },
    labels: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, value: { type: 'string' }, source: { type: 'string' } } }, description: 'Labels identifying the rule.' },
    description: { type: 'string', description: 'Free text (not interpreted).' },
    log: { type: 'object', properties: { value: { type: 'string', maxLength: 32 } }, description: 'Hubble log value for flows matching this policy.' },
  };
  if (clusterwide) props.nodeSelector = { $ref: '#/definitions/EndpointSelector', description: 'The nodes this rule applies to (a host policy; instead of endpointSelector). Not modelled by Policy Lens.' };
  return { type: 'object', additionalProperties: false, description: 'A policy rule: the endpoints it selects and its ingress/egress allow and deny rules.', properties: props };
}

function schema(kind, clusterwide) {
  const file = `cilium-${kind.toLowerCase()}.schema.json`;
  return [
    file,
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `https://policy-lens.invalid/schemas/${file}`,
      title: `${kind} (cilium.io/v2)`,
      description: `${clusterwide ? 'Cluster-wide Cilium policy.' : 'Namespaced Cilium policy.'} Deny rules of every Cilium and Kubernetes policy are applied first, then the union of allow rules; a pod selected by a policy with rules for a direction is in default-deny for it. Reference: ${DOCS}`,
      type: 'object',
      required: ['apiVersion', 'kind', 'metadata'],
      additionalProperties: false,
      properties: {
        apiVersion: { type: 'string', enum: ['cilium.io/v2'], description: 'Cilium API group and version.' },
        kind: { type: 'string', enum: [kind], description: `Object kind: \`${kind}\`.` },
        metadata: {
          type: 'object',
          required: ['name'],
          description: 'Object metadata.',
          properties: {
            name: { type: 'string', maxLength: 253, description: 'Policy name.' },
            ...(clusterwide ? {} : { namespace: { type: 'string', description: 'Namespace of the policy: its endpointSelector and (by default) its peer selectors apply there.' } }),
            labels: { type: 'object', additionalProperties: { type: 'string' } },
            annotations: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        spec: { $ref: '#/definitions/Rule', description: 'The policy rule.' },
        specs: { type: 'array', items: { $ref: '#/definitions/Rule' }, description: 'Several rules in one object (each with its own endpointSelector).' },
        status: { type: 'object', description: 'Status written by Cilium.' },
      },
      definitions: { ...definitions, Rule: rule(clusterwide) },
    },
  ];
}

for (const [file, s] of [schema('CiliumNetworkPolicy', false), schema('CiliumClusterwideNetworkPolicy', true)]) {
  writeFileSync(join(root, 'schemas', file), `${JSON.stringify(s, null, 2)}\n`);
  console.log(`wrote schemas/${file}`);
}
