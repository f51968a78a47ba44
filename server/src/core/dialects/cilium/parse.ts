// cilium.io YAML -> typed Cilium model (model.ts), with a range for every diagnostic. Never throws.
//
// Checks follow what the API server (CRD schema, cilium/cilium pkg/policy/api kubebuilder markers) and the Cilium
// agent (pkg/policy/api rule_validation.go, Rule.Sanitize) reject; a rejected policy has no effect, so it is left
// out of the model (`rejected`) and the diagnostic says so. Codes:
//   cilium-policy-rejected  (error)   the agent or the API server refuses the policy
//   cilium-field-value      (error)   a value the API server or the agent rejects (also rejects the policy)
//   cilium-not-modelled     (info)    parsed but not part of the reachability (host policies, toServices, ...)
// Unknown fields are reported by lint.ts (with a quick fix).
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import { parseCidr, parseIPv4, parseIPv6 } from '../../ip';
import type { Cluster, Diagnostic, LabelSelector, SourceRange } from '../../model';
import { getNode, getPair, metaNameRange, parseLabelSelector, type ParseContext } from '../../yaml';
import { parseLabelKey } from './labels';
import {
  CILIUM_ENTITIES,
  CILIUM_PROTOCOLS,
  ICMP_V4_TYPES,
  ICMP_V6_TYPES,
  emptyCiliumInput,
  isCiliumPolicyKind,
  type CiliumCidrGroup,
  type CiliumCidrRule,
  type CiliumIcmp,
  type CiliumL3Field,
  type CiliumL7Kind,
  type CiliumOperator,
  type CiliumPeerRule,
  type CiliumPolicy,
  type CiliumPolicyKind,
  type CiliumPort,
  type CiliumPortRule,
  type CiliumProtocol,
  type CiliumRule,
  type CiliumSelector,
} from './model';

export function isCiliumApiVersion(apiVersion: string): boolean {
  return apiVersion.startsWith('cilium.io/');
}

const OPERATORS: readonly CiliumOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

class Reader {
  /** First error that makes the agent or the API server refuse the policy. */
  rejected?: string;
  constructor(readonly ctx: ParseContext) {}

  diag(code: string, severity: Diagnostic['severity'], message: string, node: Node | Pair | null | undefined, fallback?: SourceRange): void {
    this.ctx.report(code, severity, message, node, fallback);
  }

  /** An error that makes the whole policy ineffective. */
  reject(code: 'cilium-policy-rejected' | 'cilium-field-value', message: string, node: Node | Pair | null | undefined, fallback?: SourceRange): void {
    this.rejected ??= message;
    this.diag(code, 'error', `${message} The ${code === 'cilium-field-value' ? 'API server or the Cilium agent' : 'Cilium agent'} rejects this policy, so it has no effect.`, node, fallback);
  }

  range(n: Node | Pair | null | undefined): SourceRange | undefined {
    return this.ctx.rangeOf(n);
  }

  map(parent: YAMLMap | undefined, key: string): YAMLMap | undefined {
    const p = getPair(parent, key);
    if (!p) return undefined;
    const v = p.value as Node | null;
    if (v === null || (isScalar(v) && v.value === null)) return undefined;
    if (isMap(v)) return v;
    this.reject('cilium-field-value', `\`${key}\` must be a mapping.`, v ?? p);
    return undefined;
  }

  /** A list: undefined when absent or null; [] for an empty list. */
  seq(parent: YAMLMap | undefined, key: string): Node[] | undefined {
    const p = getPair(parent, key);
    if (!p) return undefined;
    const v = p.value as Node | null;
    if (v === null || (isScalar(v) && v.value === null)) return undefined;
    if (isSeq(v)) return v.items as Node[];
    this.reject('cilium-field-value', `\`${key}\` must be a list.`, v ?? p);
    return undefined;
  }

  str(parent: YAMLMap | undefined, key: string): string | undefined {
    const v = getNode(parent, key);
    if (v === undefined) return undefined;
    if (isScalar(v)) {
      if (v.value === null) return undefined;
      if (typeof v.value === 'string') return v.value;
      if (typeof v.value === 'number' || typeof v.value === 'boolean') return String(v.value);
    }
    this.reject('cilium-field-value', `\`${key}\` must be a string.`, v);
    return undefined;
  }

