// Format detection and normalisation of one flow record into FlowRecord.
//
// Sources (field names and enum values):
// [GM]  projectcalico/calico goldmane/proto/api.proto — Flow {Key, start_time, end_time, source_labels, dest_labels,
//       num_connections_started, …}, FlowKey {source_name, source_namespace, source_type, dest_name, dest_namespace,
//       dest_type, dest_port, proto, reporter, action, policies}, PolicyTrace {enforced_policies, pending_policies},
//       PolicyHit {kind, namespace, name, tier, action, policy_index, rule_index, trigger}; enums EndpointType,
//       Reporter, Action, PolicyKind. Goldmane's emitter writes Go `json.Marshal` of the generated structs (proto field
//       names, `Key` capitalised, enums as numbers, int64 as numbers); a protojson client writes lowerCamelCase names,
//       enums as names and int64 as strings. Both are accepted.
// [FL]  felix/collector/types/endpoint/endpoint.go — a workload's aggregated name is its GenerateName followed by
//       `*` (or the pod name when it has none); a Network endpoint is `pub`, or `pvt` for 10/8, 172.16/12, 192.168/16.
//       felix/collector/utils/utils.go — proto is `tcp`, `udp`, `sctp`, `icmp`, `icmp6` or the protocol number.
// [WB]  whisker-backend/pkg/apis/v1/flows.go FlowResponse {start_time, end_time, action, source_name,
//       source_namespace, source_labels, dest_name, dest_namespace, dest_labels, protocol, dest_port, reporter,
//       policies {enforced, pending}}; handlers/v1/protoconvert.go joins labels with " | " and shows pub/pvt as
//       "PUBLIC NETWORK" / "PRIVATE NETWORK"; source_type/dest_type are not included.
// [HB]  cilium/cilium api/v1/flow/flow.proto and api/v1/observer/observer.proto as vendored by cilium/hubble —
//       GetFlowsResponse {flow | node_status | lost_events, node_name, time}; Flow {time, verdict, drop_reason_desc,
//       IP {source, destination}, l4 {TCP|UDP|SCTP {destination_port, flags} | ICMPv4|ICMPv6 {type, code}}, source /
//       destination Endpoint {ID, identity, namespace, labels ("k8s:app=x"), pod_name, workloads [{name, kind}]},
//       Type (L3_L4, L7, SOCK), event_type {type}, traffic_direction (INGRESS, EGRESS), is_reply,
//       egress_allowed_by / ingress_allowed_by / egress_denied_by / ingress_denied_by [Policy {name, namespace, kind}]}.
//       `hubble observe -o jsonpb` prints one GetFlowsResponse per line with proto field names and enum names.
import type { Labels } from '../model';
import { ICMP_MAX } from '../ports';
import type { FlowEnd, FlowFormat, FlowRecord, NormaliseResult, ObservedVerdict, ReportedPolicy } from './types';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

const CAMEL = new Map<string, string>();

/** A field by its proto name (`source_name`) or its protojson lowerCamelCase name (`sourceName`). */
function field(o: Obj, name: string): unknown {
  const v = o[name];
  if (v !== undefined) return v;
  let camel = CAMEL.get(name);
  if (camel === undefined) CAMEL.set(name, (camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())));
  return camel === name ? undefined : o[camel];
}

