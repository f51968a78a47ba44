// Calico projectcalico.org/v3 resource parsing: model, defaulting and diagnostics with exact ranges.
// References:
//  [NP]   https://docs.tigera.io/calico/latest/reference/resources/networkpolicy
//  [GNP]  https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy
//  [TIER] https://docs.tigera.io/calico/latest/reference/resources/tier
//  [NS]   https://docs.tigera.io/calico/latest/reference/resources/networkset
//  [VAL]  projectcalico/calico libcalico-go/lib/validator/v3/validator.go and the CEL rules on api/pkg/apis/projectcalico/v3
//  [DEF]  projectcalico/calico api/pkg/defaults/networkpolicy.go
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import Ajv from 'ajv';
import { LineCounter, parseAllDocuments, parse as yamlParse, stringify } from 'yaml';
import { LineIndex } from '../../server/src/core/lines';
import { expandAliases } from '../../server/src/core/yaml';
import type { Document, Node as YNode, Scalar, YAMLMap } from 'yaml';
import { isMap, isSeq } from 'yaml';
import type { Diagnostic } from '../../server/src/core/model';
import { parseCalicoDocument, parseCalicoObject, scalarOffsets, selectorIndexAt } from '../../server/src/core/dialects/calico/parse';
import { selectorItemAt } from '../../server/src/core/dialects/calico/selector';
import {
  defaultPolicyTypes,
  isCalicoNetworkSet,
  isCalicoPolicy,
  isCalicoTier,
  type CalicoNetworkSet,
  type CalicoPolicy,
  type CalicoResource,
  type CalicoTier,
} from '../../server/src/core/dialects/calico/model';

interface Parsed {
  text: string;
  resources: (CalicoResource | undefined)[];
  diagnostics: Diagnostic[];
}

function parse(text: string, opts: { withText?: boolean; defaultNamespace?: string } = {}): Parsed {
  const lines = new LineIndex(text);
  const docs = parseAllDocuments(text, { uniqueKeys: true }) as Document.Parsed[];
  const out: Parsed = { text, resources: [], diagnostics: [] };
  docs.forEach((doc, docIndex) => {
    const r = parseCalicoDocument(doc, {
      file: 'test.yaml',
      docIndex,
      lines,
      defaultNamespace: opts.defaultNamespace ?? 'default',
      text: opts.withText === false ? undefined : text,
    });
    out.resources.push(r.resource);
    out.diagnostics.push(...r.diagnostics);
  });
  // Every range must be inside the text and consistent with its line/character positions.
  for (const d of out.diagnostics) {
    const { startOffset, endOffset, start, end } = d.range;
    assert.ok(0 <= startOffset && startOffset <= endOffset && endOffset <= text.length, `${d.code} range ${startOffset}-${endOffset}`);
    const lineStart = (line: number) => text.split('\n').slice(0, line).reduce((n, l) => n + l.length + 1, 0);
    assert.equal(lineStart(start.line) + start.character, startOffset, `${d.code} start position`);
    assert.equal(lineStart(end.line) + end.character, endOffset, `${d.code} end position`);
    assert.ok(d.code.startsWith('calico-'), d.code);
  }
  return out;
}

const slice = (p: Parsed, d: Diagnostic) => p.text.slice(d.range.startOffset, d.range.endOffset);
function diag(p: Parsed, code: string): Diagnostic {
  const d = p.diagnostics.find((x) => x.code === code);
  assert.ok(d, `expected a ${code} diagnostic, got ${JSON.stringify(p.diagnostics.map((x) => `${x.code}: ${x.message}`))}`);
  return d!;
}
const codes = (p: Parsed) => p.diagnostics.map((d) => d.code);
function policy(p: Parsed, i = 0): CalicoPolicy {
  const r = p.resources[i];
  assert.ok(r && isCalicoPolicy(r), 'expected a policy');
  return r as CalicoPolicy;
}

const NP = (spec: string, meta = 'name: p\n  namespace: prod') =>
  `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  ${meta}\nspec:\n${spec}`;