  bool(parent: YAMLMap | undefined, key: string): boolean | undefined {
    const v = getNode(parent, key);
    if (v === undefined || (isScalar(v) && v.value === null)) return undefined;
    if (isScalar(v) && typeof v.value === 'boolean') return v.value;
    this.reject('cilium-field-value', `\`${key}\` must be true or false.`, v);
    return undefined;
  }

  // ------------------------------------------------------------------ selectors

  selector(node: Node | null | undefined): CiliumSelector {
    const sel: CiliumSelector = { matchLabels: [], matchExpressions: [], range: this.range(node ?? undefined) };
    if (!node || (isScalar(node) && node.value === null)) return sel;
    if (!isMap(node)) {
      this.reject('cilium-field-value', 'An endpoint selector must be a mapping with matchLabels and/or matchExpressions.', node);
      sel.invalid = true;
      return sel;
    }
    const ml = this.map(node, 'matchLabels');
    for (const p of ml?.items ?? []) {
      const k = isScalar(p.key) ? p.key.value : undefined;
      const v = p.value as Node | null;
      if (typeof k !== 'string' || k === '') {
        this.reject('cilium-field-value', 'Label keys must be non-empty strings.', p.key as Node);
        sel.invalid = true;
        continue;
      }
      let value = '';
      if (v !== null && !(isScalar(v) && v.value === null)) {
        if (isScalar(v) && (typeof v.value === 'string' || typeof v.value === 'number' || typeof v.value === 'boolean')) value = String(v.value);
        else {
          this.reject('cilium-field-value', `Label \`${k}\` must have a string value.`, v);
          sel.invalid = true;
        }
      }
      sel.matchLabels.push({ key: parseLabelKey(k), value, range: this.range(p as unknown as Pair) });
    }
    for (const item of this.seq(node, 'matchExpressions') ?? []) {
      if (!isMap(item)) {
        this.reject('cilium-field-value', 'A matchExpressions entry must be a mapping with key, operator and values.', item);
        sel.invalid = true;
        continue;
      }
      const key = this.str(item, 'key');
      const op = this.str(item, 'operator');
      const values: string[] = [];
      for (const v of this.seq(item, 'values') ?? []) if (isScalar(v) && v.value !== null) values.push(String(v.value));
      if (!key) {
        this.reject('cilium-field-value', 'A matchExpressions entry needs a key.', item);
        sel.invalid = true;
        continue;
      }
      if (!op || !OPERATORS.includes(op as CiliumOperator)) {
        this.reject('cilium-field-value', `Unknown selector operator "${op ?? ''}"; use In, NotIn, Exists or DoesNotExist.`, getNode(item, 'operator') ?? item);
        sel.invalid = true;
        continue;
      }
      if ((op === 'In' || op === 'NotIn') && values.length === 0) {
        this.reject('cilium-field-value', `Operator ${op} needs at least one value.`, getNode(item, 'values') ?? item);
        sel.invalid = true;
      }
      if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
        this.reject('cilium-field-value', `Operator ${op} takes no values.`, getNode(item, 'values') ?? item);
        sel.invalid = true;
      }
      sel.matchExpressions.push({ key: parseLabelKey(key), operator: op as CiliumOperator, values, range: this.range(item) });
    }
    return sel;
  }

  // ------------------------------------------------------------------ peers

  cidrText(node: Node, allowBareIp: boolean, field: string): { text: string; cidr?: ReturnType<typeof parseCidr> & object } | undefined {
    if (!isScalar(node) || node.value === null) {
      this.reject('cilium-field-value', `\`${field}\` entries must be CIDR strings such as 10.0.0.0/8.`, node);
      return undefined;
    }
    const text = String(node.value).trim();
    let c = parseCidr(text);
    if (typeof c === 'string' && allowBareIp && !text.includes('/')) {
      // fromCIDR/toCIDR also accept a single address (pkg/policy/api rule_validation.go CIDR.sanitize).
      if (parseIPv4(text) !== undefined) c = parseCidr(`${text}/32`);
      else if (parseIPv6(text) !== undefined) c = parseCidr(`${text}/128`);
    }
    if (typeof c === 'string') {
      this.reject('cilium-field-value', `${field}: ${c}.`, node);
      return { text };
    }
    return { text, cidr: c };
  }

  cidrRule(item: Node, field: string): CiliumCidrRule | undefined {
    if (!isMap(item)) {
      this.reject('cilium-field-value', `\`${field}\` entries must be mappings with cidr (or cidrGroupRef / cidrGroupSelector) and optional except.`, item);
      return undefined;
    }
    const rule: CiliumCidrRule = { except: [], range: this.range(item) };
    const cidrNode = getNode(item, 'cidr');
    const ref = this.str(item, 'cidrGroupRef');
    const selNode = getPair(item, 'cidrGroupSelector');
    const n = (cidrNode ? 1 : 0) + (ref ? 1 : 0) + (selNode ? 1 : 0);
    if (n === 0) this.reject('cilium-policy-rejected', 'One of cidr, cidrGroupRef or cidrGroupSelector is required.', item);
    if (n > 1) this.reject('cilium-policy-rejected', 'Only one of cidr, cidrGroupRef and cidrGroupSelector may be set.', item);
    if (cidrNode) {
      const c = this.cidrText(cidrNode, false, `${field}.cidr`);
      if (c) {
        rule.text = c.text;
        rule.cidr = c.cidr;
      }
    }
    if (ref) rule.groupRef = ref;
    if (selNode) rule.groupSelector = parseLabelSelector(this.ctx, selNode.value as Node | null);
    for (const e of this.seq(item, 'except') ?? []) {
      const c = this.cidrText(e, false, `${field}.except`);
      if (!c) continue;
      rule.except.push({ text: c.text, cidr: c.cidr, range: this.range(e) });
      if (c.cidr && rule.cidr && !(c.cidr.family === rule.cidr.family && rule.cidr.lo <= c.cidr.lo && c.cidr.lo <= rule.cidr.hi)) {
        this.reject('cilium-policy-rejected', `The except prefix ${c.text} is not inside ${rule.text}.`, e);
      }
    }
    if (rule.except.length && !rule.cidr) this.reject('cilium-policy-rejected', 'except is only supported together with cidr (not with a CIDR group).', getNode(item, 'except'));
    return rule;
  }

  ports(list: Node[], direction: 'Ingress' | 'Egress', deny: boolean): CiliumPortRule[] {
    const out: CiliumPortRule[] = [];
    for (const item of list) {
      if (!isMap(item)) {
        this.reject('cilium-field-value', 'A toPorts entry must be a mapping with ports (and, for allow rules, optional L7 rules).', item);
        continue;
      }
      const pr: CiliumPortRule = { ports: [], range: this.range(item) };
      const rulesMap = deny ? undefined : this.map(item, 'rules');
      if (deny && getPair(item, 'rules')) this.reject('cilium-policy-rejected', 'Deny rules do not support L7 rules (docs.cilium.io "Deny Policies").', getPair(item, 'rules'));
      let l7Kinds: CiliumL7Kind[] = [];
      if (rulesMap) {
        for (const k of ['http', 'kafka', 'dns', 'l7'] as CiliumL7Kind[]) {
          const s = getNode(rulesMap, k);
          if (s && isSeq(s) && s.items.length > 0) {
            l7Kinds.push(k);
            const patterns = k === 'dns' ? (s.items as Node[]).flatMap((x) => (isMap(x) ? [getNode(x, 'matchPattern'), getNode(x, 'matchName')] : [])).filter((x): x is Node => !!x && isScalar(x)).map((x) => String((x as { value: unknown }).value)) : undefined;
            pr.l7 = { kind: k, count: s.items.length, range: this.range(getPair(rulesMap, k)), dnsPatterns: patterns };
          }
        }
        if (getPair(rulesMap, 'l7') && !this.str(rulesMap, 'l7proto')) this.reject('cilium-policy-rejected', "'l7' may only be specified together with 'l7proto'.", getPair(rulesMap, 'l7'));
        if (l7Kinds.length > 1) this.reject('cilium-policy-rejected', 'Only one L7 rule type (http, kafka, dns or l7) may be given in one toPorts entry.', rulesMap);
        if (direction === 'Ingress' && l7Kinds.includes('dns')) this.reject('cilium-policy-rejected', 'DNS rules are not allowed on ingress.', getPair(rulesMap, 'dns'));
      }
      const sn = this.seq(item, 'serverNames');
      if (sn) pr.serverNames = sn.filter(isScalar).map((x) => String(x.value));
      if (getPair(item, 'listener')) pr.listener = true;
      if (pr.listener && direction === 'Ingress') this.reject('cilium-policy-rejected', 'A listener is not allowed on ingress.', getPair(item, 'listener'));
      const portList = this.seq(item, 'ports') ?? [];
      if (portList.length > 40) this.reject('cilium-policy-rejected', 'Too many ports: at most 40 per toPorts entry.', getPair(item, 'ports'));
      for (const pn of portList) {
        const p = this.port(pn, l7Kinds, pr);
        if (p) pr.ports.push(p);
      }
      if (l7Kinds.includes('dns') && portList.length === 0) this.reject('cilium-policy-rejected', 'Port 53 must be specified for DNS rules.', item);
      out.push(pr);
    }
    return out;
  }

  port(node: Node, l7Kinds: CiliumL7Kind[], pr: CiliumPortRule): CiliumPort | undefined {
    if (!isMap(node)) {
      this.reject('cilium-field-value', 'A ports entry must be a mapping with port, optional endPort and protocol.', node);
      return undefined;
    }
    const protoRaw = (this.str(node, 'protocol') ?? 'ANY').toUpperCase();
    if (!(CILIUM_PROTOCOLS as readonly string[]).includes(protoRaw)) {
      this.reject('cilium-field-value', `Unsupported protocol "${this.str(node, 'protocol')}"; use TCP, UDP, SCTP, ANY (or VRRP, IGMP). ICMP is matched with \`icmps\`, not toPorts.`, getNode(node, 'protocol'));
      return undefined;
    }
    const protocol = protoRaw as CiliumProtocol;
    const out: CiliumPort = { protocol, range: this.range(node) };
    const portNode = getNode(node, 'port');
    if (portNode && isScalar(portNode) && typeof portNode.value === 'number') {
      // The CRD declares port as a string: the API server rejects `port: 80` ("must be of type string").
      this.rejected ??= 'port must be a string';
      const range = this.range(portNode);
      if (range) this.ctx.diagnostics.push({ code: 'cilium-field-value', severity: 'error', message: `\`port\` must be a string: write "${portNode.value}". The API server rejects an integer here (the CRD field is a string), so this policy is not created.`, range, fix: { kind: 'replace-port', names: [`"${portNode.value}"`] } });
    }
    const portText = portNode && isScalar(portNode) && portNode.value !== null ? String(portNode.value).trim() : undefined;
    if (portText === undefined || portText === '') {
      // rule_validation.go PortProtocol.sanitize: "port must be specified" (unless extended IP protocols are on).
      if (protocol === 'VRRP' || protocol === 'IGMP') return out;
      this.reject('cilium-policy-rejected', 'Port must be specified; use port "0" for every port of the protocol.', portNode ?? node);
      return undefined;
    }
    if (/^\d+$/.test(portText)) {
      const n = Number(portText);
      if (n > 65535) {
        this.reject('cilium-field-value', `Port ${n} is out of range (0-65535).`, portNode);
        return undefined;
      }
      if (n !== 0 && (protocol === 'VRRP' || protocol === 'IGMP')) this.reject('cilium-policy-rejected', `${protocol} has no ports: port must be empty or 0.`, portNode);
      if (n !== 0) out.port = n;
      else if (l7Kinds.length) this.reject('cilium-policy-rejected', 'L7 rules can not be used when a port is 0.', portNode);
    } else if (/^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/.test(portText)) {
      out.port = portText.toLowerCase();
    } else {
      this.reject('cilium-field-value', `"${portText}" is neither a port number nor a port name.`, portNode);
      return undefined;
    }
    const endNode = getNode(node, 'endPort');
    if (endNode && isScalar(endNode) && endNode.value !== null) {
      const e = Number(endNode.value);
      if (!Number.isInteger(e) || e < 0 || e > 65535) this.reject('cilium-field-value', 'endPort must be a port number (0-65535).', endNode);
      else if (typeof out.port === 'number' && e > out.port) {
        out.endPort = e;
        if (l7Kinds.includes('dns')) this.reject('cilium-policy-rejected', 'DNS rules do not support port ranges.', endNode);
      }
    }
    if (l7Kinds.length && !l7Kinds.includes('dns') && protocol !== 'TCP') this.reject('cilium-policy-rejected', `L7 rules can only apply to TCP (not ${protocol}) except for DNS rules.`, getNode(node, 'protocol') ?? node);
    void pr;
    return out;
  }

  icmps(list: Node[]): CiliumIcmp[] {
    const out: CiliumIcmp[] = [];
    for (const item of list) {
      if (!isMap(item)) {
        this.reject('cilium-field-value', 'An icmps entry must be a mapping with fields.', item);
        continue;
      }
      const fields = this.seq(item, 'fields') ?? [];
      if (fields.length > 40) this.reject('cilium-policy-rejected', 'Too many ICMP types: at most 40 per icmps entry.', getPair(item, 'fields'));
      for (const f of fields) {
        if (!isMap(f)) {
          this.reject('cilium-field-value', 'An ICMP field must be a mapping with type and optional family.', f);
          continue;
        }
        const familyRaw = this.str(f, 'family') ?? 'IPv4';
        if (familyRaw !== 'IPv4' && familyRaw !== 'IPv6') {
          this.reject('cilium-field-value', `Wrong ICMP family "${familyRaw}"; use IPv4 or IPv6.`, getNode(f, 'family'));
          continue;
        }
        const tn = getNode(f, 'type');
        const text = tn && isScalar(tn) && tn.value !== null ? String(tn.value).trim() : '';
        let type: number | undefined;
        if (/^\d+$/.test(text)) type = Number(text) <= 255 ? Number(text) : undefined;
        else type = (familyRaw === 'IPv6' ? ICMP_V6_TYPES : ICMP_V4_TYPES)[text];
        if (type === undefined) {
          this.reject('cilium-field-value', text ? `ICMP type "${text}" is not a number 0-255 nor a known ${familyRaw} ICMP type name.` : 'An ICMP field needs a type.', tn ?? f);
          continue;
        }
        out.push({ family: familyRaw, type, text, range: this.range(f) });
      }
    }
    return out;
  }

  peerRule(item: Node, index: number, direction: 'Ingress' | 'Egress', deny: boolean, hostPolicy: boolean): CiliumPeerRule | undefined {
    const rule: CiliumPeerRule = { index, direction, deny, range: this.range(item), l3: [], emptyL3: [] };
    if (item === null || (isScalar(item) && item.value === null)) return rule;
    if (!isMap(item)) {
      this.reject('cilium-field-value', `A${direction === 'Ingress' ? 'n ingress' : 'n egress'} rule must be a mapping.`, item);
      return undefined;
    }
    const from = direction === 'Ingress';
    const f = (s: string) => (from ? `from${s}` : `to${s}`) as CiliumL3Field;
    const track = (field: CiliumL3Field): Node[] | undefined => {
      const list = this.seq(item, field);
      if (list === undefined) return undefined;
      if (list.length === 0) rule.emptyL3.push({ field, range: this.range(getPair(item, field)) });
      else rule.l3.push(field);
      return list;
    };
    const eps = track(f('Endpoints'));
    if (eps) rule.endpoints = eps.map((n) => this.selector(n));
    const req = track(f('Requires'));
    if (req && req.length) this.reject('cilium-policy-rejected', `\`${f('Requires')}\` was deprecated in Cilium 1.17 and removed in 1.19 (the CRD allows no items).`, getPair(item, f('Requires')));
    const ents = track(f('Entities'));
    if (ents) {
      rule.entities = [];
      for (const e of ents) {
        const name = isScalar(e) && e.value !== null ? String(e.value) : '';
        if (!(CILIUM_ENTITIES as readonly string[]).includes(name)) {
          this.reject('cilium-field-value', `Unsupported entity "${name}"; use one of ${CILIUM_ENTITIES.join(', ')}.`, e);
          continue;
        }
        rule.entities.push({ name, range: this.range(e) });
      }
    }
    const cidrs = track(f('CIDR'));
    const cidrSets = track(f('CIDRSet'));
    if (cidrs || cidrSets) {
      rule.cidrs = [];
      for (const c of cidrs ?? []) {
        const t = this.cidrText(c, true, f('CIDR'));
        if (t) rule.cidrs.push({ text: t.text, cidr: t.cidr, except: [], range: this.range(c) });
      }
      for (const c of cidrSets ?? []) {
        const r = this.cidrRule(c, f('CIDRSet'));
        if (r) rule.cidrs.push(r);
      }
    }
    const nodes = track(f('Nodes'));
    if (nodes) rule.nodes = nodes.map((n) => this.selector(n));
    const groups = track(f('Groups'));
    if (groups) rule.groups = groups.map((g) => ({ text: groupText(g), range: this.range(g) }));
    if (!from) {
      const svcs = track('toServices');
      if (svcs) rule.services = svcs.map((s) => ({ text: serviceText(s), range: this.range(s) }));
      if (!deny) {
        const fq = this.seq(item, 'toFQDNs');
        if (fq && fq.length) {
          rule.l3.push('toFQDNs');
          rule.fqdns = [];
          for (const q of fq) {
            if (!isMap(q)) {
              this.reject('cilium-field-value', 'A toFQDNs entry must be a mapping with matchName or matchPattern.', q);
              continue;
            }
            const matchName = this.str(q, 'matchName');
            const matchPattern = this.str(q, 'matchPattern');
            if (!!matchName === !!matchPattern) this.reject('cilium-field-value', 'A toFQDNs entry needs exactly one of matchName and matchPattern.', q);
            if (matchName && !/^([-a-zA-Z0-9_]+[.]?)+$/.test(matchName)) this.reject('cilium-field-value', `"${matchName}" is not a DNS name.`, getNode(q, 'matchName'));
            if (matchPattern && !/^([-a-zA-Z0-9_*]+[.]?)+$/.test(matchPattern)) this.reject('cilium-field-value', `"${matchPattern}" is not a DNS name pattern.`, getNode(q, 'matchPattern'));
            rule.fqdns.push({ matchName, matchPattern, range: this.range(q) });
          }
        }
      } else if (getPair(item, 'toFQDNs')) {
        this.reject('cilium-policy-rejected', 'Deny rules do not support toFQDNs (docs.cilium.io "Deny Policies").', getPair(item, 'toFQDNs'));
      }
    }
    // pkg/policy/api rule_validation.go: "combining X and Y is not supported yet": one peer field per rule
    // (fromCIDR and fromCIDRSet count as two fields).
    if (rule.l3.length > 1) this.reject('cilium-policy-rejected', `Combining ${rule.l3.join(' and ')} in one rule is not supported; write one rule per kind of peer.`, item);
    const tp = this.seq(item, 'toPorts');
    if (tp && tp.length) rule.toPorts = this.ports(tp, direction, deny);
    const ic = this.seq(item, 'icmps');
    if (ic && ic.length) rule.icmps = this.icmps(ic);
    if (rule.icmps?.length && rule.toPorts?.length) this.reject('cilium-policy-rejected', 'The icmps block may only be present without toPorts; define a separate rule to use toPorts.', getPair(item, 'icmps'));
    if (rule.toPorts?.some((p) => p.l7) && hostPolicy) this.reject('cilium-policy-rejected', 'L7 policy is not supported in host policies (nodeSelector).', item);
    const auth = this.map(item, 'authentication');
    if (auth) rule.authentication = this.str(auth, 'mode');
    return rule;
  }

  rules(spec: YAMLMap, key: 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny', hostPolicy: boolean): CiliumPeerRule[] {
    const list = this.seq(spec, key) ?? [];
    const out: CiliumPeerRule[] = [];
    list.forEach((n, i) => {
      const r = this.peerRule(n, i, key.startsWith('ingress') ? 'Ingress' : 'Egress', key.endsWith('Deny'), hostPolicy);
      if (r) out.push(r);
    });
    return out;
  }

  rule(spec: YAMLMap, index: number, kind: CiliumPolicyKind): CiliumRule {
    const esPair = getPair(spec, 'endpointSelector');
    const nsPair = getPair(spec, 'nodeSelector');
    const rule: CiliumRule = { index, range: this.range(spec), ingress: [], ingressDeny: [], egress: [], egressDeny: [], enableDefaultDeny: {} };
    if (esPair) rule.endpointSelector = this.selector(esPair.value as Node | null);
    if (nsPair) {
      rule.nodeSelector = this.selector(nsPair.value as Node | null);
      if (kind === 'CiliumNetworkPolicy') this.reject('cilium-policy-rejected', 'nodeSelector can only be used in a CiliumClusterwideNetworkPolicy.', nsPair);
    }
    if (!esPair && !nsPair) this.reject('cilium-policy-rejected', 'A rule must have an endpointSelector (or, in a CiliumClusterwideNetworkPolicy, a nodeSelector).', spec);
    if (esPair && nsPair) this.reject('cilium-policy-rejected', 'A rule cannot have both endpointSelector and nodeSelector.', nsPair);
    const host = !!nsPair && !esPair;
    rule.ingress = this.rules(spec, 'ingress', host);
    rule.ingressDeny = this.rules(spec, 'ingressDeny', host);
    rule.egress = this.rules(spec, 'egress', host);
    rule.egressDeny = this.rules(spec, 'egressDeny', host);
    if (rule.ingress.length + rule.ingressDeny.length + rule.egress.length + rule.egressDeny.length === 0) {
      this.reject('cilium-policy-rejected', 'A rule must have at least one of ingress, ingressDeny, egress, egressDeny (an empty rule list counts as none; `ingress: [{}]` is the default-deny idiom).', spec);
    }
    const edd = this.map(spec, 'enableDefaultDeny');
    if (edd) {
      rule.enableDefaultDeny = { ingress: this.bool(edd, 'ingress'), egress: this.bool(edd, 'egress'), ingressRange: this.range(getPair(edd, 'ingress')), egressRange: this.range(getPair(edd, 'egress')), range: this.range(getPair(spec, 'enableDefaultDeny')) };
    }
    rule.description = this.str(spec, 'description');
    return rule;
  }
}