function str(o: Obj, name: string): string | undefined {
  const v = field(o, name);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** int64 fields: numbers (Go json) or decimal strings (protojson). */
function num(o: Obj, name: string): number | undefined {
  const v = field(o, name);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

/** An enum given by name or number. */
function enumName(v: unknown, names: Record<number, string>): string | undefined {
  if (typeof v === 'number') return names[v];
  if (typeof v === 'string') return /^\d+$/.test(v) ? names[Number(v)] : v;
  return undefined;
}

// [GM] enums
const GM_ENDPOINT_TYPE: Record<number, string> = { 0: 'EndpointTypeUnspecified', 1: 'WorkloadEndpoint', 2: 'HostEndpoint', 3: 'NetworkSet', 4: 'Network' };
const GM_REPORTER: Record<number, string> = { 0: 'ReporterUnspecified', 1: 'Src', 2: 'Dst' };
const GM_ACTION: Record<number, string> = { 0: 'ActionUnspecified', 1: 'Allow', 2: 'Deny', 3: 'Pass' };
const GM_POLICY_KIND: Record<number, string> = {
  0: 'KindUnspecified',
  1: 'CalicoNetworkPolicy',
  2: 'GlobalNetworkPolicy',
  3: 'StagedNetworkPolicy',
  4: 'StagedGlobalNetworkPolicy',
  5: 'StagedKubernetesNetworkPolicy',
  6: 'NetworkPolicy',
  // 7 and 8 were AdminNetworkPolicy / BaselineAdminNetworkPolicy (reserved since Calico 3.32).
  7: 'AdminNetworkPolicy',
  8: 'BaselineAdminNetworkPolicy',
  9: 'Profile',
  10: 'EndOfTier',
  11: 'ClusterNetworkPolicy',
};

/** Detects the format of one record; undefined when it is none of the three. */
export function detectFormat(v: unknown): FlowFormat | undefined {
  if (!isObj(v)) return undefined;
  if (isObj(v.flow)) return isObj(v.flow.Key) || isObj(v.flow.key) ? 'goldmane' : 'hubble';
  if ('node_status' in v || 'lost_events' in v || 'nodeStatus' in v || 'lostEvents' in v) return 'hubble';
  if (isObj(v.Key) || isObj(v.key)) return 'goldmane';
  if ('verdict' in v && (isObj(v.IP) || isObj(v.l4) || isObj(v.source) || isObj(v.destination))) return 'hubble';
  if (('source_name' in v || 'dest_name' in v) && ('action' in v || 'protocol' in v)) return 'whisker';
  return undefined;
}

/** Normalises one record (any format). */
export function normaliseRecord(v: unknown): { format?: FlowFormat; result: NormaliseResult } {
  const format = detectFormat(v);
  if (!format) return { result: { error: 'not a Whisker, Goldmane or Hubble flow record' } };
  const o = v as Obj;
  if (format === 'hubble') return { format, result: normaliseHubble(o) };
  if (format === 'goldmane') return { format, result: normaliseGoldmane(isObj(o.flow) ? o.flow : o) };
  return { format, result: normaliseWhisker(o) };
}

// ---------------------------------------------------------------- Calico (Whisker, Goldmane)

/** Protocol names in one spelling: [FL] `tcp`/`icmp6`/numbers, Whisker/Hubble upper case. */
export function normaliseProtocol(p: string | number | undefined): string | undefined {
  if (p === undefined || p === '') return undefined;
  const s = String(p).trim();
  const lower = s.toLowerCase();
  switch (lower) {
    case 'tcp':
    case '6':
      return 'TCP';
    case 'udp':
    case '17':
      return 'UDP';
    case 'sctp':
    case '132':
      return 'SCTP';
    case 'icmp':
    case 'icmpv4':
    case '1':
      return 'ICMP';
    case 'icmp6':
    case 'icmpv6':
    case '58':
      return 'ICMPv6';
    case 'udplite':
    case '136':
      return 'UDPLite';
    case 'ipip':
      return '4';
    case 'esp':
      return '50';
  }
  return /^\d+$/.test(s) ? String(Number(s)) : s.toUpperCase();
}

/** Parsed label strings: records repeat a few distinct ones. Results are shared: never mutate them. */
const CALICO_LABEL_CACHE = new Map<string, Labels>();

/** Calico labels: `["a=b", …]` ([GM]) or `"a=b | c=d"` ([WB]). */
function calicoLabels(v: unknown): Labels | undefined {
  const key = typeof v === 'string' ? v : Array.isArray(v) ? v.join(' | ') : undefined;
  if (key === undefined) return undefined;
  let r = CALICO_LABEL_CACHE.get(key);
  if (!r) {
    if (CALICO_LABEL_CACHE.size > 50_000) CALICO_LABEL_CACHE.clear();
    CALICO_LABEL_CACHE.set(key, (r = parseCalicoLabels(v)!));
  }
  return r;
}

function parseCalicoLabels(v: unknown): Labels | undefined {
  let parts: string[];
  if (Array.isArray(v)) parts = v.filter((x): x is string => typeof x === 'string');
  else if (typeof v === 'string') parts = v.split(' | ');
  else return undefined;
  const out: Labels = {};
  for (const p of parts) {
    const t = p.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) out[t] = '';
    else out[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return out;
}

/** A Calico namespace: "" and "-" mean none ([GM]); Whisker shows "Global" in its UI. */
function calicoNamespace(ns: string | undefined): string | undefined {
  return !ns || ns === '-' || ns === 'Global' ? undefined : ns;
}

/** One end of a Calico flow from its name, namespace and (Goldmane only) endpoint type. */
export function calicoEnd(name: string | undefined, namespace: string | undefined, type: string | undefined, labels: Labels | undefined): FlowEnd {
  const ns = calicoNamespace(namespace);
  const n = name ?? '';
  const net = n === 'pub' || n === 'PUBLIC NETWORK' ? 'pub' : n === 'pvt' || n === 'PRIVATE NETWORK' ? 'pvt' : undefined;
  if (type === 'Network' || (net && type !== 'WorkloadEndpoint' && type !== 'NetworkSet')) return { type: 'network', network: net ?? 'pub', name: n };
  if (!n) return { type: 'unknown', namespace: ns, note: 'no name recorded' };
  if (type === 'NetworkSet') return { type: 'networkset', namespace: ns, name: n, labels };
  if (type === 'HostEndpoint') return { type: 'host', name: n };
  const labelsOf = labels && Object.keys(labels).length ? { labels, labelsPartial: true } : {};
  if (n.endsWith('*') && ns) return { type: 'workload', namespace: ns, prefix: n.slice(0, -1), name: n, ...labelsOf };
  if (type === 'WorkloadEndpoint' && ns) return { type: 'workload', namespace: ns, podName: n, name: n, ...labelsOf };
  // Whisker has no endpoint type: a pod without GenerateName, a network set or a host endpoint.
  return { type: 'named', namespace: ns, name: n, ...labelsOf };
}

function calicoVerdict(action: string | undefined): ObservedVerdict | undefined {
  if (!action) return undefined;
  const a = action.toLowerCase();
  return a === 'allow' ? 'allowed' : a === 'deny' ? 'denied' : undefined;
}

function calicoHit(h: unknown, pending: boolean, kindIsName: boolean): ReportedPolicy | undefined {
  if (!isObj(h)) return undefined;
  const kind = kindIsName ? str(h, 'kind') : enumName(field(h, 'kind'), GM_POLICY_KIND);
  const trigger = field(h, 'trigger');
  const out: ReportedPolicy = {
    kind,
    namespace: str(h, 'namespace') || undefined,
    name: str(h, 'name') ?? '',
    tier: str(h, 'tier') || undefined,
    action: enumName(field(h, 'action'), GM_ACTION),
    policyIndex: num(h, 'policy_index'),
    ruleIndex: num(h, 'rule_index'),
    pending: pending || undefined,
  };
  if (isObj(trigger)) {
    const t = calicoHit(trigger, pending, kindIsName);
    if (t) out.trigger = `${t.kind ?? 'policy'} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
  }
  if (!out.name && kind === 'EndOfTier') out.name = `end of tier ${out.tier ?? ''}`.trim();
  if (out.ruleIndex === undefined) out.ruleIndex = 0; // proto3 omits zero values
  if (out.policyIndex === undefined) out.policyIndex = 0;
  return out;
}

function calicoPolicies(trace: unknown, enforcedKey: string, pendingKey: string, kindIsName: boolean): { enforced: ReportedPolicy[]; pending: ReportedPolicy[] } {
  const enforced: ReportedPolicy[] = [];
  const pending: ReportedPolicy[] = [];
  if (isObj(trace)) {
    const e = field(trace, enforcedKey);
    const p = field(trace, pendingKey);
    if (Array.isArray(e)) for (const h of e) { const x = calicoHit(h, false, kindIsName); if (x) enforced.push(x); }
    if (Array.isArray(p)) for (const h of p) { const x = calicoHit(h, true, kindIsName); if (x) pending.push(x); }
  }
  return { enforced, pending };
}

/** The verdict the last pending (staged) hit gives, when it is final. */
function pendingVerdict(pending: ReportedPolicy[]): ObservedVerdict | undefined {
  for (let i = pending.length - 1; i >= 0; i--) {
    const v = calicoVerdict(pending[i].action);
    if (v) return v;
  }
  return undefined;
}

function portFor(protocol: string, port: number | undefined): number | undefined {
  if (port === undefined) return undefined;
  if (protocol === 'ICMP' || protocol === 'ICMPv6') return undefined; // Calico records no ICMP type/code
  return port > 0 && port <= 65535 ? port : undefined;
}

function timeMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v; // seconds or milliseconds
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return timeMs(Number(v));
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  if (isObj(v) && ('seconds' in v)) return timeMs(v.seconds as unknown);
  return undefined;
}

export function normaliseWhisker(o: Obj): NormaliseResult {
  const action = str(o, 'action');
  const verdict = calicoVerdict(action);
  if (!verdict) return { error: `action ${JSON.stringify(action ?? '')} is not Allow or Deny` };
  const protocol = normaliseProtocol(str(o, 'protocol'));
  if (!protocol) return { error: 'no protocol recorded' };
  const reporter = str(o, 'reporter');
  const { enforced, pending } = calicoPolicies(field(o, 'policies'), 'enforced', 'pending', true);
  const record: FlowRecord = {
    format: 'whisker',
    src: calicoEnd(str(o, 'source_name'), str(o, 'source_namespace'), undefined, calicoLabels(field(o, 'source_labels'))),
    dst: calicoEnd(str(o, 'dest_name'), str(o, 'dest_namespace'), undefined, calicoLabels(field(o, 'dest_labels'))),
    protocol,
    port: portFor(protocol, num(o, 'dest_port')),
    verdict,
    side: reporter === 'Src' ? 'src' : reporter === 'Dst' ? 'dst' : 'unknown',
    // FlowResponse carries no connection counts: one record is one aggregated flow.
    count: 1,
    weight: 'connection',
    start: timeMs(field(o, 'start_time')),
    end: timeMs(field(o, 'end_time')),
    policies: [...enforced, ...pending],
    pendingVerdict: pendingVerdict(pending),
  };
  return { record };
}

export function normaliseGoldmane(f: Obj): NormaliseResult {
  const key = isObj(f.Key) ? f.Key : isObj(f.key) ? f.key : undefined;
  if (!key) return { error: 'Goldmane flow without Key' };
  const action = enumName(field(key, 'action'), GM_ACTION);
  const verdict = calicoVerdict(action);
  if (!verdict) return { error: `action ${JSON.stringify(action ?? '')} is not Allow or Deny` };
  const protocol = normaliseProtocol(str(key, 'proto'));
  if (!protocol) return { error: 'no protocol recorded' };
  const reporter = enumName(field(key, 'reporter'), GM_REPORTER);
  const { enforced, pending } = calicoPolicies(field(key, 'policies'), 'enforced_policies', 'pending_policies', false);
  const started = num(f, 'num_connections_started');
  const record: FlowRecord = {
    format: 'goldmane',
    src: calicoEnd(str(key, 'source_name'), str(key, 'source_namespace'), enumName(field(key, 'source_type'), GM_ENDPOINT_TYPE), calicoLabels(field(f, 'source_labels'))),
    dst: calicoEnd(str(key, 'dest_name'), str(key, 'dest_namespace'), enumName(field(key, 'dest_type'), GM_ENDPOINT_TYPE), calicoLabels(field(f, 'dest_labels'))),
    protocol,
    port: portFor(protocol, num(key, 'dest_port')),
    verdict,
    side: reporter === 'Src' ? 'src' : reporter === 'Dst' ? 'dst' : 'unknown',
    count: started && started > 0 ? started : 1,
    weight: 'connection',
    start: timeMs(field(f, 'start_time')),
    end: timeMs(field(f, 'end_time')),
    policies: [...enforced, ...pending],
    pendingVerdict: pendingVerdict(pending),
  };
  return { record };
}

// ---------------------------------------------------------------- Hubble

const HB_VERDICT: Record<number, string> = { 0: 'VERDICT_UNKNOWN', 1: 'FORWARDED', 2: 'DROPPED', 3: 'ERROR', 4: 'AUDIT', 5: 'REDIRECTED', 6: 'TRACED', 7: 'TRANSLATED' };
const HB_DIRECTION: Record<number, string> = { 0: 'TRAFFIC_DIRECTION_UNKNOWN', 1: 'INGRESS', 2: 'EGRESS' };
const HB_FLOW_TYPE: Record<number, string> = { 0: 'UNKNOWN_TYPE', 1: 'L3_L4', 2: 'L7', 3: 'SOCK' };
/** Drop reasons that are a policy decision ([HB] DropReason: POLICY_DENIED 133, POLICY_DENY 181). */
const POLICY_DROPS = new Set(['POLICY_DENIED', 'POLICY_DENY', '133', '181']);
/** Monitor message types (cilium pkg/monitor/api): 1 drop, 4 trace, 5 policy verdict. */
const MSG_DROP = 1;
const MSG_POLICY_VERDICT = 5;

type HubbleLabels = { labels: Labels; reserved: string[]; namespace?: string };

/** Kubernetes labels of a Hubble endpoint (`k8s:` prefix removed, Cilium's own labels dropped). */
export function hubblePodLabels(v: unknown): Labels | undefined {
  const { labels } = parseHubbleLabels(v);
  return Object.keys(labels).length ? labels : undefined;
}

/** Hubble label sources other than Kubernetes pod labels ([HB] Endpoint.labels, e.g. `reserved:host`). */
function parseHubbleLabels(v: unknown): HubbleLabels {
  const labels: Labels = {};
  const reserved: string[] = [];
  let namespace: string | undefined;
  if (Array.isArray(v)) {
    for (const x of v) {
      if (typeof x !== 'string') continue;
      const colon = x.indexOf(':');
      const source = colon > 0 ? x.slice(0, colon) : '';
      const kv = colon > 0 ? x.slice(colon + 1) : x;
      const eq = kv.indexOf('=');
      const k = eq >= 0 ? kv.slice(0, eq) : kv;
      const val = eq >= 0 ? kv.slice(eq + 1) : '';
      if (source === 'reserved') {
        reserved.push(k);
        continue;
      }
      if (source !== 'k8s' && source !== '' && source !== 'any' && source !== 'container') {
        if (source === 'cidr' || source === 'fqdn') reserved.push(source);
        continue;
      }
      if (k === 'io.kubernetes.pod.namespace') {
        namespace = val;
        continue;
      }
      if (k.startsWith('io.cilium.k8s.') || k.startsWith('io.cilium.')) continue;
      labels[k] = val;
    }
  }
  return { labels, reserved, namespace };
}

function hubbleEnd(ep: unknown, ip: string | undefined): FlowEnd {
  if (!isObj(ep)) return ip ? { type: 'address', address: ip } : { type: 'unknown', note: 'no endpoint recorded' };
  const rawLabels = field(ep, 'labels');
  const podName = str(ep, 'pod_name') || undefined;
  const wls = field(ep, 'workloads');
  const w0 = Array.isArray(wls) && isObj(wls[0]) ? wls[0] : undefined;
  const workload = w0 && str(w0, 'name') ? { name: str(w0, 'name')!, kind: str(w0, 'kind') || undefined } : undefined;
  const ns0 = str(ep, 'namespace');
  if (ns0 && (podName || workload)) {
    // A pod: its labels are parsed only when the aggregation keeps this end (once per pod, not per record).
    return { type: 'workload', namespace: ns0, podName, workload, rawLabels: Array.isArray(rawLabels) ? rawLabels : undefined, name: podName ?? workload?.name };
  }
  const { labels, reserved, namespace: nsLabel } = parseHubbleLabels(rawLabels);
  const namespace = ns0 || nsLabel;
  if (namespace && (podName || workload || Object.keys(labels).length)) {
    return { type: 'workload', namespace, podName, workload, labels: Object.keys(labels).length ? labels : undefined, name: podName ?? workload?.name };
  }
  const hostLike = reserved.find((r) => r === 'host' || r === 'remote-node' || r === 'kube-apiserver');
  if (hostLike) return { type: 'host', name: `reserved:${hostLike}`, note: `reserved:${hostLike}` };
  const other = reserved.find((r) => r === 'health' || r === 'init' || r === 'unmanaged' || r === 'ingress');
  if (other) return { type: 'unknown', note: `reserved:${other}` };
  if (ip) return { type: 'address', address: ip, note: reserved.includes('world') || reserved.includes('world-ipv4') || reserved.includes('world-ipv6') ? 'reserved:world' : undefined };
  return { type: 'unknown', note: 'no address recorded' };
}

function hubblePolicies(flow: Obj): ReportedPolicy[] {
  const out: ReportedPolicy[] = [];
  for (const [key, direction, action] of [
    ['egress_allowed_by', 'egress', 'allow'],
    ['ingress_allowed_by', 'ingress', 'allow'],
    ['egress_denied_by', 'egress', 'deny'],
    ['ingress_denied_by', 'ingress', 'deny'],
  ] as const) {
    const list = field(flow, key);
    if (!Array.isArray(list)) continue;
    for (const p of list) {
      if (!isObj(p)) continue;
      out.push({ kind: str(p, 'kind') || undefined, namespace: str(p, 'namespace') || undefined, name: str(p, 'name') ?? '', action, direction });
    }
  }
  return out;
}

export function normaliseHubble(o: Obj): NormaliseResult {
  if (!isObj(o.flow)) {
    if ('node_status' in o || 'nodeStatus' in o) return { skip: 'node status', silent: true };
    if ('lost_events' in o || 'lostEvents' in o) return { skip: 'lost events notice' };
  }
  const flow = isObj(o.flow) ? o.flow : o;
  const type = enumName(field(flow, 'Type'), HB_FLOW_TYPE);
  if (type === 'L7') return { skip: 'L7 record (its L3/L4 record is used)' };
  if (type === 'SOCK') return { skip: 'socket translation record' };
  const verdictName = enumName(field(flow, 'verdict'), HB_VERDICT) ?? 'VERDICT_UNKNOWN';
  const isReply = field(flow, 'is_reply');
  const l4 = field(flow, 'l4');
  let protocol: string | undefined;
  let port: number | undefined;
  let tcpFlags: Obj | undefined;
  if (isObj(l4)) {
    for (const k of ['TCP', 'UDP', 'SCTP']) {
      const p = l4[k];
      if (isObj(p)) {
        protocol = k;
        port = num(p, 'destination_port');
        if (k === 'TCP' && isObj(p.flags)) tcpFlags = p.flags;
      }
    }
    for (const [k, name] of [['ICMPv4', 'ICMP'], ['ICMPv6', 'ICMPv6']] as const) {
      const p = l4[k];
      if (isObj(p)) {
        protocol = name;
        const t = num(p, 'type') ?? 0;
        const c = num(p, 'code') ?? 0;
        port = Math.min(ICMP_MAX, t * 256 + c);
      }
    }
    if (!protocol) {
      if (isObj(l4.VRRP)) protocol = '112';
      else if (isObj(l4.IGMP)) protocol = '2';
    }
  }
  // Replies belong to the flow they answer ([HB] is_reply; older agents only set `reply`; a SYN-ACK is a reply).
  const reply = isReply === true || (isObj(isReply) && isReply.value === true) || (isReply === undefined && field(flow, 'reply') === true) || (isReply === undefined && !!tcpFlags && tcpFlags.SYN === true && tcpFlags.ACK === true);
  if (reply) return { skip: 'reply (folded into its request)', silent: true };
  if (port === 0 && (protocol === 'TCP' || protocol === 'UDP' || protocol === 'SCTP')) port = undefined;
  let verdict: ObservedVerdict;
  let audit = false;
  switch (verdictName) {
    case 'FORWARDED':
    case 'REDIRECTED':
    case 'TRACED':
      verdict = 'allowed';
      break;
    case 'AUDIT':
      verdict = 'denied';
      audit = true;
      break;
    case 'DROPPED': {
      const desc = field(flow, 'drop_reason_desc');
      const legacy = num(flow, 'drop_reason');
      const reason = typeof desc === 'string' || typeof desc === 'number' ? String(desc) : legacy !== undefined ? String(legacy) : undefined;
      if (!reason || !POLICY_DROPS.has(reason)) return { error: `dropped for a reason other than policy (${reason ?? 'no reason recorded'}): not a policy verdict` };
      verdict = 'denied';
      break;
    }
    default:
      return { skip: `verdict ${verdictName}` };
  }
  if (!protocol) return { error: 'no layer-4 protocol recorded' };
  const ip = field(flow, 'IP');
  const srcIp = isObj(ip) ? str(ip, 'source') : undefined;
  const dstIp = isObj(ip) ? str(ip, 'destination') : undefined;
  const dir = enumName(field(flow, 'traffic_direction'), HB_DIRECTION);
  const ev = field(flow, 'event_type');
  const evType = isObj(ev) ? num(ev, 'type') : undefined;
  const agg = field(flow, 'aggregate');
  let count = 1;
  if (isObj(agg)) {
    const n = (num(agg, 'ingress_flow_count') ?? 0) + (num(agg, 'egress_flow_count') ?? 0) + (num(agg, 'unknown_direction_flow_count') ?? 0);
    if (n > 0) count = n;
  }
  const t = timeMs(field(flow, 'time') ?? field(o, 'time'));
  const record: FlowRecord = {
    format: 'hubble',
    src: hubbleEnd(field(flow, 'source'), srcIp),
    dst: hubbleEnd(field(flow, 'destination'), dstIp),
    protocol,
    port,
    verdict,
    audit: audit || undefined,
    side: dir === 'EGRESS' ? 'src' : dir === 'INGRESS' ? 'dst' : 'unknown',
    count,
    // Policy-verdict and drop events stand for connections; trace events for packets.
    weight: evType === MSG_POLICY_VERDICT || evType === MSG_DROP || verdictName === 'DROPPED' || verdictName === 'AUDIT' ? 'connection' : 'packet',
    start: t,
    end: t,
    policies: hubblePolicies(flow),
  };
  return { record };
}