const GNP = (spec: string) => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: g\nspec:\n${spec}`;

// ---------------------------------------------------------------------------------------------------------------
// types defaulting

test('[NP]/[GNP] "types" defaulting table and [DEF] defaultPolicyTypesField', () => {
  // "If types has no value, Calico defaults as follows":
  // no ingress/no egress -> Ingress; ingress only -> Ingress; egress only -> Egress; both -> Ingress, Egress.
  assert.deepEqual(defaultPolicyTypes(0, 0), ['Ingress']);
  assert.deepEqual(defaultPolicyTypes(1, 0), ['Ingress']);
  assert.deepEqual(defaultPolicyTypes(0, 1), ['Egress']);
  assert.deepEqual(defaultPolicyTypes(2, 3), ['Ingress', 'Egress']);

  const none = parse(NP('  selector: all()\n'));
  assert.deepEqual(policy(none).types, ['Ingress']);
  assert.equal(policy(none).declaredTypes, undefined);
  const egressOnly = parse(NP('  egress:\n  - action: Allow\n'));
  assert.deepEqual(policy(egressOnly).types, ['Egress']);
  const both = parse(GNP('  ingress:\n  - action: Deny\n  egress:\n  - action: Allow\n'));
  assert.deepEqual(policy(both).types, ['Ingress', 'Egress']);
  // [DEF] `if len(*types) == 0`: an explicitly empty list is defaulted too.
  const empty = parse(NP('  types: []\n  egress:\n  - action: Allow\n'));
  assert.deepEqual(policy(empty).types, ['Egress']);
  assert.equal(policy(empty).declaredTypes, undefined);
  // Declared types win over the rules present.
  const declared = parse(NP('  types: [Ingress, Egress]\n'));
  assert.deepEqual(policy(declared).types, ['Ingress', 'Egress']);
  assert.deepEqual(policy(declared).declaredTypes, ['Ingress', 'Egress']);
  assert.deepEqual(codes(declared), []);
});

test('types: invalid / duplicate entries and rules made useless by types', () => {
  const p = parse(NP('  types: [Egress, Egress, ingress]\n  ingress:\n  - action: Allow\n'));
  assert.equal(slice(p, diag(p, 'calico-types-duplicate')), 'Egress');
  assert.equal(diag(p, 'calico-types-duplicate').range.startOffset, p.text.indexOf('Egress, ingress'));
  const inv = diag(p, 'calico-types-invalid');
  assert.equal(slice(p, inv), 'ingress');
  assert.match(inv.message, /did you mean "Ingress"/);
  const ign = diag(p, 'calico-rules-ignored');
  assert.equal(ign.severity, 'warning');
  assert.equal(slice(p, ign), 'ingress');
  assert.equal(ign.range.startOffset, p.text.indexOf('  ingress:') + 2);
  assert.deepEqual(policy(p).types, ['Egress']);
  assert.equal(policy(p).invalid, true);
});

// ---------------------------------------------------------------------------------------------------------------
// model fields, defaults and ranges

test('NetworkPolicy model: tier/order/selector defaults, namespace defaulting, ids and ranges', () => {
  const text = NP(
    [
      '  order: 100.5',
      "  selector: role == 'database'",
      '  ingress:',
      '  - action: Allow',
      '    protocol: TCP',
      '    source:',
      "      selector: role == 'frontend'",
      '      namespaceSelector: projectcalico.org/name == "web"',
      '      serviceAccounts: {names: [api], selector: "team == \'x\'"}',
      '    destination:',
      "      ports: [6379, '1000:2000', http]",
      '      notPorts: [1500]',
      '  - action: Log',
      '  - action: Deny',
      '    notProtocol: 17',
      '    source:',
      '      nets: [10.0.0.0/8]',
      '      notNets: [10.1.0.0/16]',
      '',
    ].join('\n'),
    'name: allow-tcp-6379',
  );
  const p = parse(text, { defaultNamespace: 'team-a' });
  assert.deepEqual(codes(p), []);
  const pol = policy(p);
  assert.equal(pol.id, 'team-a/allow-tcp-6379');
  assert.equal(pol.metadata.namespaceDefaulted, true);
  assert.equal(pol.tier, 'default'); // [NP] spec.tier default "default" (+kubebuilder:default=default)
  assert.equal(pol.tierDefaulted, true);
  assert.equal(pol.order, 100.5);
  assert.equal(pol.selector.canonical, 'role == "database"');
  assert.equal(pol.selectorDefaulted, false);
  assert.equal(pol.staged, false);
  assert.equal(pol.invalid, false);
  assert.equal(pol.ingress.length, 3);
  const [allow, log, deny] = pol.ingress;
  assert.equal(allow.action, 'Allow');
  assert.deepEqual(allow.protocol && { n: allow.protocol.name, num: allow.protocol.number }, { n: 'TCP', num: 6 });
  assert.deepEqual(
    allow.destination.ports?.map((x) => (x.kind === 'named' ? x.name : [x.min, x.max])),
    [[6379, 6379], [1000, 2000], 'http'],
  );
  assert.deepEqual(allow.destination.notPorts?.map((x) => x.kind === 'range' && x.min), [1500]);
  assert.equal(allow.source.selector?.canonical, 'role == "frontend"');
  assert.equal(allow.source.namespaceSelector?.canonical, 'projectcalico.org/name == "web"');
  assert.deepEqual(allow.source.serviceAccounts?.names, ['api']);
  assert.equal(allow.source.serviceAccounts?.selector?.canonical, 'team == "x"');
  assert.equal(log.action, 'Log');
  assert.equal(deny.notProtocol?.name, 'UDP'); // 17 is UDP
  assert.equal(deny.source.nets?.[0].cidr.prefix, 8);
  assert.equal(deny.source.notNets?.[0].text, '10.1.0.0/16');
  // Ranges: policy, rule, action, name, order.
  assert.equal(p.text.slice(pol.range!.startOffset, pol.range!.startOffset + 10), 'apiVersion');
  assert.equal(p.text.slice(pol.metadata.nameRange!.startOffset, pol.metadata.nameRange!.endOffset), 'allow-tcp-6379');
  assert.equal(p.text.slice(pol.orderRange!.startOffset, pol.orderRange!.endOffset), '100.5');
  assert.equal(p.text.slice(log.range!.startOffset, log.range!.endOffset).trim(), 'action: Log');
  assert.equal(p.text.slice(deny.actionRange!.startOffset, deny.actionRange!.endOffset), 'Deny');
  assert.equal(deny.index, 2);
  assert.equal(deny.direction, 'Ingress');
  const ports = allow.destination.ports!;
  assert.equal(p.text.slice(ports[1].range!.startOffset, ports[1].range!.endOffset), "'1000:2000'");
});

test('GlobalNetworkPolicy: namespaceSelector, no namespace, tier and host options', () => {
  const p = parse(
    [
      'apiVersion: projectcalico.org/v3',
      'kind: GlobalNetworkPolicy',
      'metadata:',
      '  name: security.block',
      '  namespace: oops',
      'spec:',
      '  tier: security',
      '  order: 10',
      '  namespaceSelector: projectcalico.org/name in {"foo", "bar"}',
      '  selector: color == "red"',
      '  doNotTrack: true',
      '  ingress:',
      '  - action: Pass',
      '',
    ].join('\n'),
  );
  const pol = policy(p);
  assert.equal(pol.id, 'security.block');
  assert.equal(pol.namespaced, false);
  assert.equal(pol.metadata.namespace, undefined);
  assert.equal(pol.tier, 'security');
  assert.equal(pol.namespaceSelector?.canonical, 'projectcalico.org/name in {"bar", "foo"}');
  assert.equal(slice(p, diag(p, 'calico-namespace-ignored')), 'oops');
  // CEL on GlobalNetworkPolicySpec: "applyOnForward must be true if either preDNAT or doNotTrack is true".
  assert.equal(slice(p, diag(p, 'calico-host-options')), 'doNotTrack');
});

test('StagedNetworkPolicy / StagedGlobalNetworkPolicy: staged flag, stagedAction default Set, Delete needs an empty spec', () => {
  const p = parse(
    [
      'apiVersion: projectcalico.org/v3',
      'kind: StagedNetworkPolicy',
      'metadata: {name: s1}',
      'spec:',
      '  ingress: [{action: Allow}]',
      '---',
      'apiVersion: projectcalico.org/v3',
      'kind: StagedGlobalNetworkPolicy',
      'metadata: {name: s2}',
      'spec:',
      '  stagedAction: Delete',
      '  tier: default',
      '  selector: all()',
      '',
    ].join('\n'),
  );
  const s1 = policy(p, 0);
  const s2 = policy(p, 1);
  assert.equal(s1.staged, true);
  assert.equal(s1.stagedAction, 'Set');
  assert.equal(s1.id, 'default/s1');
  assert.equal(s2.stagedAction, 'Delete');
  const d = diag(p, 'calico-staged-delete-spec');
  assert.equal(slice(p, d), 'selector');
});

test('[TIER] Tier: order optional, defaultAction defaults to Deny; built-in tiers have fixed settings', () => {
  const p = parse(
    [
      'apiVersion: projectcalico.org/v3',
      'kind: Tier',
      'metadata: {name: internal-access}',
      'spec: {order: 100}',
      '---',
      'apiVersion: projectcalico.org/v3',
      'kind: Tier',
      'metadata: {name: devops}',
      'spec: {defaultAction: Pass}',
      '---',
      'apiVersion: projectcalico.org/v3',
      'kind: Tier',
      'metadata: {name: default}',
      'spec: {order: 5}',
      '---',
      'apiVersion: projectcalico.org/v3',
      'kind: Tier',
      'metadata: {name: bad.name}',
      'spec: {defaultAction: Allow}',
      '',
    ].join('\n'),
  );
  const [a, b, c] = p.resources as CalicoTier[];
  assert.ok(isCalicoTier(a) && isCalicoTier(b) && isCalicoTier(c));
  assert.deepEqual([a.order, a.defaultAction, a.defaultActionDefaulted], [100, 'Deny', true]);
  assert.deepEqual([b.order, b.defaultAction], [undefined, 'Pass']); // no order = last ("nil (highest order)")
  // "The default tier ... has the order of 1,000,000. This value is fixed" (policy-tiers docs; CEL on Tier).
  const builtin = diag(p, 'calico-tier-builtin');
  assert.equal(slice(p, builtin), '5');
  assert.equal(slice(p, diag(p, 'calico-name-invalid')), 'bad.name'); // tier names have no dots
  assert.equal(slice(p, diag(p, 'calico-tier-default-action')), 'Allow');
});

test('[NS] NetworkSet / GlobalNetworkSet: nets and labels; bare addresses are accepted', () => {
  const p = parse(
    [
      'apiVersion: projectcalico.org/v3',
      'kind: NetworkSet',
      'metadata:',
      '  name: external-database',
      '  labels: {role: db}',
      'spec:',
      '  nets: [198.51.100.0/28, 203.0.113.7, "2001:db8::/32", not-an-ip]',
      '---',
      'apiVersion: projectcalico.org/v3',
      'kind: GlobalNetworkSet',
      'metadata:',
      '  name: gns',
      '  labels:',
      '    projectcalico.org/namespace: x',
      'spec: {nets: [10.0.0.1/8]}',
      '',
    ].join('\n'),
    { defaultNamespace: 'staging' },
  );
  const ns = p.resources[0] as CalicoNetworkSet;
  assert.ok(isCalicoNetworkSet(ns));
  assert.equal(ns.id, 'staging/external-database');
  assert.deepEqual(ns.metadata.labels, { role: 'db' });
  assert.deepEqual(ns.nets.map((n) => [n.text, n.cidr.family, n.cidr.prefix]), [
    ['198.51.100.0/28', 4, 28],
    ['203.0.113.7', 4, 32],
    ['2001:db8::/32', 6, 32],
  ]);
  assert.equal(slice(p, diag(p, 'calico-cidr-invalid')), 'not-an-ip');
  const gns = p.resources[1] as CalicoNetworkSet;
  assert.equal(gns.id, 'gns');
  assert.equal(gns.nets[0].cidr.hostBitsSet, true); // allowed in network sets ("cidr" validator)
  // validateGlobalNetworkSet: projectcalico.org/namespace is not a valid label name.
  assert.equal(slice(p, diag(p, 'calico-label-invalid')), 'projectcalico.org/namespace');
});

// ---------------------------------------------------------------------------------------------------------------
// selector errors mapped through YAML quoting

function selectorErrorSlice(specLine: string, withText = true): { p: Parsed; d: Diagnostic; s: string } {
  const p = parse(NP(specLine + '\n'), { withText });
  const d = diag(p, 'calico-selector-syntax');
  return { p, d, s: slice(p, d) };
}

test('selector syntax errors point at the exact characters in plain, quoted and block scalars', () => {
  // plain scalar
  let r = selectorErrorSlice(`  selector: role == 'db' && tier in {"a" "b"}`);
  assert.equal(r.s, '"b"');
  assert.equal(r.d.range.startOffset, r.p.text.indexOf('"b"'));
  assert.match(r.d.message, /expected ',' between set members/);
  // double-quoted with escapes before the error
  r = selectorErrorSlice(`  selector: "role == \\"db\\" && %"`);
  assert.equal(r.s, '%');
  // single-quoted with '' escapes before the error
  r = selectorErrorSlice(`  selector: 'role == ''it''''s'' & x'`);
  assert.equal(r.s, '&');
  assert.equal(r.d.range.startOffset, r.p.text.indexOf(' & x') + 1);
  // multi-line plain scalar: error on the second line
  r = selectorErrorSlice(`  selector: role == 'db'\n    && tier = "x"`);
  assert.equal(r.s, '=');
  assert.equal(r.d.range.start.line, 7);
  // block scalar with a trailing newline: Calico rejects the line break
  r = selectorErrorSlice(`  selector: >\n    role == 'db'`);
  assert.match(r.d.message, /line break/);
  assert.match(r.d.message, />-/);
  // '>-' drops it and the selector is fine
  const ok = parse(NP(`  selector: >-\n    role == 'db'\n    && tier == 'x'\n`));
  assert.deepEqual(codes(ok), []);
  assert.equal(policy(ok).selector.canonical, `(role == "db" && tier == "x")`);
});

test('selector error ranges without the file text: exact for simple scalars, whole scalar otherwise', () => {
  let r = selectorErrorSlice(`  selector: role == 'db' &&`, false);
  assert.equal(r.s, '&&');
  r = selectorErrorSlice(`  selector: "role == 'db' &&"`, false);
  assert.equal(r.s, '&&');
  r = selectorErrorSlice(`  selector: "role == \\"db\\" &&"`, false);
  assert.equal(r.s, `"role == \\"db\\" &&"`);
});

test('scalarOffsets maps every decoded character back to the file', () => {
  const text = `a: "x\\ty \\u00e9 \\\n   z"\nb: 'it''s'\nc: |\n  line1\n  line2\n`;
  const lc = new LineCounter();
  const [doc] = parseAllDocuments(text, { lineCounter: lc }) as Document.Parsed[];
  for (const key of ['a', 'b', 'c']) {
    const node = doc.get(key, true) as Scalar;
    const value = String(node.value);
    const map = scalarOffsets(node, value, text);
    assert.ok(map, key);
    assert.equal(map!.length, value.length + 1);
    for (let i = 0; i < value.length; i++) {
      const src = text[map![i]];
      if (value[i] === src) continue;
      // Escapes map to their backslash; folded/newline characters map to whitespace.
      assert.ok(src === '\\' || /\s/.test(src), `${key}[${i}] ${JSON.stringify(value[i])} -> ${JSON.stringify(src)}`);
    }
  }
});

test('[NP] "!" at the start of a plain YAML selector is a YAML tag: reported with a quoting fix', () => {
  const p = parse(GNP(`  selector: !has(a) && b == 'c'\n`));
  const d = diag(p, 'calico-selector-yaml-tag');
  assert.equal(slice(p, d), `!has(a) && b == 'c'`);
  assert.match(d.message, /Quote the selector: "!has\(a\) && b == 'c'"/);
  assert.equal(policy(p).selector.ast, undefined);
});

test('global() is only valid, alone, in a rule namespaceSelector', () => {
  const p = parse(
    NP(
      [
        '  selector: global()',
        '  egress:',
        '  - action: Allow',
        '    destination:',
        '      namespaceSelector: global() && a == "b"',
        '  - action: Allow',
        '    destination:',
        '      namespaceSelector: global()',
        '      selector: role == "db"',
        '',
      ].join('\n'),
    ),
  );
  const ds = p.diagnostics.filter((d) => d.code === 'calico-selector-global');
  assert.deepEqual(
    ds.map((d) => slice(p, d)),
    ['global()', 'global() && a == "b"'],
  );
  assert.equal(policy(p).egress[1].destination.namespaceSelector?.canonical, 'global()');
});

test('selector longer than 1024 characters is rejected (+kubebuilder MaxLength=1024)', () => {
  const long = Array.from({ length: 80 }, (_, i) => `k${i} == "v"`).join(' && ');
  assert.ok(long.length > 1024);
  const p = parse(NP(`  selector: ${long}\n`));
  assert.equal(diag(p, 'calico-selector-too-long').severity, 'error');
});

// ---------------------------------------------------------------------------------------------------------------
// rules

test('rule action, protocol and ipVersion validation', () => {
  const p = parse(
    NP(
      [
        '  ingress:',
        '  - action: allow',
        '  - protocol: TCP',
        '  - action: Allow',
        '    protocol: tcp',
        '  - action: Allow',
        '    protocol: 0',
        '  - action: Allow',
        '    protocol: "132"',
        '    ipVersion: 5',
        '  - action: Allow',
        '    protocol: ICMP',
        '    ipVersion: 6',
        '',
      ].join('\n'),
    ),
  );
  const inv = diag(p, 'calico-action-invalid');
  assert.equal(slice(p, inv), 'allow');
  assert.match(inv.message, /did you mean "Allow"/);
  assert.equal(slice(p, diag(p, 'calico-action-missing')), 'protocol: TCP');
  const protos = p.diagnostics.filter((d) => d.code === 'calico-protocol-invalid').map((d) => slice(p, d));
  assert.deepEqual(protos, ['tcp', '0']); // names are case-sensitive ([VAL] protocolRegex); 0 is invalid
  assert.equal(slice(p, diag(p, 'calico-ipversion-invalid')), '5');
  assert.equal(slice(p, diag(p, 'calico-ipversion-mismatch')), '6'); // CEL: protocol ICMP requires ipVersion 4
  const pol = policy(p);
  // Rules without a valid action are dropped; indexes keep their YAML position.
  assert.deepEqual(pol.ingress.map((r) => r.index), [2, 3, 4, 5]);
  assert.deepEqual(pol.ingress.map((r) => r.protocol?.number), [undefined, undefined, 132, 1]);
  assert.equal(pol.ingress[2].protocol?.name, 'SCTP');
});

test('ports: protocol requirements ([VAL] validateRule) and port syntax', () => {
  const p = parse(
    NP(
      [
        '  egress:',
        '  - action: Allow',
        '    destination:',
        '      ports: [53]', // numeric port without protocol
        '  - action: Allow',
        '    destination:',
        '      ports: [dns]', // named port without protocol: allowed
        '  - action: Allow',
        '    protocol: ICMP',
        '    destination:',
        '      notPorts: [dns]', // ICMP has no ports
        '  - action: Allow',
        '    protocol: UDP',
        '    source:',
        '      ports: [0, "9:8", 65536, "1-5", "bad name!"]',
        '',
      ].join('\n'),
    ),
  );
  assert.equal(slice(p, diag(p, 'calico-ports-need-protocol')), 'ports');
  assert.equal(p.diagnostics.filter((d) => d.code === 'calico-ports-need-protocol').length, 1);
  assert.equal(slice(p, diag(p, 'calico-ports-protocol')), 'notPorts');
  assert.deepEqual(
    p.diagnostics.filter((d) => d.code === 'calico-port-invalid').map((d) => slice(p, d)),
    ['0', '"9:8"', '65536', '"bad name!"'],
  );
  // numorstring.PortFromString reads "1-5" as a port *name*; we warn and keep it as named.
  const dash = diag(p, 'calico-port-dash-range');
  assert.equal(slice(p, dash), '"1-5"');
  assert.equal(dash.severity, 'warning');
  assert.match(dash.message, /"1:5"/);
  assert.deepEqual(policy(p).egress[3].source.ports, [{ kind: 'named', name: '1-5', range: policy(p).egress[3].source.ports![0].range }]);
  assert.deepEqual(policy(p).egress[1].destination.ports, [
    { kind: 'named', name: 'dns', range: policy(p).egress[1].destination.ports![0].range },
  ]);
});

test('icmp / notICMP ranges and protocol requirement', () => {
  const p = parse(
    GNP(
      [
        '  ingress:',
        '  - action: Allow',
        '    protocol: ICMP',
        '    icmp: {type: 8, code: 0}',
        '  - action: Allow',
        '    protocol: ICMP',
        '    icmp: {code: 3}',
        '  - action: Allow',
        '    protocol: TCP',
        '    icmp: {type: 255}',
        '',
      ].join('\n'),
    ),
  );
  const pol = policy(p);
  assert.deepEqual([pol.ingress[0].icmp?.type, pol.ingress[0].icmp?.code], [8, 0]);
  const icmpInv = p.diagnostics.filter((d) => d.code === 'calico-icmp-invalid').map((d) => slice(p, d));
  assert.deepEqual(icmpInv, ['code', '255']); // code without type; type is 0-254
  assert.equal(slice(p, diag(p, 'calico-icmp-protocol')), 'icmp');
});

test('nets: CIDR syntax, host bits, mixed families, catch-all notNets ([VAL] scanNets)', () => {
  const p = parse(
    NP(
      [
        '  egress:',
        '  - action: Allow',
        '    destination:',
        '      nets: [10.0.0.1/8, 10.0.0.5, "fd00::/8"]',
        '      notNets: [0.0.0.0/0]',
        '',
      ].join('\n'),
    ),
  );
  assert.equal(slice(p, diag(p, 'calico-cidr-host-bits')), '10.0.0.1/8');
  const bare = diag(p, 'calico-cidr-invalid');
  assert.equal(slice(p, bare), '10.0.0.5');
  assert.match(bare.message, /10\.0\.0\.5\/32/);
  assert.equal(slice(p, diag(p, 'calico-cidr-mixed')), 'nets');
  assert.equal(slice(p, diag(p, 'calico-notnets-catch-all')), '0.0.0.0/0');
  // Entries whose meaning is clear stay in the model (a bare address is a /32), so a rejected-but-analysed policy
  // never gets broader than written.
  const nets = policy(p).egress[0].destination.nets!;
  assert.deepEqual(nets.map((n) => [n.text, n.cidr.prefix]), [
    ['10.0.0.1/8', 8],
    ['10.0.0.5', 32],
    ['fd00::/8', 8],
  ]);
  assert.equal(policy(p).invalid, true);
});

test('services: placement and conflicts (CEL on EntityRule, validateNetworkPolicySpec)', () => {
  const p = parse(
    GNP(
      [
        '  egress:',
        '  - action: Allow',
        '    destination:',
        '      services: {name: kube-dns}',
        '      selector: a == "b"',
        '  ingress:',
        '  - action: Allow',
        '    destination:',
        '      services: {name: x, namespace: y}',
        '',
      ].join('\n'),
    ),
  );
  assert.equal(slice(p, diag(p, 'calico-services-namespace')), 'services: {name: kube-dns}');
  assert.equal(slice(p, diag(p, 'calico-services-conflict')), 'selector');
  assert.equal(slice(p, diag(p, 'calico-services-misplaced')), 'services: {name: x, namespace: y}');
});

test('unknown fields are reported with suggestions and Kubernetes-NetworkPolicy hints', () => {
  const p = parse(
    NP(
      [
        '  podSelector: {}',
        '  ingress:',
        '  - action: Allow',
        '    from: []',
        '    source:',
        '      namespaceselector: all()',
        '',
      ].join('\n'),
    ),
  );
  const msgs = p.diagnostics.filter((d) => d.code === 'calico-unknown-field').map((d) => [slice(p, d), d.message]);
  assert.equal(msgs.length, 3);
  assert.match(msgs.find(([s]) => s === 'podSelector')![1], /spec\.selector/);
  assert.match(msgs.find(([s]) => s === 'from')![1], /source/);
  assert.match(msgs.find(([s]) => s === 'namespaceselector')![1], /did you mean "namespaceSelector"/);
  for (const d of p.diagnostics) assert.equal(d.severity, 'warning');
});

test('metadata: missing/invalid names, bad labels, apiVersion and unknown kinds', () => {
  const p = parse(
    [
      'apiVersion: projectcalico.org/v3',
      'kind: NetworkPolicy',
      'metadata: {namespace: x}',
      'spec: {}',
      '---',
      'apiVersion: crd.projectcalico.org/v1',
      'kind: GlobalNetworkPolicy',
      'metadata: {name: Bad_Name, labels: {"a/b/c": x, ok: "-bad-"}}',
      '---',
      'apiVersion: projectcalico.org/v3',
      'kind: NetworkPolcy',
      'metadata: {name: x}',
      '---',
      'apiVersion: projectcalico.org/v3',
      'kind: HostEndpoint',
      'metadata: {name: x}',
      '',
    ].join('\n'),
  );
  assert.equal(slice(p, diag(p, 'calico-name-missing')), 'metadata');
  assert.equal(slice(p, diag(p, 'calico-api-version')), 'crd.projectcalico.org/v1');
  assert.equal(slice(p, diag(p, 'calico-name-invalid')), 'Bad_Name');
  assert.deepEqual(
    p.diagnostics.filter((d) => d.code === 'calico-label-invalid').map((d) => slice(p, d)),
    ['"a/b/c"', '"-bad-"'],
  );
  const kinds = p.diagnostics.filter((d) => d.code === 'calico-kind-unsupported');
  assert.deepEqual(kinds.map((d) => [slice(p, d), d.severity]), [
    ['NetworkPolcy', 'error'],
    ['HostEndpoint', 'info'],
  ]);
  assert.match(kinds[0].message, /did you mean "NetworkPolicy"/);
  assert.equal(p.resources[2], undefined);
});

test('[NP] a policy without spec selects all() and gets types [Ingress]; the user is warned', () => {
  const p = parse('apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: deny-all}\n');
  const pol = policy(p);
  assert.equal(pol.selector.canonical, 'all()');
  assert.equal(pol.selectorDefaulted, true);
  assert.deepEqual(pol.types, ['Ingress']);
  assert.equal(slice(p, diag(p, 'calico-spec-missing')), 'deny-all');
});

test('YAML aliases are followed', () => {
  const p = parse(NP(`  selector: &sel app == "web"\n  ingress:\n  - action: Allow\n    source:\n      selector: *sel\n`));
  assert.deepEqual(codes(p), []);
  assert.equal(policy(p).ingress[0].source.selector?.canonical, 'app == "web"');
});

test('network-config-analyzer corpus: every Calico object parses without throwing, with valid ranges', () => {
  // The corpus ships real-world and deliberately broken Calico v3 policies (NCA tests): the parser must turn every
  // one into a model or diagnostics, never an exception.
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  const root = path.resolve(dir, '../shared/corpora/network-config-analyzer');
  if (!fs.existsSync(root)) return;
  const files: string[] = [];
  const walk = (d: string) => {
    for (const n of fs.readdirSync(d)) {
      const f = path.join(d, n);
      if (fs.statSync(f).isDirectory()) walk(f);
      else if (/\.ya?ml$/.test(n)) files.push(f);
    }
  };
  walk(root);
  let resources = 0;
  const byCode = new Map<string, number>();
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    if (!text.includes('projectcalico.org/v3')) continue;
    const lines = new LineIndex(text);
    const docs = parseAllDocuments(text) as Document.Parsed[];
    docs.forEach((doc, docIndex) => {
      expandAliases(doc);
      const c = doc.contents as YNode | null;
      const objs: YNode[] = [];
      if (c && isMap(c)) {
        const items = c.get('items', true);
        if (items && isSeq(items)) objs.push(...(items.items as YNode[]));
        else objs.push(c);
      } else if (c && isSeq(c)) objs.push(...(c.items as YNode[]));
      for (const o of objs) {
        if (!o || !isMap(o) || o.get('apiVersion') !== 'projectcalico.org/v3') continue;
        const r = parseCalicoObject(o as YAMLMap, { file: f, docIndex, lines, defaultNamespace: 'default', text });
        if (r.resource) resources++;
        for (const d of r.diagnostics) {
          assert.ok(d.range.startOffset <= d.range.endOffset && d.range.endOffset <= text.length);
          byCode.set(d.code, (byCode.get(d.code) ?? 0) + 1);
        }
      }
    });
  }
  console.log(`network-config-analyzer corpus: ${resources} Calico resources modeled; diagnostics ${JSON.stringify(Object.fromEntries(byCode))}`);
  assert.ok(resources > 100);
});

test('property: arbitrary spec values never make the parser throw; all ranges are valid', () => {
  const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: -5, max: 70000 }), fc.boolean(), fc.constant(null), fc.constantFrom('TCP', 'Allow', 'all()', '10.0.0.0/8', '1:2', 'a == "b"', '!has(x)'));
  const keys = fc.constantFrom('selector', 'ingress', 'egress', 'types', 'order', 'tier', 'action', 'protocol', 'source', 'destination', 'ports', 'nets', 'icmp', 'type', 'code', 'namespaceSelector', 'serviceAccounts', 'names', 'services', 'notPorts', 'x');
  const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(keys, tie('v'), { maxKeys: 4 })),
  })).v;
  fc.assert(
    fc.property(fc.constantFrom('NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'Tier', 'NetworkSet'), value, (kind, spec) => {
      const text = stringify({ apiVersion: 'projectcalico.org/v3', kind, metadata: { name: 'n' }, spec });
      parse(text); // asserts every range
    }),
    { numRuns: 300 },
  );
});

// ---------------------------------------------------------------------------------------------------------------
// JSON schemas (schemas/calico-*.schema.json, generated by scripts/gen-calico-schemas.mjs)


function schemaDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return path.join(dir, 'schemas');
}

const SCHEMA_FOR: Record<string, string> = {
  NetworkPolicy: 'calico-networkpolicy',
  GlobalNetworkPolicy: 'calico-globalnetworkpolicy',
  StagedNetworkPolicy: 'calico-stagednetworkpolicy',
  StagedGlobalNetworkPolicy: 'calico-stagedglobalnetworkpolicy',
  NetworkSet: 'calico-networkset',
  GlobalNetworkSet: 'calico-globalnetworkset',
  Tier: 'calico-tier',
};

function validators() {
  const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
  const out: Record<string, ReturnType<typeof ajv.compile>> = {};
  for (const [kind, file] of Object.entries(SCHEMA_FOR)) {
    const schema = JSON.parse(fs.readFileSync(path.join(schemaDir(), `${file}.schema.json`), 'utf8'));
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    out[kind] = ajv.compile(schema);
  }
  return out;
}

// Samples from the Calico reference pages ([NP], [GNP], [TIER], [NS], stagednetworkpolicy, globalnetworkset).
const DOC_SAMPLES = `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: allow-tcp-6379
  namespace: production
spec:
  selector: role == 'database'
  types:
    - Ingress
    - Egress
  ingress:
    - action: Allow
      metadata:
        annotations:
          from: frontend
          to: database
      protocol: TCP
      source:
        selector: role == 'frontend'
      destination:
        ports:
          - 6379
  egress:
    - action: Allow
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: foo-and-bar
spec:
  namespaceSelector: projectcalico.org/name in {"foo", "bar"}
  selector: color == "red"
  types:
  - Ingress
  ingress:
  - action: Allow
    protocol: TCP # not in the calico-labels page sample: validateRule rejects numeric ports without a protocol
    source:
      namespaceSelector: projectcalico.org/name == "baz"
    destination:
      ports:
      - 8080
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata:
  name: internal-access.allow-tcp-6379
  namespace: production
spec:
  tier: internal-access
  selector: role == 'database'
  types:
    - Ingress
    - Egress
  ingress:
    - action: Allow
      protocol: TCP
      source:
        selector: role == 'frontend'
      destination:
        ports:
          - 6379
  egress:
    - action: Allow
---
apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata:
  name: default.allow-tcp-6379
spec:
  tier: default
  selector: role == 'database'
  ingress:
    - action: Allow
      protocol: TCP
      destination:
        ports: [8080, '1234:5678', 'named-port']
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: internal-access
spec:
  order: 100
  defaultAction: Deny
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata:
  name: external-database
  namespace: staging
  labels:
    role: db
spec:
  nets:
    - 198.51.100.0/28
    - 203.0.113.0/24
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata:
  name: a-name-for-the-set
  labels:
    role: external-database
spec:
  nets:
    - 198.51.100.0/28
    - 203.0.113.0/24
`;

test('schemas compile (draft-07, ajv strict) and accept the Calico documentation samples, which also parse cleanly', () => {
  const v = validators();
  const p = parse(DOC_SAMPLES);
  assert.deepEqual(codes(p), []);
  assert.equal(p.resources.length, 7);
  for (const doc of DOC_SAMPLES.split(/^---$/m)) {
    const obj = yamlParse(doc) as { kind: string };
    const validate = v[obj.kind];
    assert.ok(validate(obj), `${obj.kind}: ${JSON.stringify(validate.errors)}`);
  }
});

test('schemas reject what the parser reports: enums for action, protocol, types, defaultAction, stagedAction; port ranges', () => {
  const v = validators();
  const np = (rule: object, extra: object = {}) => ({
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'p' },
    spec: { ingress: [rule], ...extra },
  });
  assert.equal(v.NetworkPolicy(np({ action: 'allow' })), false);
  assert.equal(v.NetworkPolicy(np({ action: 'Allow', protocol: 'tcp' })), false);
  assert.equal(v.NetworkPolicy(np({ action: 'Allow', protocol: 0 })), false);
  assert.equal(v.NetworkPolicy(np({ action: 'Allow', protocol: 132 })), true);
  assert.equal(v.NetworkPolicy(np({ action: 'Allow', protocol: 'UDPLite' })), true);
  assert.equal(v.NetworkPolicy(np({ action: 'Allow', protocol: 'TCP', destination: { ports: [0] } })), false);
  assert.equal(v.NetworkPolicy(np({ action: 'Allow', protocol: 'TCP', destination: { ports: ['80:90', 'http', 8080] } })), true);
  assert.equal(v.NetworkPolicy(np({ action: 'Allow', protocol: 'TCP', destination: { ports: ['bad name!'] } })), false);
  assert.equal(v.NetworkPolicy(np({ action: 'Allow', icmp: { type: 255 } })), false);
  assert.equal(v.NetworkPolicy(np({ action: 'Allow' }, { types: ['Ingress', 'Ingress'] })), false);
  assert.equal(v.NetworkPolicy(np({ action: 'Allow' }, { types: ['ingress'] })), false);
  assert.equal(v.NetworkPolicy(np({ action: 'Allow' }, { namespaceSelector: 'all()' })), false); // GNP only
  assert.equal(v.NetworkPolicy(np({ action: 'Allow', from: [] })), false); // K8s field names are not Calico's
  assert.equal(v.GlobalNetworkPolicy({ ...np({ action: 'Pass' }, { namespaceSelector: 'all()' }), kind: 'GlobalNetworkPolicy' }), true);
  assert.equal(v.Tier({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 't' }, spec: { defaultAction: 'Allow' } }), false);
  assert.equal(v.Tier({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'a.b' } }), false);
  assert.equal(
    v.StagedNetworkPolicy({ apiVersion: 'projectcalico.org/v3', kind: 'StagedNetworkPolicy', metadata: { name: 's' }, spec: { stagedAction: 'Remove' } }),
    false,
  );
  // Every enum has descriptions for hover in schema-driven YAML tools.
  const schema = JSON.parse(fs.readFileSync(path.join(schemaDir(), 'calico-networkpolicy.schema.json'), 'utf8'));
  assert.deepEqual(schema.definitions.Rule.properties.action.enum, ['Allow', 'Deny', 'Log', 'Pass']);
  assert.ok(schema.definitions.Rule.properties.action.description.length > 20);
  assert.ok(schema.properties.spec.properties.types.description.includes('[Egress]'));
});

test('every calico-* diagnostic code of the parser has a docs/rules page', () => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  const src = fs.readFileSync(path.join(dir, 'server/src/core/dialects/calico/parse.ts'), 'utf8');
  const used = new Set([...src.matchAll(/'(calico-[a-z0-9-]+)'/g)].map((m) => m[1]));
  assert.ok(used.size > 30);
  for (const code of used) {
    const page = path.join(dir, 'docs/rules', `${code}.md`);
    assert.ok(fs.existsSync(page), `missing docs/rules/${code}.md`);
    assert.ok(fs.readFileSync(page, 'utf8').startsWith(`# ${code}\n`));
  }
});

test('empty selector strings in rules are unset fields, not all() (Calico checks `!= ""`)', () => {
  // libcalico-go/lib/backend/syncersv1/updateprocessors/rules.go getEndpointSelector: `if namespaceSelector != ""`.
  const p = parse(
    NP(
      [
        '  selector: ""',
        '  ingress:',
        '  - action: Allow',
        '    source:',
        '      selector: ""',
        '      namespaceSelector:',
        '      notSelector: " "',
        '',
      ].join('\n'),
    ),
  );
  assert.deepEqual(codes(p), []);
  const pol = policy(p);
  assert.equal(pol.selector.canonical, 'all()'); // spec.selector "" = all() ([NP] default all())
  assert.equal(pol.selectorDefaulted, true);
  const src = pol.ingress[0].source;
  assert.equal(src.selector, undefined);
  assert.equal(src.namespaceSelector, undefined);
  assert.equal(src.notSelector?.canonical, 'all()'); // non-empty blank string parses as all()
});

test('selectorIndexAt maps a cursor in the file to the selector AST (hover/completion)', () => {
  const p = parse(NP(`  selector: "team == \\"a\\" && app in {'web'}"\n`));
  const sel = policy(p).selector;
  const at = (needle: string, delta = 0) => {
    const idx = selectorIndexAt(sel, p.text.indexOf(needle) + delta);
    assert.ok(idx !== undefined, needle);
    return selectorItemAt(sel.ast!, idx!);
  };
  assert.deepEqual([at('app', 1)?.kind, (at('app', 1) as { key: string }).key], ['key', 'app']);
  const v = at("'web'", 2);
  assert.ok(v && v.kind === 'value' && v.value === 'web');
  const a = at('\\"a', 2);
  assert.ok(a && a.kind === 'value' && a.value === 'a');
  assert.equal(selectorIndexAt(sel, 0), undefined);
});