function groupText(g: Node): string {
  if (isMap(g)) {
    const aws = getNode(g, 'aws');
    if (aws && isMap(aws)) {
      const parts: string[] = [];
      for (const k of ['securityGroupsIds', 'securityGroupsNames']) {
        const s = getNode(aws, k);
        if (s && isSeq(s)) for (const x of s.items) if (isScalar(x)) parts.push(String(x.value));
      }
      return `aws:${parts.join(',') || 'group'}`;
    }
  }
  return 'group';
}

function serviceText(s: Node): string {
  if (!isMap(s)) return 'service';
  const svc = getNode(s, 'k8sService');
  if (svc && isMap(svc)) {
    const name = getNode(svc, 'serviceName');
    const ns = getNode(svc, 'namespace');
    return `${ns && isScalar(ns) ? String(ns.value) : ''}/${name && isScalar(name) ? String(name.value) : ''}`;
  }
  const sel = getNode(s, 'k8sServiceSelector');
  if (sel && isMap(sel)) {
    const ns = getNode(sel, 'namespace');
    const inner = getNode(sel, 'selector');
    const ml = inner && isMap(inner) ? getNode(inner, 'matchLabels') : undefined;
    const labels = ml && isMap(ml) ? ml.items.map((p) => `${String((p.key as { value?: unknown }).value)}=${String((p.value as { value?: unknown } | null)?.value ?? '')}`).join(',') : '';
    return `${ns && isScalar(ns) ? String(ns.value) : '*'}/[${labels}]`;
  }
  return 'service';
}

