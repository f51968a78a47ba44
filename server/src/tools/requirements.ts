// Connectivity requirements (`policy-lens verify`): the Policy Lens rules format and np-guard's baseline-rules
// format, both compiled to one Requirement shape and evaluated with the engine (Analysis.allowedBetween over the
// endpoints each requirement names; rules responsible from the engine's explanation via tools/trace.ts).
import { ConnSet, type Analysis, type Endpoint, type ProtocolPorts } from '../core/index';
import { compileSpec, globMatch, namespaceLabelsOf, parsePorts, type CompiledSpec, type EndpointSpec } from './endpoints';
import { traceOf, type ResponsibleRule } from './trace';

export type RequirementKind = 'allow' | 'deny' | 'only' | 'defaultDeny';

/** A requirement as written (Policy Lens format). */
export interface RequirementSource {
  name: string;
  description?: string;
  allow?: { from?: EndpointSpec | string; to?: EndpointSpec | string; ports?: unknown };
  deny?: { from?: EndpointSpec | string; to?: EndpointSpec | string; ports?: unknown };
  only?: { from?: EndpointSpec | string; to?: EndpointSpec | string; ports?: unknown };
  defaultDeny?: { namespaces?: string | string[]; directions?: ('ingress' | 'egress')[] };
}

/** A requirement ready for evaluation. */
export interface Requirement {
  name: string;
  description: string;
  kind: RequirementKind;
  /** Raw endpoint specs, compiled per analysis (namespace labels come from the cluster). */
  from?: EndpointSpec | string;
  to?: EndpointSpec | string;
  /** Sources also include every external address when `from` is not given (np-guard's "all sources"). */
  fromDefaultIncludesExternal?: boolean;
  /** Connections the requirement is about; undefined = all (deny/only: anything allowed; allow: TCP, UDP, SCTP all ports). */
  conns?: ConnSet;
  namespaces?: string[];
  directions?: ('ingress' | 'egress')[];
}

export interface Violation {
  /** For flow requirements. */
  src?: string;
  dst?: string;
  /** allow: the required connections that are NOT allowed; deny/only: the allowed connections that break it. */
  protocols?: ProtocolPorts;
  /** The rules that allow the offending connections (deny/only), or allow what is allowed (allow). */
  rules?: ResponsibleRule[];
  /** Directions that allow everything because no policy isolates the endpoint (egress of src, ingress of dst). */
  notIsolated?: ('egress' | 'ingress')[];
  /** For defaultDeny: the workload and direction that is not isolated. */
  workload?: string;
  direction?: 'ingress' | 'egress';
  reason: string;
}

export interface RequirementResult {
  name: string;
  description: string;
  kind: RequirementKind;
  status: 'satisfied' | 'violated' | 'invalid';
  /** What the requirement covered (number of endpoint pairs or workloads checked). */
  checked: number;
  violations: Violation[];
  /** For invalid requirements. */
  error?: string;
}

const KINDS: RequirementKind[] = ['allow', 'deny', 'only', 'defaultDeny'];

/** Compiles the Policy Lens format (`requirements:` list). Errors name the requirement. */
export function fromPolicyLensFormat(doc: unknown): { requirements: Requirement[]; errors: string[] } {
  const errors: string[] = [];
  const out: Requirement[] = [];
  const list = (doc as { requirements?: unknown })?.requirements;
  if (!Array.isArray(list)) return { requirements: [], errors: ['the rules file must have a "requirements:" list (or be an np-guard baseline-rules list)'] };
  list.forEach((raw, i) => {
    const r = raw as RequirementSource & Record<string, unknown>;
    const name = typeof r?.name === 'string' && r.name ? r.name : `requirement-${i + 1}`;
    const kinds = KINDS.filter((k) => r && r[k] !== undefined);
    const unknown = r && typeof r === 'object' ? Object.keys(r).filter((k) => !['name', 'description', ...KINDS].includes(k)) : [];
    if (!r || typeof r !== 'object' || kinds.length !== 1) {
      errors.push(`${name}: give exactly one of ${KINDS.join(', ')}`);
      return;
    }
    if (unknown.length) {
      errors.push(`${name}: unknown field(s) ${unknown.join(', ')}`);
      return;
    }
    const kind = kinds[0];
    const base = { name, description: typeof r.description === 'string' ? r.description : '', kind };
    if (kind === 'defaultDeny') {
      const d = (r.defaultDeny ?? {}) as NonNullable<RequirementSource['defaultDeny']>;
      const ns = d.namespaces === undefined ? ['*'] : Array.isArray(d.namespaces) ? d.namespaces.map(String) : [String(d.namespaces)];
      const dirs = d.directions ?? ['ingress', 'egress'];
      if (!Array.isArray(dirs) || dirs.some((x) => x !== 'ingress' && x !== 'egress')) {
        errors.push(`${name}: defaultDeny.directions must list ingress and/or egress`);
        return;
      }
      out.push({ ...base, namespaces: ns, directions: dirs });
      return;
    }
    const body = r[kind] as { from?: EndpointSpec | string; to?: EndpointSpec | string; ports?: unknown };
    if (!body || typeof body !== 'object') {
      errors.push(`${name}: ${kind} needs a mapping with from / to / ports`);
      return;
    }
    const extra = Object.keys(body).filter((k) => !['from', 'to', 'ports'].includes(k));
    if (extra.length) {
      errors.push(`${name}: unknown field(s) ${extra.map((k) => `${kind}.${k}`).join(', ')}`);
      return;
    }
    const conns = parsePorts(body.ports);
    if (typeof conns === 'string') {
      errors.push(`${name}: ${conns}`);
      return;
    }
    if (kind === 'only' && body.to === undefined) {
      errors.push(`${name}: only needs "to" (the endpoints that may be reached only from "from")`);
      return;
    }
    out.push({ ...base, from: body.from, to: body.to, fromDefaultIncludesExternal: true, conns });
  });
  return { requirements: out, errors };
}

