// projectcalico.org/v3 YAML -> typed Calico model (model.ts), with a precise range for every diagnostic.
// Never throws. Checks follow the Calico API validation (libcalico-go/lib/validator/v3/validator.go, the CEL
// rules on api/pkg/apis/projectcalico/v3 types) and the resource reference at
// https://docs.tigera.io/calico/latest/reference/resources/ . Every diagnostic code starts with `calico-`.
import { labelKeyProblem, labelValueProblem } from '../../k8s-names';
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml';
import type { LineIndex } from '../../lines';
import { expandAliases, rangeIn } from '../../yaml';
import { parseCidr, parseIPv4, parseIPv6, type Cidr } from '../../ip';
import type { Diagnostic, Labels, Severity, SourceRange } from '../../model';
import {
  CALICO_ACTIONS,
  CALICO_API_VERSION,
  CALICO_KINDS,
  CALICO_PROTOCOL_NUMBERS,
  DEFAULT_TIER,
  STAGED_ACTIONS,
  builtinTier,
  defaultPolicyTypes,
  protocolSupportsPorts,
  type CalicoAction,
  type CalicoKind,
  type CalicoMetadata,
  type CalicoNet,
  type CalicoNetworkSet,
  type CalicoPolicy,
  type CalicoPolicyKind,
  type CalicoPolicyType,
  type CalicoPort,
  type CalicoProtocol,
  type CalicoProtocolName,
  type CalicoResource,
  type CalicoRule,
  type CalicoSelector,
  type CalicoTier,
  type EntityRule,
  type IcmpMatch,
  type ServiceAccountMatch,
  type ServiceMatch,
  type StagedAction,
  type TierDefaultAction,
} from './model';
import { parseSelector, selectorUsesGlobal, tokenizeSelector } from './selector';

export interface CalicoParseContext {
  file: string;
  docIndex: number;
  /** Line index of the text the node offsets refer to. */
  lines: LineIndex;
  defaultNamespace: string;
  /**
   * The file text. Optional, but needed for exact selector error ranges inside quoted or multi-line YAML
   * scalars (escapes, folding); without it only single-line scalars without escapes are mapped exactly.
   */
  text?: string;
}

export interface CalicoParseResult {
  resource?: CalicoResource;
  diagnostics: Diagnostic[];
}

/** True for the API group this module handles. */
export function isCalicoApiVersion(apiVersion: string | undefined): boolean {
  return apiVersion === CALICO_API_VERSION;
}

/** True for the kinds this module models (other projectcalico.org kinds are reported as not analyzed). */
export function isModeledCalicoKind(kind: string | undefined): kind is CalicoKind {
  return !!kind && (CALICO_KINDS as readonly string[]).includes(kind);
}

/**
 * Parses one YAML document holding one projectcalico.org/v3 object. Aliases are expanded first (a no-op for documents
 * of core/documents.ts parseChunk, which are expanded already); alias problems are reported by the model parser.
 */
export function parseCalicoDocument(doc: Document.Parsed, ctx: CalicoParseContext): CalicoParseResult {
  expandAliases(doc);
  const root = doc.contents as Node | null;
  if (!root || !isMap(root)) return { diagnostics: [] };
  return parseCalicoObject(root, ctx);
}

/** Parses one projectcalico.org/v3 object (a YAML map; also used for items of a List). */
export function parseCalicoObject(obj: YAMLMap, ctx: CalicoParseContext): CalicoParseResult {
  const p = new CalicoParser(ctx);
  let resource: CalicoResource | undefined;
  try {
    resource = p.object(obj);
  } catch (e) {
    // Defensive: a bug here must not take the language server down.
    p.report('calico-internal', 'error', `Internal error while reading this Calico object: ${e instanceof Error ? e.message : String(e)}`, obj);
  }
  if (resource) resource.invalid = p.diagnostics.some((d) => d.severity === 'error');
  return { resource, diagnostics: p.diagnostics };
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping selector offsets through YAML scalar quoting

const BLANK = new Set([' ', '\t', '\r', '\n']);

/**
 * For each UTF-16 index of the decoded scalar value (plus its end), the file offset it came from. Handles plain,
 * single-quoted ('' escapes), double-quoted (backslash escapes, line continuations) and block scalars, including
 * line folding. Returns undefined when the mapping cannot be established.
 */
export function scalarOffsets(node: Scalar, value: string, text?: string): number[] | undefined {
  const r = node.range;
  if (!r) return undefined;
  const [start, valueEnd] = r;
  const type = node.type;
  if (text === undefined) {
    // Without the text only the trivial single-line cases are certain.
    const width = valueEnd - start;
    if ((type === 'PLAIN' || type === undefined) && width === value.length && !value.includes('\n')) {
      return Array.from({ length: value.length + 1 }, (_, i) => start + i);
    }
    if ((type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') && width === value.length + 2 && !value.includes('\n')) {
      return Array.from({ length: value.length + 1 }, (_, i) => start + 1 + i);
    }
    return undefined;
  }
  const raw = text.slice(start, valueEnd);
  let i = 0;
  let end = raw.length;
  if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') {
    i = 1;
    end = raw.length - 1;
  } else if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    const nl = raw.indexOf('\n');
    if (nl < 0) return undefined;
    i = nl + 1;
  }
  const map: number[] = [];
  let k = 0;
  while (k < value.length) {
    const v = value[k];
    if (i < end && raw[i] === v) {
      map.push(start + i);
      k++;
      i++;
      if (type === 'QUOTE_SINGLE' && v === "'" && raw[i] === "'") i++;
      continue;
    }
    if (type === 'QUOTE_DOUBLE' && i < end && raw[i] === '\\') {
      const nx = raw[i + 1];
      if (nx === '\n' || nx === '\r') {
        // Escaped line break: joins lines, produces nothing.
        i += 2;
        if (nx === '\r' && raw[i] === '\n') i++;
        while (i < end && (raw[i] === ' ' || raw[i] === '\t')) i++;
        continue;
      }
      const len = nx === 'x' ? 4 : nx === 'u' ? 6 : nx === 'U' ? 10 : 2;
      // The escape produces one character (two UTF-16 units for astral \U escapes).
      const produced = nx === 'U' && parseInt(raw.slice(i + 2, i + 10), 16) > 0xffff ? 2 : 1;
      for (let t = 0; t < produced && k < value.length; t++) {
        map.push(start + i);
        k++;
      }
      i += len;
      continue;
    }
    if (i < end && BLANK.has(raw[i])) {
      i++; // folded or indentation whitespace
      continue;
    }
    if (BLANK.has(v)) {
      // A folded line break / trailing newline in the value that has no exact source character left.
      map.push(start + Math.min(i, raw.length));
      k++;
      continue;
    }
    return undefined;
  }
  map.push(start + Math.min(i, end));
  return map;
}

/**
 * For the language server: the index in `sel.text` of a cursor at `fileOffset` (0..text.length), or undefined when
 * the cursor is outside the selector value or the mapping is unknown. Use with selectorItemAt / tokenizeSelector.
 */