/** Parses one CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy. */
export function parseCiliumPolicy(obj: YAMLMap, ctx: ParseContext, kind: CiliumPolicyKind): CiliumPolicy {
  const r = new Reader(ctx);
  const meta = r.map(obj, 'metadata');
  const name = r.str(meta, 'name');
  if (!name) r.diag('missing-name', 'error', `${kind} has no metadata.name.`, getPair(obj, 'metadata') ?? obj);
  const nsRaw = r.str(meta, 'namespace');
  const namespaced = kind === 'CiliumNetworkPolicy';
  const namespace = namespaced ? nsRaw ?? ctx.defaultNamespace : undefined;
  const policy: CiliumPolicy = {
    kind,
    name: name ?? '(unnamed)',
    namespace,
    namespaceDefaulted: namespaced && nsRaw === undefined,
    id: namespaced ? `${namespace}/${name ?? '(unnamed)'}` : name ?? '(unnamed)',
    range: ctx.rangeOf(obj),
    nameRange: metaNameRange(ctx, meta, obj),
    rules: [],
  };
  const spec = r.map(obj, 'spec');
  const specs = r.seq(obj, 'specs');
  if (spec) policy.rules.push(r.rule(spec, -1, kind));
  (specs ?? []).forEach((s, i) => {
    if (isMap(s)) policy.rules.push(r.rule(s, i, kind));
    else r.reject('cilium-field-value', '`specs` entries must be rule mappings.', s);
  });
  if (!spec && !(specs && specs.length)) r.reject('cilium-policy-rejected', `${kind} needs \`spec\` or \`specs\`.`, getPair(obj, 'kind') ?? obj);
  policy.rejected = r.rejected;
  return policy;
}