/** np-guard baseline rules: a list of {name, description, action, from, to, from_ns, to_ns, protocol, port_min, port_max}. */
export function fromNpGuardFormat(list: unknown[]): { requirements: Requirement[]; errors: string[] } {
  const errors: string[] = [];
  const out: Requirement[] = [];
  const KEYS = ['name', 'description', 'action', 'from', 'to', 'from_ns', 'to_ns', 'protocol', 'port_min', 'port_max'];
  list.forEach((raw, i) => {
    const r = raw as Record<string, unknown>;
    const name = typeof r?.name === 'string' && r.name ? r.name : `no-name-${i + 1}`;
    if (!r || typeof r !== 'object') {
      errors.push(`${name}: a baseline rule must be a mapping`);
      return;
    }
    const bad = Object.keys(r).filter((k) => !KEYS.includes(k));
    if (bad.length) {
      errors.push(`${name}: unknown key(s) ${bad.join(', ')}`);
      return;
    }
    const action = r.action === undefined ? 'allow' : String(r.action);
    if (action !== 'allow' && action !== 'deny') {
      errors.push(`${name}: action must be allow or deny`);
      return;
    }
    const side = (sel: unknown, ns: unknown): EndpointSpec | string | undefined => {
      const s = sel === undefined || sel === null || sel === '' ? undefined : String(sel);
      const n = ns === undefined || ns === null || ns === '' ? undefined : String(ns);
      if (s !== undefined && /^[0-9a-fA-F.:]+\/\d+$/.test(s)) return { cidr: s };
      if (s === undefined && n === undefined) return undefined;
      return { ...(s !== undefined ? { labels: s } : {}), ...(n !== undefined ? { namespaceLabels: n } : {}) };
    };
    const from = side(r.from, r.from_ns);
    const to = side(r.to, r.to_ns);
    const isCidr = (x: unknown) => typeof x === 'object' && x !== null && 'cidr' in x;
    if ((isCidr(from) && r.from_ns) || (isCidr(to) && r.to_ns)) {
      errors.push(`${name}: a namespace selector cannot be combined with a CIDR`);
      return;
    }
    const proto = r.protocol === undefined || r.protocol === null ? undefined : String(r.protocol).toUpperCase();
    const pmin = r.port_min === undefined || r.port_min === null ? undefined : Number(r.port_min);
    const pmax = r.port_max === undefined || r.port_max === null ? undefined : Number(r.port_max);
    if ((pmin !== undefined && !(pmin >= 1 && pmin <= 65535)) || (pmax !== undefined && !(pmax >= 1 && pmax <= 65535))) {
      errors.push(`${name}: port_min / port_max must be in [1, 65535]`);
      return;
    }
    if (proto !== undefined && !['TCP', 'UDP', 'SCTP'].includes(proto)) {
      errors.push(`${name}: protocol must be TCP, UDP or SCTP`);
      return;
    }
    let conns: ConnSet | undefined;
    if (proto !== undefined || pmin !== undefined || pmax !== undefined) {
      const lo = pmin ?? 1;
      const hi = pmax ?? (pmin !== undefined ? 65535 : 65535);
      if (hi < lo) {
        errors.push(`${name}: port_max is below port_min`);
        return;
      }
      conns = (proto ? [proto] : ['TCP', 'UDP', 'SCTP']).reduce((acc, p) => acc.union(ConnSet.of(p, lo, hi)), ConnSet.EMPTY);
    }
    out.push({
      name,
      description: typeof r.description === 'string' ? r.description : '',
      kind: action as 'allow' | 'deny',
      from,
      to,
      // np-guard: a rule without `from` covers every source (pods and external addresses) unless `to` is a CIDR.
      fromDefaultIncludesExternal: !isCidr(to),
      conns,
    });
  });
  return { requirements: out, errors };
}

/** Reads either format from a parsed YAML document. */
export function compileRequirements(doc: unknown): { requirements: Requirement[]; errors: string[]; format: 'policy-lens' | 'np-guard' } {
  if (Array.isArray(doc)) return { ...fromNpGuardFormat(doc), format: 'np-guard' };
  return { ...fromPolicyLensFormat(doc), format: 'policy-lens' };
}