export function selectorIndexAt(sel: CalicoSelector, fileOffset: number): number | undefined {
  const off = sel.offsets;
  if (!off || off.length === 0) return undefined;
  if (fileOffset < off[0] || fileOffset > off[off.length - 1]) return undefined;
  // offsets is non-decreasing: take the last index whose file offset is <= the cursor.
  let lo = 0;
  let hi = off.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (off[mid] <= fileOffset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------------------------
// Field sets (for unknown-field warnings)

const TOP_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
const POLICY_SPEC_KEYS = ['tier', 'order', 'selector', 'types', 'ingress', 'egress', 'serviceAccountSelector', 'performanceHints'];
const GLOBAL_POLICY_SPEC_KEYS = [...POLICY_SPEC_KEYS, 'namespaceSelector', 'doNotTrack', 'preDNAT', 'applyOnForward'];
const RULE_KEYS = ['action', 'ipVersion', 'protocol', 'notProtocol', 'icmp', 'notICMP', 'source', 'destination', 'http', 'metadata'];
const ENTITY_KEYS = ['nets', 'notNets', 'selector', 'notSelector', 'namespaceSelector', 'ports', 'notPorts', 'serviceAccounts', 'services'];

function specKeys(kind: CalicoKind): string[] {
  switch (kind) {
    case 'NetworkPolicy':
      return POLICY_SPEC_KEYS;
    case 'StagedNetworkPolicy':
      return [...POLICY_SPEC_KEYS, 'stagedAction'];
    case 'GlobalNetworkPolicy':
      return GLOBAL_POLICY_SPEC_KEYS;
    case 'StagedGlobalNetworkPolicy':
      return [...GLOBAL_POLICY_SPEC_KEYS, 'stagedAction'];
    case 'NetworkSet':
    case 'GlobalNetworkSet':
      return ['nets'];
    case 'Tier':
      return ['order', 'defaultAction'];
  }
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

/** The closest candidate (case-insensitive match first, then small edit distance). */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const ci = candidates.find((c) => c.toLowerCase() === lower);
  if (ci) return ci;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

// Name formats (libcalico-go/lib/validator/v3/validator.go).
const LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN_FMT = `${LABEL_FMT}(\\.${LABEL_FMT})*`;
const NAME_RE = new RegExp(`^${SUBDOMAIN_FMT}$`);
const TIER_NAME_RE = new RegExp(`^${LABEL_FMT}$`);
const NP_NAME_RE = new RegExp(`^((${LABEL_FMT})(\\.${LABEL_FMT})?|((?:knp|ossg)\\.default\\.(${SUBDOMAIN_FMT})))$`);
const GNP_NAME_RE = new RegExp(`^(${LABEL_FMT}\\.)?${LABEL_FMT}$`);
const PORT_NAME_RE = /^[a-zA-Z0-9_.-]{1,128}$/;
// Kubernetes label keys/values: core/k8s-names.ts (labelKeyProblem, labelValueProblem).
const MAX_SELECTOR_LENGTH = 1024;

// ---------------------------------------------------------------------------------------------------------------

type FieldNode = Node | null | undefined;

class CalicoParser {
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly ctx: CalicoParseContext) {}

  // --- ranges and reporting ---

  rangeAt(startOffset: number, endOffset: number): SourceRange {
    return rangeIn(this.ctx.lines, this.ctx.file, this.ctx.docIndex, startOffset, endOffset);
  }

  rangeOf(n: Node | Pair | null | undefined): SourceRange | undefined {
    if (!n) return undefined;
    if ('range' in n && n.range) return this.rangeAt(n.range[0], this.trimEnd(n.range[0], n.range[1]));
    if ('key' in n) {
      const k = n.key as Node | null;
      const v = n.value as Node | null;
      const s = k?.range?.[0] ?? v?.range?.[0];
      const e = v?.range?.[1] ?? k?.range?.[1];
      if (s !== undefined && e !== undefined) return this.rangeAt(s, this.trimEnd(s, e));
    }
    return undefined;
  }

  /** Block collections end after their last line break; point at the last non-blank character instead. */
  trimEnd(start: number, end: number): number {
    const t = this.ctx.text;
    if (!t) return end;
    let e = Math.min(end, t.length);
    while (e > start && /\s/.test(t[e - 1])) e--;
    return e;
  }

  report(code: string, severity: Severity, message: string, where: Node | Pair | SourceRange | null | undefined): void {
    const range = where && 'startOffset' in where ? where : this.rangeOf(where as Node | Pair | null | undefined);
    if (!range) return;
    this.diagnostics.push({ code, severity, message, range });
  }

  // --- YAML access helpers ---

  /** Aliases are expanded before parsing (core/yaml.ts expandAliases); one left here has an unknown anchor. */
  deref(n: FieldNode): FieldNode {
    return n && isAlias(n) ? undefined : n;
  }

  pair(map: YAMLMap | undefined, key: string): Pair | undefined {
    if (!map) return undefined;
    for (const it of map.items) {
      const k = it.key as Node | null;
      if (k && isScalar(k) && k.value === key) return it as Pair;
    }
    return undefined;
  }

  /** The value node of `key`; YAML null (`key:` with nothing) counts as absent. */
  get(map: YAMLMap | undefined, key: string): Node | undefined {
    const p = this.pair(map, key);
    const v = this.deref(p?.value as FieldNode);
    if (!v) return undefined;
    if (isScalar(v) && v.value === null && !v.tag) return undefined;
    return v;
  }

  keyNode(map: YAMLMap | undefined, key: string): Node | undefined {
    return (this.pair(map, key)?.key as Node | null) ?? undefined;
  }

  map(parent: YAMLMap | undefined, key: string, what: string): YAMLMap | undefined {
    const v = this.get(parent, key);
    if (!v) return undefined;
    if (!isMap(v)) {
      this.report('calico-field-type', 'error', `${what} must be a mapping (key: value pairs).`, v);
      return undefined;
    }
    return v;
  }

  seq(parent: YAMLMap | undefined, key: string, what: string): Node[] | undefined {
    const v = this.get(parent, key);
    if (!v) return undefined;
    if (!isSeq(v)) {
      this.report('calico-field-type', 'error', `${what} must be a list.`, v);
      return undefined;
    }
    return v.items.map((x) => this.deref(x as FieldNode) ?? null).filter((x): x is Node => x !== null);
  }

  string(parent: YAMLMap | undefined, key: string, what: string): { value: string; node: Scalar } | undefined {
    const v = this.get(parent, key);
    if (!v) return undefined;
    if (!isScalar(v) || typeof v.value !== 'string') {
      this.report('calico-field-type', 'error', `${what} must be a string.`, v);
      return undefined;
    }
    return { value: v.value, node: v };
  }

  bool(parent: YAMLMap | undefined, key: string, what: string): boolean | undefined {
    const v = this.get(parent, key);
    if (!v) return undefined;
    if (!isScalar(v) || typeof v.value !== 'boolean') {
      this.report('calico-field-type', 'error', `${what} must be true or false.`, v);
      return undefined;
    }
    return v.value;
  }

  number(parent: YAMLMap | undefined, key: string, what: string): { value: number; node: Scalar } | undefined {
    const v = this.get(parent, key);
    if (!v) return undefined;
    if (!isScalar(v) || typeof v.value !== 'number' || !Number.isFinite(v.value)) {
      this.report('calico-field-type', 'error', `${what} must be a number.`, v);
      return undefined;
    }
    return { value: v.value, node: v };
  }

  checkKeys(map: YAMLMap, allowed: readonly string[], where: string, hints: Record<string, string> = {}): void {
    for (const it of map.items) {
      const k = it.key as Node | null;
      if (!k || !isScalar(k)) continue;
      const name = String(k.value);
      if (allowed.includes(name)) continue;
      const hint = hints[name];
      const s = hint ? undefined : suggest(name, allowed);
      const msg = hint
        ? `${where} has no field "${name}": ${hint}`
        : `Unknown field "${name}" in ${where}${s ? `; did you mean "${s}"?` : '.'} Calico rejects unknown fields.`;
      this.report('calico-unknown-field', 'warning', msg, k);
    }
  }

  // --- object ---

  object(obj: YAMLMap): CalicoResource | undefined {
    const kindS = this.string(obj, 'kind', 'kind');
    const api = this.string(obj, 'apiVersion', 'apiVersion');
    if (!api) {
      this.report('calico-api-version', 'error', `apiVersion is missing; Calico resources use "${CALICO_API_VERSION}".`, this.keyNode(obj, 'kind') ?? obj);
    } else if (api.value !== CALICO_API_VERSION) {
      const msg = api.value.startsWith('crd.projectcalico.org/')
        ? `"${api.value}" is Calico's internal storage API; write resources as "${CALICO_API_VERSION}".`
        : `Unsupported apiVersion "${api.value}" for a Calico resource; expected "${CALICO_API_VERSION}".`;
      this.report('calico-api-version', 'warning', msg, api.node);
    }
    if (!kindS) {
      this.report('calico-kind-missing', 'error', 'kind is missing.', obj);
      return undefined;
    }
    const kind = kindS.value;
    if (!isModeledCalicoKind(kind)) {
      const s = suggest(kind, CALICO_KINDS);
      this.report(
        'calico-kind-unsupported',
        s && s !== kind ? 'error' : 'info',
        s && s !== kind
          ? `Unknown Calico kind "${kind}"; did you mean "${s}"?`
          : `Calico kind "${kind}" is not analyzed by Policy Lens (supported: ${CALICO_KINDS.join(', ')}).`,
        kindS.node,
      );
      return undefined;
    }
    this.checkKeys(obj, TOP_KEYS, `a ${kind}`);
    const namespaced = kind === 'NetworkPolicy' || kind === 'StagedNetworkPolicy' || kind === 'NetworkSet';
    const metadata = this.metadata(obj, kind, namespaced);
    const spec = this.map(obj, 'spec', 'spec');
    if (spec) this.checkKeys(spec, specKeys(kind), `${kind} spec`, this.specHints(kind));
    const range = this.rangeOf(obj);
    switch (kind) {
      case 'Tier':
        return this.tier(obj, spec, metadata, range);
      case 'NetworkSet':
      case 'GlobalNetworkSet':
        return this.networkSet(kind, spec, metadata, namespaced, range);
      default:
        return this.policy(kind, obj, spec, metadata, namespaced, range);
    }
  }

  specHints(kind: CalicoKind): Record<string, string> {
    const h: Record<string, string> = {};
    if (kind === 'NetworkPolicy' || kind === 'StagedNetworkPolicy') {
      h.namespaceSelector = 'a namespaced policy only applies to its own namespace; use spec.selector, or a GlobalNetworkPolicy with namespaceSelector.';
      h.doNotTrack = 'doNotTrack/preDNAT/applyOnForward exist only on GlobalNetworkPolicy (host endpoints).';
      h.preDNAT = h.doNotTrack;
      h.applyOnForward = h.doNotTrack;
    }
    if (kind !== 'StagedNetworkPolicy' && kind !== 'StagedGlobalNetworkPolicy') {
      h.stagedAction = 'stagedAction exists only on StagedNetworkPolicy / StagedGlobalNetworkPolicy.';
    }
    h.podSelector = 'Calico policies select endpoints with spec.selector (a selector expression), not podSelector.';
    h.policyTypes = 'Calico policies use spec.types, not policyTypes.';
    return h;
  }

  metadata(obj: YAMLMap, kind: CalicoKind, namespaced: boolean): CalicoMetadata {
    const meta = this.map(obj, 'metadata', 'metadata');
    const nameS = this.string(meta, 'name', 'metadata.name');
    const md: CalicoMetadata = { name: nameS?.value ?? '', labels: {}, range: this.rangeOf(meta) };
    if (!nameS) {
      if (!this.get(meta, 'name')) this.report('calico-name-missing', 'error', `metadata.name is required for a ${kind}.`, this.keyNode(obj, 'metadata') ?? this.keyNode(obj, 'kind') ?? obj);
    } else {
      md.nameRange = this.rangeOf(nameS.node);
      this.checkName(kind, nameS.value, nameS.node);
    }
    const nsS = this.string(meta, 'namespace', 'metadata.namespace');
    if (namespaced) {
      md.namespace = nsS?.value || this.ctx.defaultNamespace;
      md.namespaceDefaulted = !nsS?.value;
    } else if (nsS) {
      this.report('calico-namespace-ignored', 'warning', `${kind} is not namespaced; metadata.namespace is ignored.`, nsS.node);
    }
    md.labels = this.labels(meta, kind);
    return md;
  }

  checkName(kind: CalicoKind, name: string, node: Node): void {
    let re = NAME_RE;
    let fmt = 'lower-case alphanumeric characters, "-" and "."';
    if (kind === 'Tier') {
      re = TIER_NAME_RE;
      fmt = 'lower-case alphanumeric characters and "-" (no dots), at most 63 characters';
    } else if (kind === 'NetworkPolicy' || kind === 'StagedNetworkPolicy') {
      re = NP_NAME_RE;
      fmt = 'lower-case alphanumeric characters and "-", with at most one "."';
    } else if (kind === 'GlobalNetworkPolicy' || kind === 'StagedGlobalNetworkPolicy') {
      re = GNP_NAME_RE;
      fmt = 'lower-case alphanumeric characters and "-", with at most one "."';
    }
    const max = kind === 'Tier' ? 63 : 253;
    if (name.length > max) this.report('calico-name-invalid', 'error', `Name is too long by ${name.length - max} characters (max ${max}).`, node);
    else if (!re.test(name)) this.report('calico-name-invalid', 'error', `Invalid ${kind} name "${name}": use ${fmt}.`, node);
  }

  labels(meta: YAMLMap | undefined, kind: CalicoKind): Labels {
    const out: Labels = {};
    const m = this.map(meta, 'labels', 'metadata.labels');
    if (!m) return out;
    for (const it of m.items) {
      const k = it.key as Node | null;
      const v = this.deref(it.value as FieldNode);
      if (!k || !isScalar(k)) continue;
      const key = String(k.value);
      const problem = labelKeyProblem(key);
      if (problem) this.report('calico-label-invalid', 'error', `Invalid label key "${key}": ${problem}.`, k);
      if ((kind === 'NetworkSet' || kind === 'GlobalNetworkSet') && key === 'projectcalico.org/namespace') {
        this.report('calico-label-invalid', 'error', 'projectcalico.org/namespace is reserved and is not a valid label name on a network set.', k);
      }
      let value = '';
      if (v && isScalar(v) && v.value !== null) {
        if (typeof v.value !== 'string') {
          this.report('calico-label-invalid', 'error', `Label values must be strings; quote ${String(v.value)} as "${String(v.value)}".`, v);
        }
        value = String(v.value);
      }
      if (labelValueProblem(value)) {
        this.report('calico-label-invalid', 'error', `Invalid label value "${value}": at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.`, v ?? k);
      }
      out[key] = value;
    }
    return out;
  }

  // --- selectors ---

  selector(
    parent: YAMLMap | undefined,
    key: string,
    what: string,
    globalUse: 'forbidden' | 'warn' | 'entity-namespace' = 'forbidden',
    emptyIsAbsent = false,
  ): CalicoSelector | undefined {
    const pair = this.pair(parent, key);
    if (!pair) return undefined;
    const node = this.deref(pair.value as FieldNode);
    if (!node || (isScalar(node) && node.value === null && !node.tag)) {
      // `selector:` with no value is the empty string for Calico (omitempty): the field is unset.
      if (emptyIsAbsent) return undefined;
      return { text: '', ast: { type: 'all', start: 0, end: 0 }, canonical: 'all()', range: this.rangeOf((pair.key as Node) ?? undefined) };
    }
    if (!isScalar(node) || (typeof node.value !== 'string' && node.value !== null)) {
      this.report('calico-field-type', 'error', `${what} must be a selector string, e.g. app == "web".`, node);
      return undefined;
    }
    const text = typeof node.value === 'string' ? node.value : '';
    // Calico tests these fields with `!= ""` (libcalico-go updateprocessors/rules.go getEndpointSelector): an empty
    // string is the same as an absent field, NOT all(). (A blank " " is non-empty and parses as all().)
    if (emptyIsAbsent && text === '' && !node.tag) return undefined;
    const range = this.rangeOf(node);
    const offsets = scalarOffsets(node, text, this.ctx.text);
    const sel: CalicoSelector = { text, range, offsets };
    if (node.tag && !node.tag.startsWith('tag:yaml.org,2002:')) {
      // `selector: !has(a)` — YAML reads "!has(a)" as a tag (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors
      // "! is a special character at the start of a YAML string ... enclose the string in quotes").
      const keyEnd = (pair.key as Node | null)?.range?.[1];
      let s = keyEnd ?? node.range?.[0] ?? 0;
      if (this.ctx.text && keyEnd !== undefined) {
        const bang = this.ctx.text.indexOf('!', keyEnd);
        if (bang >= 0 && node.range && bang < node.range[0]) s = bang;
      }
      const e = node.range ? node.range[1] : s;
      const orig = this.ctx.text ? this.ctx.text.slice(s, e).trim() : `${node.tag} ...`;
      const quoted = orig.includes('"') ? `'${orig.replace(/'/g, "''")}'` : `"${orig}"`;
      this.report(
        'calico-selector-yaml-tag',
        'error',
        `A plain YAML value cannot start with '!': YAML reads "${node.tag}" as a tag, so Calico would get the selector ${JSON.stringify(text)}. Quote the selector: ${quoted}`,
        this.rangeAt(s, Math.max(e, s + 1)),
      );
      return sel;
    }
    if (text.length > MAX_SELECTOR_LENGTH) {
      this.report('calico-selector-too-long', 'error', `${what} is ${text.length} characters long; Calico allows at most ${MAX_SELECTOR_LENGTH}.`, node);
    }
    const r = parseSelector(text);
    if (!r.ok) {
      let hint = '';
      if (/[\r\n]/.test(text) && (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL')) {
        hint = " (Calico selectors cannot contain line breaks; use '>-' to fold the block scalar without a trailing newline)";
      } else if (/[\r\n]/.test(text.slice(r.error.start, r.error.end))) {
        hint = ' (Calico selectors cannot contain line breaks)';
      }
      this.report('calico-selector-syntax', 'error', `Invalid ${what}: ${r.error.message}${hint}`, this.mapSpan(sel, r.error.start, r.error.end, node));
      return sel;
    }
    sel.ast = r.ast;
    sel.canonical = r.canonical;
    if (selectorUsesGlobal(r.ast)) {
      if (globalUse === 'forbidden') {
        this.report('calico-selector-global', 'error', `global() can only be used in a rule's source/destination namespaceSelector, not in ${what}.`, node);
      } else if (globalUse === 'warn') {
        this.report('calico-selector-global', 'warning', `global() only changes the scope of a rule's namespaceSelector; in ${what} it matches everything like all().`, node);
      } else if (text.trim() !== 'global()') {
        // libcalico-go validateEntityRule: "global() cannot be combined with other selectors".
        const tk = tokenizeSelector(text);
        if (!tk.ok || tk.tokens.length > 2 || tk.tokens[0].kind !== 'global') {
          this.report('calico-selector-global', 'error', `global() cannot be combined with other selectors in ${what}; write exactly "global()".`, node);
        }
      }
    }
    return sel;
  }

  /** File range of selector characters [s, e). */
  mapSpan(sel: CalicoSelector, s: number, e: number, node: Node): SourceRange | undefined {
    const off = sel.offsets;
    if (!off) return this.rangeOf(node);
    const a = off[Math.min(s, off.length - 1)];
    const b = e > s ? off[Math.min(e - 1, off.length - 1)] + 1 : a;
    return this.rangeAt(a, Math.max(a, b));
  }

  // --- policies ---

  policy(kind: CalicoPolicyKind, obj: YAMLMap, spec: YAMLMap | undefined, metadata: CalicoMetadata, namespaced: boolean, range: SourceRange | undefined): CalicoPolicy {
    const staged = kind === 'StagedNetworkPolicy' || kind === 'StagedGlobalNetworkPolicy';
    const global = !namespaced;
    const id = namespaced ? `${metadata.namespace}/${metadata.name}` : metadata.name;
    if (!spec && !this.get(obj, 'spec')) {
      // A policy without spec selects all() endpoints with types [Ingress] and no rules: it denies all ingress.
      this.report('calico-spec-missing', 'warning', `${kind} has no spec: it selects every endpoint${namespaced ? ' in its namespace' : ''} and denies all their ingress traffic.`, metadata.nameRange ?? obj);
    }

    const tierS = this.string(spec, 'tier', 'spec.tier');
    let tier = DEFAULT_TIER;
    if (tierS && tierS.value !== '') {
      tier = tierS.value;
      if (!TIER_NAME_RE.test(tier) || tier.length > 63) {
        this.report('calico-tier-invalid', 'error', `Invalid tier name "${tier}": tier names are lower-case alphanumeric characters and "-" (no dots).`, tierS.node);
      }
    }

    let stagedAction: StagedAction | undefined;
    if (staged) {
      stagedAction = 'Set';
      const sa = this.string(spec, 'stagedAction', 'spec.stagedAction');
      if (sa) {
        if ((STAGED_ACTIONS as readonly string[]).includes(sa.value)) stagedAction = sa.value as StagedAction;
        else {
          const s = suggest(sa.value, STAGED_ACTIONS);
          this.report('calico-staged-action-invalid', 'error', `Invalid stagedAction "${sa.value}": use one of ${STAGED_ACTIONS.join(', ')}${s ? ` (did you mean "${s}"?)` : ''}.`, sa.node);
        }
      }
    }

    const orderN = this.number(spec, 'order', 'spec.order');
    const selector = this.selector(spec, 'selector', 'spec.selector', 'forbidden');
    const namespaceSelector = global ? this.selector(spec, 'namespaceSelector', 'spec.namespaceSelector', 'forbidden', true) : undefined;
    const serviceAccountSelector = this.selector(spec, 'serviceAccountSelector', 'spec.serviceAccountSelector', 'forbidden', true);

    const ingress = this.rules(spec, 'Ingress');
    const egress = this.rules(spec, 'Egress');
    const ingressCount = this.seqLength(spec, 'ingress');
    const egressCount = this.seqLength(spec, 'egress');

    // spec.types and Calico's defaulting (api/pkg/defaults/networkpolicy.go defaultPolicyTypesField).
    let declaredTypes: CalicoPolicyType[] | undefined;
    const typesNode = this.get(spec, 'types');
    if (typesNode) {
      if (!isSeq(typesNode)) {
        this.report('calico-field-type', 'error', 'spec.types must be a list of Ingress and/or Egress.', typesNode);
      } else {
        const seen = new Set<string>();
        const list: CalicoPolicyType[] = [];
        for (const it of typesNode.items) {
          const n = this.deref(it as FieldNode);
          if (!n || !isScalar(n) || typeof n.value !== 'string') {
            this.report('calico-types-invalid', 'error', 'spec.types entries must be "Ingress" or "Egress".', n ?? typesNode);
            continue;
          }
          const v = n.value;
          if (v !== 'Ingress' && v !== 'Egress') {
            const s = suggest(v, ['Ingress', 'Egress']);
            this.report('calico-types-invalid', 'error', `Invalid policy type "${v}": use Ingress or Egress${s ? ` (did you mean "${s}"?)` : ''}.`, n);
            continue;
          }
          if (seen.has(v)) {
            this.report('calico-types-duplicate', 'error', `'${v}' type specified more than once.`, n);
            continue;
          }
          seen.add(v);
          list.push(v);
        }
        if (list.length > 0) declaredTypes = list;
      }
    }
    const types = declaredTypes ?? defaultPolicyTypes(ingressCount, egressCount);
    if (declaredTypes) {
      if (!declaredTypes.includes('Ingress') && ingressCount > 0) {
        this.report('calico-rules-ignored', 'warning', 'spec.types does not include Ingress, so these ingress rules are never used.', this.keyNode(spec, 'ingress'));
      }
      if (!declaredTypes.includes('Egress') && egressCount > 0) {
        this.report('calico-rules-ignored', 'warning', 'spec.types does not include Egress, so these egress rules are never used.', this.keyNode(spec, 'egress'));
      }
    }

    const perf = this.seq(spec, 'performanceHints', 'spec.performanceHints');
    for (const h of perf ?? []) {
      if (!isScalar(h) || h.value !== 'AssumeNeededOnEveryNode') {
        this.report('calico-field-value', 'error', 'The only performance hint is "AssumeNeededOnEveryNode".', h);
      }
    }

    const policy: CalicoPolicy = {
      apiVersion: CALICO_API_VERSION,
      invalid: false,
      kind,
      id,
      metadata,
      namespaced,
      staged,
      stagedAction,
      tier,
      tierDefaulted: !tierS || tierS.value === '',
      order: orderN?.value,
      selector: selector ?? { text: '', ast: { type: 'all', start: 0, end: 0 }, canonical: 'all()' },
      selectorDefaulted: !selector || selector.text.trim() === '',
      namespaceSelector,
      serviceAccountSelector,
      types,
      declaredTypes,
      ingress,
      egress,
      range,
      specRange: this.rangeOf(spec),
      typesRange: this.rangeOf(typesNode),
      orderRange: this.rangeOf(orderN?.node),
      tierRange: this.rangeOf(tierS?.node),
    };

    if (global) {
      policy.doNotTrack = this.bool(spec, 'doNotTrack', 'spec.doNotTrack');
      policy.preDNAT = this.bool(spec, 'preDNAT', 'spec.preDNAT');
      policy.applyOnForward = this.bool(spec, 'applyOnForward', 'spec.applyOnForward');
      // CEL rules on GlobalNetworkPolicySpec.
      if (policy.doNotTrack && policy.preDNAT) {
        this.report('calico-host-options', 'error', 'preDNAT and doNotTrack cannot both be true.', this.keyNode(spec, 'preDNAT'));
      }
      if (policy.preDNAT && egressCount > 0) {
        this.report('calico-host-options', 'error', 'A preDNAT policy cannot have egress rules.', this.keyNode(spec, 'egress'));
      }
      if (policy.preDNAT && declaredTypes?.includes('Egress')) {
        this.report('calico-host-options', 'error', "A preDNAT policy cannot have the 'Egress' type.", typesNode);
      }
      if ((policy.doNotTrack || policy.preDNAT) && !policy.applyOnForward) {
        this.report('calico-host-options', 'error', 'applyOnForward must be true when preDNAT or doNotTrack is true.', this.keyNode(spec, policy.preDNAT ? 'preDNAT' : 'doNotTrack'));
      }
    }

    if (staged && stagedAction === 'Delete' && spec) {
      // validateStagedNetworkPolicy: with stagedAction Delete every spec field except tier must be empty.
      for (const it of spec.items) {
        const k = it.key as Node | null;
        const name = k && isScalar(k) ? String(k.value) : '';
        if (name === 'tier' || name === 'stagedAction' || !name) continue;
        const v = this.deref(it.value as FieldNode);
        if (!v || (isScalar(v) && v.value === null)) continue;
        this.report('calico-staged-delete-spec', 'error', `With stagedAction Delete, spec fields other than tier must be empty (found "${name}").`, k);
      }
    }

    // Services in rules: only in egress destinations and ingress sources (validateNetworkPolicySpec).
    for (const r of egress) {
      if (r.source.services) this.report('calico-services-misplaced', 'error', 'services is not allowed in an egress rule source (only in the destination).', r.source.services.range);
      if (global && r.destination.services && !r.destination.services.namespace) {
        this.report('calico-services-namespace', 'error', 'In a global policy, services must specify a namespace.', r.destination.services.range);
      }
    }
    for (const r of ingress) {
      if (r.destination.services) this.report('calico-services-misplaced', 'error', 'services is not allowed in an ingress rule destination (only in the source).', r.destination.services.range);
      if (global && r.source.services && !r.source.services.namespace) {
        this.report('calico-services-namespace', 'error', 'In a global policy, services must specify a namespace.', r.source.services.range);
      }
    }
    return policy;
  }

  seqLength(spec: YAMLMap | undefined, key: string): number {
    const v = this.get(spec, key);
    return v && isSeq(v) ? v.items.length : 0;
  }

  rules(spec: YAMLMap | undefined, direction: CalicoPolicyType): CalicoRule[] {
    const key = direction === 'Ingress' ? 'ingress' : 'egress';
    const items = this.seq(spec, key, `spec.${key}`);
    const out: CalicoRule[] = [];
    (items ?? []).forEach((node, index) => {
      if (!isMap(node)) {
        this.report('calico-field-type', 'error', `Each ${key} rule must be a mapping with at least an action.`, node);
        return;
      }
      const r = this.rule(node, index, direction);
      if (r) out.push(r);
    });
    return out;
  }

  rule(m: YAMLMap, index: number, direction: CalicoPolicyType): CalicoRule | undefined {
    const where = `${direction.toLowerCase()} rule ${index + 1}`;
    this.checkKeys(m, RULE_KEYS, `a ${direction.toLowerCase()} rule`, {
      from: 'Calico rules use source (and destination), not from/to.',
      to: 'Calico rules use destination (and source), not from/to.',
      ports: 'ports belong under destination (or source) in a Calico rule.',
      selector: 'selectors belong under source or destination in a Calico rule.',
    });
    const actionS = this.string(m, 'action', `${where} action`);
    let action: CalicoAction | undefined;
    if (!actionS) {
      if (!this.get(m, 'action')) this.report('calico-action-missing', 'error', `${where} has no action; use one of ${CALICO_ACTIONS.join(', ')}.`, m);
    } else if ((CALICO_ACTIONS as readonly string[]).includes(actionS.value)) {
      action = actionS.value as CalicoAction;
    } else {
      const s = suggest(actionS.value, CALICO_ACTIONS);
      this.report('calico-action-invalid', 'error', `Invalid action "${actionS.value}": use one of ${CALICO_ACTIONS.join(', ')}${s ? ` (did you mean "${s}"?)` : ''}.`, actionS.node);
    }

    const ipvN = this.get(m, 'ipVersion');
    let ipVersion: 4 | 6 | undefined;
    if (ipvN) {
      if (isScalar(ipvN) && (ipvN.value === 4 || ipvN.value === 6)) ipVersion = ipvN.value;
      else this.report('calico-ipversion-invalid', 'error', 'ipVersion must be 4 or 6.', ipvN);
    }

    const protocol = this.protocol(m, 'protocol');
    const notProtocol = this.protocol(m, 'notProtocol');
    const icmp = this.icmp(m, 'icmp');
    const notICMP = this.icmp(m, 'notICMP');
    const isIcmp = (p?: CalicoProtocol): boolean => p?.number === 1 || p?.number === 58;
    if (icmp && !isIcmp(protocol)) {
      this.report('calico-icmp-protocol', 'error', 'icmp requires protocol ICMP or ICMPv6.', this.keyNode(m, 'icmp'));
    }
    if (notICMP && !isIcmp(protocol)) {
      this.report('calico-icmp-protocol', 'warning', 'notICMP only matters for ICMP traffic; set protocol to ICMP or ICMPv6.', this.keyNode(m, 'notICMP'));
    }
    for (const [p, field] of [
      [protocol, 'protocol'],
      [notProtocol, 'notProtocol'],
    ] as const) {
      if (p?.number === 1 && ipVersion === 6) this.report('calico-ipversion-mismatch', 'error', `${field} ICMP requires ipVersion 4 (use ICMPv6 for IPv6).`, ipvN);
      if (p?.number === 58 && ipVersion === 4) this.report('calico-ipversion-mismatch', 'error', `${field} ICMPv6 requires ipVersion 6 (use ICMP for IPv4).`, ipvN);
    }

    const source = this.entity(m, 'source', direction);
    const destination = this.entity(m, 'destination', direction);

    // validateRule: numeric ports need a protocol that has ports; any ports need one when a protocol is set.
    for (const [ent, side] of [
      [source, 'source'],
      [destination, 'destination'],
    ] as const) {
      for (const field of ['ports', 'notPorts'] as const) {
        const ports = ent[field];
        if (!ports || ports.length === 0) continue;
        const fieldNode = this.keyNode(this.map(m, side, side), field);
        if (!protocol) {
          if (ports.some((p) => p.kind === 'range')) {
            this.report('calico-ports-need-protocol', 'error', `${side}.${field} with numeric ports or ranges needs protocol TCP, UDP or SCTP on the rule.`, fieldNode);
          }
        } else if (!protocolSupportsPorts(protocol)) {
          this.report('calico-ports-protocol', 'error', `${side}.${field} needs protocol TCP, UDP or SCTP; ${protocol.written} has no ports.`, fieldNode);
        }
      }
    }

    // validateRule scanNets: IP versions must agree with each other and with ipVersion.
    let seen4 = false;
    let seen6 = false;
    for (const [ent, side] of [
      [source, 'source'],
      [destination, 'destination'],
    ] as const) {
      for (const field of ['nets', 'notNets'] as const) {
        const nets = ent[field];
        if (!nets || nets.length === 0) continue;
        const v4 = nets.some((n) => n.cidr.family === 4);
        const v6 = nets.some((n) => n.cidr.family === 6);
        const fieldNode = this.keyNode(this.map(m, side, side), field);
        if (ipVersion && ((v4 && ipVersion !== 4) || (v6 && ipVersion !== 6))) {
          this.report('calico-ipversion-mismatch', 'error', `${side}.${field} has CIDRs of a different IP version than ipVersion ${ipVersion}.`, fieldNode);
        }
        if ((v4 && seen6) || (v6 && seen4) || (v4 && v6)) {
          this.report('calico-cidr-mixed', 'error', 'A rule cannot mix IPv4 and IPv6 CIDRs.', fieldNode);
        }
        seen4 = seen4 || v4;
        seen6 = seen6 || v6;
      }
    }

    const httpNode = this.get(m, 'http');
    if (httpNode) {
      if (action && action !== 'Allow') this.report('calico-http-match', 'error', 'HTTP match is only valid on Allow rules.', this.keyNode(m, 'http'));
      if (direction === 'Egress') this.report('calico-http-match', 'error', 'HTTP match (application layer policy) is not allowed in egress rules.', this.keyNode(m, 'http'));
      if (protocol && protocol.number !== 6) this.report('calico-http-match', 'error', 'Rules with an HTTP match must have protocol TCP or no protocol.', protocol.range);
      this.report('calico-http-match-ignored', 'info', 'HTTP matches need application layer policy (Istio/Envoy) and are not evaluated by Policy Lens; the rule is treated as matching all HTTP requests.', this.keyNode(m, 'http'));
    }

    let annotations: Record<string, string> | undefined;
    const md = this.map(m, 'metadata', 'rule metadata');
    const ann = this.map(md, 'annotations', 'rule metadata.annotations');
    if (ann) {
      annotations = {};
      for (const it of ann.items) {
        const k = it.key as Node | null;
        const v = this.deref(it.value as FieldNode);
        if (k && isScalar(k)) annotations[String(k.value)] = v && isScalar(v) && v.value !== null ? String(v.value) : '';
      }
    }

    if (!action) return undefined;
    return {
      index,
      direction,
      action,
      ipVersion,
      protocol,
      notProtocol,
      icmp,
      notICMP,
      source,
      destination,
      hasHttpMatch: !!httpNode,
      annotations,
      range: this.rangeOf(m),
      actionRange: this.rangeOf(actionS?.node),
    };
  }

  protocol(m: YAMLMap, key: 'protocol' | 'notProtocol'): CalicoProtocol | undefined {
    const n = this.get(m, key);
    if (!n) return undefined;
    const range = this.rangeOf(n);
    const names = Object.keys(CALICO_PROTOCOL_NUMBERS) as CalicoProtocolName[];
    const byNumber = (num: number): CalicoProtocolName | undefined => names.find((k) => CALICO_PROTOCOL_NUMBERS[k] === num);
    if (!isScalar(n)) {
      this.report('calico-field-type', 'error', `${key} must be a protocol name or number.`, n);
      return undefined;
    }
    const v = n.value;
    // numorstring.Protocol: a number, or a string of digits that fits in uint8, is numeric; 0 is invalid.
    if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v) && Number(v) <= 255)) {
      const num = Number(v);
      if (!Number.isInteger(num) || num < 1 || num > 255) {
        this.report('calico-protocol-invalid', 'error', `Invalid ${key} number ${String(v)}: protocol numbers are 1-255.`, n);
        return undefined;
      }
      return { name: byNumber(num), number: num, written: String(v), range };
    }
    if (typeof v !== 'string') {
      this.report('calico-protocol-invalid', 'error', `${key} must be one of ${names.join(', ')} or a number 1-255.`, n);
      return undefined;
    }
    if ((names as string[]).includes(v)) {
      return { name: v as CalicoProtocolName, number: CALICO_PROTOCOL_NUMBERS[v as CalicoProtocolName], written: v, range };
    }
    const s = suggest(v, names);
    this.report(
      'calico-protocol-invalid',
      'error',
      `Invalid ${key} "${v}": use one of ${names.join(', ')} (case-sensitive) or a number 1-255${s ? `; did you mean "${s}"?` : '.'}`,
      n,
    );
    return undefined;
  }

  icmp(m: YAMLMap, key: 'icmp' | 'notICMP'): IcmpMatch | undefined {
    const im = this.map(m, key, key);
    if (!im) return undefined;
    this.checkKeys(im, ['type', 'code'], key);
    const out: IcmpMatch = { range: this.rangeOf(im) };
    const t = this.get(im, 'type');
    const c = this.get(im, 'code');
    const int = (n: Node | undefined, max: number, what: string): number | undefined => {
      if (!n) return undefined;
      if (!isScalar(n) || typeof n.value !== 'number' || !Number.isInteger(n.value) || n.value < 0 || n.value > max) {
        this.report('calico-icmp-invalid', 'error', `${key}.${what} must be an integer 0-${max}.`, n);
        return undefined;
      }
      return n.value;
    };
    out.type = int(t, 254, 'type');
    out.code = int(c, 255, 'code');
    if (c && !t) this.report('calico-icmp-invalid', 'error', `${key}.code needs ${key}.type (ICMP code specified without an ICMP type).`, this.keyNode(im, 'code'));
    return out;
  }

  entity(m: YAMLMap, key: 'source' | 'destination', direction: CalicoPolicyType): EntityRule {
    const em = this.map(m, key, key);
    const out: EntityRule = { range: this.rangeOf(em) };
    if (!em) return out;
    this.checkKeys(em, ENTITY_KEYS, `a rule ${key}`, {
      podSelector: 'Calico entity rules use selector (a selector expression), not podSelector.',
      ipBlock: 'Calico entity rules use nets (a list of CIDRs), not ipBlock.',
      serviceAccountSelector: 'inside a rule use serviceAccounts: {names: [...], selector: ...}.',
    });
    const side = `${direction.toLowerCase()} ${key}`;
    out.nets = this.nets(em, 'nets', `${key}.nets`, 'rule');
    out.notNets = this.nets(em, 'notNets', `${key}.notNets`, 'rule');
    out.selector = this.selector(em, 'selector', `${side} selector`, 'forbidden', true);
    out.notSelector = this.selector(em, 'notSelector', `${side} notSelector`, 'warn', true);
    out.namespaceSelector = this.selector(em, 'namespaceSelector', `${side} namespaceSelector`, 'entity-namespace', true);
    out.ports = this.ports(em, 'ports', key);
    out.notPorts = this.ports(em, 'notPorts', key);
    const sam = this.map(em, 'serviceAccounts', `${key}.serviceAccounts`);
    if (sam) {
      this.checkKeys(sam, ['names', 'selector'], `${key}.serviceAccounts`);
      const sa: ServiceAccountMatch = { range: this.rangeOf(sam) };
      const names = this.seq(sam, 'names', `${key}.serviceAccounts.names`);
      if (names) {
        sa.names = [];
        for (const n of names) {
          if (isScalar(n) && typeof n.value === 'string') sa.names.push(n.value);
          else this.report('calico-field-type', 'error', 'Service account names must be strings.', n);
        }
      }
      sa.selector = this.selector(sam, 'selector', `${side} serviceAccounts.selector`, 'warn', true);
      out.serviceAccounts = sa;
    }
    const svm = this.map(em, 'services', `${key}.services`);
    if (svm) {
      this.checkKeys(svm, ['name', 'namespace'], `${key}.services`);
      const name = this.string(svm, 'name', `${key}.services.name`);
      const ns = this.string(svm, 'namespace', `${key}.services.namespace`);
      if (!name || !name.value) this.report('calico-services-name', 'error', 'services must specify a service name.', this.keyNode(em, 'services'));
      const sv: ServiceMatch = { name: name?.value ?? '', namespace: ns?.value || undefined, range: this.rangeOf(this.pair(em, 'services')) };
      out.services = sv;
      // CEL rules on EntityRule: services excludes the other identity fields.
      for (const f of ['selector', 'notSelector', 'namespaceSelector', 'nets', 'notNets', 'serviceAccounts'] as const) {
        if (this.get(em, f)) this.report('calico-services-conflict', 'error', `Cannot specify ${f} and services in the same ${key}.`, this.keyNode(em, f));
      }
      if (key === 'destination' && (out.ports?.length || out.notPorts?.length)) {
        this.report('calico-services-conflict', 'error', 'ports and notPorts cannot be specified with services in a destination (the service ports are used).', this.keyNode(em, out.ports?.length ? 'ports' : 'notPorts'));
      }
    }
    return out;
  }

  nets(parent: YAMLMap, key: string, what: string, mode: 'rule' | 'set'): CalicoNet[] | undefined {
    const items = this.seq(parent, key, what);
    if (!items) return undefined;
    const out: CalicoNet[] = [];
    const negated = key === 'notNets';
    for (const n of items) {
      if (!isScalar(n) || typeof n.value !== 'string') {
        this.report('calico-cidr-invalid', 'error', `${what} entries must be CIDR strings like 10.0.0.0/16.`, n);
        continue;
      }
      const text = n.value.trim();
      let cidr: Cidr | string;
      if (!text.includes('/')) {
        // A bare address is a /32 or /128. Network sets accept it (cnet.ParseCIDROrIP); rule nets do not
        // (validateRule parses them with net.ParseCIDR), but the meaning is clear, so it stays in the model.
        const v4 = parseIPv4(text);
        const v6 = v4 === undefined ? parseIPv6(text) : undefined;
        cidr = v4 !== undefined ? { family: 4, lo: v4, hi: v4, prefix: 32, hostBitsSet: false } : v6 !== undefined ? { family: 6, lo: v6, hi: v6, prefix: 128, hostBitsSet: false } : `"${text}" is not an IP address or CIDR`;
        if (typeof cidr !== 'string' && mode === 'rule') {
          this.report('calico-cidr-invalid', 'error', `Rule nets need CIDR notation: write ${text}/${cidr.family === 4 ? 32 : 128}.`, n);
        }
      } else {
        cidr = parseCidr(text);
      }
      if (typeof cidr === 'string') {
        // Unusable entries are left out of the model; the resource is marked invalid.
        this.report('calico-cidr-invalid', 'error', `Invalid CIDR in ${what}: ${cidr}.`, n);
        continue;
      }
      if (mode === 'rule' && cidr.hostBitsSet) {
        // The "net" validator requires the address to be the network address (host bits zero).
        this.report('calico-cidr-host-bits', 'error', `${text} has host bits set; rule nets must be network addresses (the validator rejects it).`, n);
      }
      if (negated && cidr.prefix === 0) {
        this.report('calico-notnets-catch-all', 'error', `${text} in notNets matches no traffic at all (catch-all CIDR in a negation).`, n);
      }
      out.push({ text, cidr, range: this.rangeOf(n) });
    }
    return out;
  }

  ports(em: YAMLMap, key: 'ports' | 'notPorts', side: string): CalicoPort[] | undefined {
    const items = this.seq(em, key, `${side}.${key}`);
    if (!items) return undefined;
    const out: CalicoPort[] = [];
    for (const n of items) {
      const range = this.rangeOf(n);
      if (!isScalar(n)) {
        this.report('calico-port-invalid', 'error', 'A port is a number, a "min:max" range string or a port name.', n);
        continue;
      }
      const v = n.value;
      const valid = (x: number): boolean => Number.isInteger(x) && x >= 1 && x <= 65535;
      if (typeof v === 'number') {
        if (!valid(v)) {
          this.report('calico-port-invalid', 'error', `Invalid port ${v}: port numbers are 1-65535.`, n);
          continue;
        }
        out.push({ kind: 'range', min: v, max: v, range });
        continue;
      }
      if (typeof v !== 'string') {
        this.report('calico-port-invalid', 'error', 'A port is a number, a "min:max" range string or a port name.', n);
        continue;
      }
      if (/^\d+$/.test(v)) {
        const num = Number(v);
        if (!valid(num)) {
          this.report('calico-port-invalid', 'error', `Invalid port "${v}": port numbers are 1-65535.`, n);
          continue;
        }
        out.push({ kind: 'range', min: num, max: num, range });
        continue;
      }
      const rm = /^(\d+):(\d+)$/.exec(v);
      if (rm) {
        const lo = Number(rm[1]);
        const hi = Number(rm[2]);
        if (!valid(lo) || !valid(hi)) {
          this.report('calico-port-invalid', 'error', `Invalid port range "${v}": port numbers are 1-65535.`, n);
          continue;
        }
        if (lo > hi) {
          this.report('calico-port-invalid', 'error', `Invalid port range "${v}": the minimum ${lo} is greater than the maximum ${hi}.`, n);
          continue;
        }
        out.push({ kind: 'range', min: lo, max: hi, range });
        continue;
      }
      if (/^\d+-\d+$/.test(v)) {
        // numorstring.PortFromString: not digits, not "min:max", so it is a *named* port called "80-90".
        this.report('calico-port-dash-range', 'warning', `"${v}" is read as a port name, not a range; Calico port ranges use a colon: "${v.replace('-', ':')}".`, n);
      }
      if (!PORT_NAME_RE.test(v)) {
        this.report('calico-port-invalid', 'error', `Invalid named port "${v}": up to 128 letters, digits, "_", "." or "-".`, n);
        continue;
      }
      out.push({ kind: 'named', name: v, range });
    }
    return out;
  }

  // --- network sets and tiers ---

  networkSet(kind: 'NetworkSet' | 'GlobalNetworkSet', spec: YAMLMap | undefined, metadata: CalicoMetadata, namespaced: boolean, range: SourceRange | undefined): CalicoNetworkSet {
    const nets = spec ? this.nets(spec, 'nets', 'spec.nets', 'set') ?? [] : [];
    if (nets.length === 0 && !this.get(spec, 'nets')) {
      this.report('calico-networkset-empty', 'info', `${kind} has no nets, so selectors that match it match no addresses.`, metadata.nameRange ?? range);
    }
    return {
      apiVersion: CALICO_API_VERSION,
      invalid: false,
      kind,
      id: namespaced ? `${metadata.namespace}/${metadata.name}` : metadata.name,
      metadata,
      namespaced,
      nets,
      range,
    };
  }

  tier(obj: YAMLMap, spec: YAMLMap | undefined, metadata: CalicoMetadata, range: SourceRange | undefined): CalicoTier {
    const orderN = this.number(spec, 'order', 'spec.order');
    const da = this.string(spec, 'defaultAction', 'spec.defaultAction');
    let defaultAction: TierDefaultAction = 'Deny';
    if (da) {
      if (da.value === 'Deny' || da.value === 'Pass') defaultAction = da.value;
      else {
        const s = suggest(da.value, ['Deny', 'Pass']);
        this.report('calico-tier-default-action', 'error', `Invalid defaultAction "${da.value}": use Deny or Pass${s ? ` (did you mean "${s}"?)` : ''}.`, da.node);
      }
    }
    // CEL rules on Tier: the built-in tiers have fixed order and default action.
    const builtin = builtinTier(metadata.name);
    if (builtin) {
      if (orderN === undefined || orderN.value !== builtin.order) {
        this.report('calico-tier-builtin', 'error', `The "${metadata.name}" tier order must be ${builtin.order}.`, orderN?.node ?? metadata.nameRange ?? obj);
      }
      // defaultAction defaults to Deny (+kubebuilder:default=Deny) before the CEL rules run.
      if (defaultAction !== builtin.defaultAction) {
        this.report('calico-tier-builtin', 'error', `The "${metadata.name}" tier must have defaultAction ${builtin.defaultAction}.`, da?.node ?? metadata.nameRange ?? obj);
      }
    }
    return {
      apiVersion: CALICO_API_VERSION,
      invalid: false,
      kind: 'Tier',
      id: metadata.name,
      metadata,
      order: orderN?.value,
      defaultAction,
      defaultActionDefaulted: !da,
      range,
      orderRange: this.rangeOf(orderN?.node),
    };
  }
}