function parseCidrGroup(obj: YAMLMap, ctx: ParseContext): CiliumCidrGroup | undefined {
  const r = new Reader(ctx);
  const meta = r.map(obj, 'metadata');
  const name = r.str(meta, 'name');
  if (!name) {
    r.diag('missing-name', 'error', 'CiliumCIDRGroup has no metadata.name.', obj);
    return undefined;
  }
  const labels: Record<string, string> = {};
  const lm = r.map(meta, 'labels');
  for (const p of lm?.items ?? []) if (isScalar(p.key)) labels[String(p.key.value)] = isScalar(p.value) ? String((p.value as { value: unknown }).value ?? '') : '';
  const group: CiliumCidrGroup = { name, labels, cidrs: [], range: metaNameRange(ctx, meta, obj) };
  for (const c of r.seq(r.map(obj, 'spec'), 'externalCIDRs') ?? []) {
    const t = r.cidrText(c, false, 'externalCIDRs');
    if (t?.cidr) group.cidrs.push({ text: t.text, cidr: t.cidr });
  }
  return group;
}

/**
 * Handles one object of the cilium.io group: policies, CIDR groups; other kinds (CiliumEndpoint, CiliumNode,
 * CiliumEnvoyConfig, ...) only mark the cluster as a Cilium cluster. Returns true (the object was handled).
 */