function compileSide(spec: EndpointSpec | string | undefined, includeExternalWhenUndefined: boolean, nsLabels: ReturnType<typeof namespaceLabelsOf>): CompiledSpec | string {
  if (spec === undefined && includeExternalWhenUndefined) return { describe: 'every workload and external address', matches: () => true };
  return compileSpec(spec, nsLabels);
}

/** Why a pair is allowed: the rules, and the sides that no policy isolates. */
function why(analysis: Analysis, src: string, dst: string): Pick<Violation, 'rules' | 'notIsolated'> {
  const t = traceOf(analysis, src, dst);
  const notIsolated: ('egress' | 'ingress')[] = [];
  if (t.egress && !t.egress.isolated) notIsolated.push('egress');
  if (t.ingress && !t.ingress.isolated) notIsolated.push('ingress');
  return { rules: [...(t.egress?.allowedBy ?? []), ...(t.ingress?.allowedBy ?? [])], ...(notIsolated.length ? { notIsolated } : {}) };
}

function isolationOf(analysis: Analysis, w: string, dir: 'ingress' | 'egress', peer: string): boolean | undefined {
  const t = dir === 'ingress' ? traceOf(analysis, peer, w).ingress : traceOf(analysis, w, peer).egress;
  return t?.isolated;
}

/** Evaluates requirements against one analysis. */
export function evaluateRequirements(analysis: Analysis, requirements: Requirement[]): RequirementResult[] {
  const endpoints = analysis.endpoints();
  const nsLabels = namespaceLabelsOf(analysis.cluster);
  const results: RequirementResult[] = [];
  for (const r of requirements) {
    const res: RequirementResult = { name: r.name, description: r.description, kind: r.kind, status: 'satisfied', checked: 0, violations: [] };
    results.push(res);
    if (r.kind === 'defaultDeny') {
      const peerOf = (w: Endpoint) => endpoints.find((e) => e.kind === 'External')?.id ?? endpoints.find((e) => e.id !== w.id)?.id;
      for (const w of endpoints) {
        if (w.kind === 'External' || !r.namespaces!.some((g) => globMatch(g, w.namespace ?? ''))) continue;
        const peer = peerOf(w);
        for (const dir of r.directions!) {
          res.checked++;
          if (!peer) continue;
          if (isolationOf(analysis, w.id, dir, peer) === false) {
            res.violations.push({ workload: w.id, direction: dir, reason: `${w.id} is not isolated for ${dir}: no policy selects it for ${dir}, so all ${dir} traffic is allowed` });
          }
        }
      }
    } else {
      const from = compileSide(r.from, !!r.fromDefaultIncludesExternal, nsLabels);
      const to = compileSide(r.to, false, nsLabels);
      if (typeof from === 'string' || typeof to === 'string') {
        res.status = 'invalid';
        res.error = typeof from === 'string' ? `from: ${from}` : `to: ${to as string}`;
        continue;
      }
      const srcs = endpoints.filter((e) => from.matches(e));
      const dsts = endpoints.filter((e) => to.matches(e));
      const toIds = new Set(dsts.map((e) => e.id));
      const required = r.conns ?? ConnSet.ALL;
      // `only`: flows into `to` from every endpoint that is not itself a `to` endpoint.
      const sources = r.kind === 'only' ? endpoints.filter((e) => !toIds.has(e.id)) : srcs;
      const fromIds = new Set(srcs.map((e) => e.id));
      for (const s of sources) {
        for (const d of dsts) {
          if (s.id === d.id || (s.kind === 'External' && d.kind === 'External')) continue;
          res.checked++;
          const allowed = analysis.allowedBetween(s.id, d.id);
          if (r.kind === 'allow') {
            const missing = required.subtract(allowed);
            if (!missing.isEmpty()) res.violations.push({ src: s.id, dst: d.id, protocols: missing.toJSON(), ...(allowed.isEmpty() ? { rules: [] } : why(analysis, s.id, d.id)), reason: `required ${missing.toString()} is not allowed (allowed: ${allowed.toString()})` });
          } else if (r.kind === 'deny') {
            const bad = r.conns ? allowed.intersect(r.conns) : allowed;
            if (!bad.isEmpty()) res.violations.push({ src: s.id, dst: d.id, protocols: bad.toJSON(), ...why(analysis, s.id, d.id), reason: `${bad.toString()} is allowed` });
          } else {
            // only: from a permitted source, only the listed connections (if any) may be allowed; from others nothing.
            const bad = fromIds.has(s.id) ? (r.conns ? allowed.subtract(r.conns) : ConnSet.EMPTY) : allowed;
            if (!bad.isEmpty()) res.violations.push({ src: s.id, dst: d.id, protocols: bad.toJSON(), ...why(analysis, s.id, d.id), reason: fromIds.has(s.id) ? `${bad.toString()} is allowed beyond the permitted connections` : `${bad.toString()} is allowed from a source that is not permitted` });
          }
        }
      }
    }
    if (res.status !== 'invalid' && res.violations.length) res.status = 'violated';
  }
  return results;
}