export function parseCiliumObject(obj: YAMLMap, ctx: ParseContext, cluster: Cluster, apiVersion: string, kind: string): boolean {
  const c = (cluster.cilium ??= emptyCiliumInput());
  if (isCiliumPolicyKind(kind)) {
    if (!/^cilium\.io\/v2$/.test(apiVersion)) ctx.report('cilium-field-value', 'warning', `${kind} is served as cilium.io/v2; "${apiVersion}" is read as v2.`, getNode(obj, 'apiVersion'));
    c.policies.push(parseCiliumPolicy(obj, ctx, kind));
  } else if (kind === 'CiliumCIDRGroup') {
    const g = parseCidrGroup(obj, ctx);
    if (g) c.cidrGroups.push(g);
  }
  const range = ctx.rangeOf(getNode(obj, 'kind')) ?? ctx.rangeOf(obj);
  if (range) (cluster.cniMarkers ??= []).push({ cni: 'cilium', what: `${kind} (${apiVersion})`, strong: false, range });
  return true;
}

/** Reads a ConfigMap named cilium-config (any namespace; normally kube-system). */
export function parseCiliumConfigMap(obj: YAMLMap, ctx: ParseContext, cluster: Cluster, namespace: string): void {
  const data: Record<string, string> = {};
  const keyRanges: Record<string, SourceRange> = {};
  const d = getNode(obj, 'data');
  if (d && isMap(d)) {
    for (const p of d.items) {
      if (!isScalar(p.key)) continue;
      const k = String(p.key.value);
      const v = p.value as Node | null;
      data[k] = v && isScalar(v) && v.value !== null ? String(v.value) : '';
      const rg = ctx.rangeOf(p as unknown as Pair);
      if (rg) keyRanges[k] = rg;
    }
  }
  const c = (cluster.cilium ??= emptyCiliumInput());
  const meta = getNode(obj, 'metadata');
  const range = metaNameRange(ctx, meta && isMap(meta) ? meta : undefined, obj);
  c.configs.push({ namespace, data, range, keyRanges });
  if (range) (cluster.cniMarkers ??= []).push({ cni: 'cilium', what: `ConfigMap ${namespace}/cilium-config`, strong: true, range });
}

export type { LabelSelector };
