// Names of external peers people recognise: address ranges as minimal CIDR lists ("10.0.0.0/8, 192.168.0.0/16"),
// or "B except C" when that is shorter ("0.0.0.0/0 except 203.0.113.0/24"), and adjacent ranges with identical
// connections merged for display. External endpoint ids stay the contract's address ranges (`lo-hi`); these are
// display names only. Shared by the panel and the CLI text output.
import { FAMILY_MAX, formatAddr, parseIPv4, parseIPv6, type Family } from '../ip';
import type { Cluster } from '../model';

export interface AddressRange {
  family: Family;
  lo: bigint;
  hi: bigint;
}

/** Parses an external endpoint id `lo-hi` (IPv4 or IPv6); undefined for anything else (e.g. a domain name). */
export function parseRangeId(id: string): AddressRange | undefined {
  const i = id.indexOf('-');
  if (i < 0) return undefined;
  const a = id.slice(0, i);
  const b = id.slice(i + 1);
  const lo4 = parseIPv4(a);
  const hi4 = parseIPv4(b);
  if (lo4 !== undefined && hi4 !== undefined) return lo4 <= hi4 ? { family: 4, lo: lo4, hi: hi4 } : undefined;
  const lo6 = parseIPv6(a);
  const hi6 = parseIPv6(b);
  if (lo6 !== undefined && hi6 !== undefined) return lo6 <= hi6 ? { family: 6, lo: lo6, hi: hi6 } : undefined;
  return undefined;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/** The minimal list of CIDR blocks covering exactly [lo, hi] (largest aligned block first, left to right). */
export function rangeToCidrs(r: AddressRange): string[] {
  const bits = BITS[r.family];
  const out: string[] = [];
  let lo = r.lo;
  while (lo <= r.hi) {
    // The largest block starting at lo (aligned) that does not pass hi.
    let size = 0;
    while (size < bits) {
      const next = 1n << BigInt(size + 1);
      if ((lo & (next - 1n)) !== 0n || lo + next - 1n > r.hi) break;
      size++;
    }
    out.push(`${formatAddr(r.family, lo)}/${bits - size}`);
    lo += 1n << BigInt(size);
    if (lo > FAMILY_MAX[r.family]) break;
  }
  return out;
}

/** Sorts ranges and joins overlapping or adjacent ones (per family). */
export function mergeRanges(ranges: AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => a.family - b.family || (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: AddressRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.family === r.family && r.lo <= last.hi + 1n) {
      if (r.hi > last.hi) last.hi = r.hi;
    } else out.push({ ...r });
  }
  return out;
}

/** The smallest CIDR block containing [lo, hi]. */
function enclosingBlock(family: Family, lo: bigint, hi: bigint): AddressRange {
  const bits = BITS[family];
  let size = 0;
  while (size < bits && lo >> BigInt(size) !== hi >> BigInt(size)) size++;
  const mask = (1n << BigInt(size)) - 1n;
  return { family, lo: lo & ~mask, hi: (lo & ~mask) | mask };
}

/**
 * A set of address ranges in words: the CIDR list, or "<block> except <CIDR list>" when the set is a block with
 * holes and that is shorter (fewer CIDRs). Families are listed IPv4 first, joined with ", ".
 */
export function describeAddresses(ranges: AddressRange[]): string {
  const merged = mergeRanges(ranges);
  const parts: string[] = [];
  for (const family of [4, 6] as Family[]) {
    const rs = merged.filter((r) => r.family === family);
    if (rs.length === 0) continue;
    const direct = rs.flatMap(rangeToCidrs);
    const block = enclosingBlock(family, rs[0].lo, rs[rs.length - 1].hi);
    const holes: AddressRange[] = [];
    let at = block.lo;
    for (const r of rs) {
      if (r.lo > at) holes.push({ family, lo: at, hi: r.lo - 1n });
      at = r.hi + 1n;
    }
    if (at <= block.hi) holes.push({ family, lo: at, hi: block.hi });
    const holeCidrs = holes.flatMap(rangeToCidrs);
    if (holes.length > 0 && 1 + holeCidrs.length < direct.length) parts.push(`${rangeToCidrs(block)[0]} except ${holeCidrs.join(', ')}`);
    else parts.push(direct.join(', '));
  }
  return parts.join(', ');
}

/** The display name of one external endpoint id: its CIDR list (or first – last address when that list is long), or the id itself (a domain name). */
export function externalName(id: string): string {
  const r = parseRangeId(id);
  if (!r) return id;
  const cidrs = describeAddresses([r]);
  // A range that takes more than three CIDR blocks reads better as its first and last address.
  return cidrs.split(', ').length > 3 ? `${formatAddr(r.family, r.lo)} – ${formatAddr(r.family, r.hi)}` : cidrs;
}

export interface ExternalGroup<T> {
  /** The external endpoint ids merged into this group, in input order. */
  ids: string[];
  /** What the group was merged on (shared by every member). */
  key: string;
  /** Display name: a CIDR list / "except" form for address ranges, the domain name otherwise. */
  name: string;
  /** The first member's payload. */
  value: T;
}

/**
 * Merges external endpoints for display: address ranges that share `key` (e.g. the same connections for one pair)
 * become one group named by their union ("0.0.0.0/0 except 203.0.113.0/24"), ordered by first address; domain
 * names stay their own groups, after the address groups. A group whose addresses are exactly a NetworkSet /
 * GlobalNetworkSet / CiliumCIDRGroup of the manifests (`sets`) is named by it too: "GlobalNetworkSet partners
 * (203.0.113.0/24)".
 */
/** Address sets the manifests name: Calico NetworkSets / GlobalNetworkSets and Cilium CIDR groups. */
export interface NamedAddressSet {
  /** e.g. "GlobalNetworkSet partners", "NetworkSet shop/payments", "CiliumCIDRGroup vendors". */
  label: string;
  /** Merged (sorted, disjoint) ranges. */
  ranges: AddressRange[];
}

/** The named address sets of a cluster (empty sets left out). */
export function namedAddressSets(cluster: Cluster): NamedAddressSet[] {
  const out: NamedAddressSet[] = [];
  for (const ns of cluster.calico?.networkSets ?? []) {
    if (ns.nets.length) out.push({ label: `${ns.kind} ${ns.id}`, ranges: mergeRanges(ns.nets.map((n) => ({ family: n.cidr.family, lo: n.cidr.lo, hi: n.cidr.hi }))) });
  }
  for (const g of cluster.cilium?.cidrGroups ?? []) {
    if (g.cidrs.length) out.push({ label: `CiliumCIDRGroup ${g.name}`, ranges: mergeRanges(g.cidrs.map((c) => ({ family: c.cidr.family, lo: c.cidr.lo, hi: c.cidr.hi }))) });
  }
  return out;
}

/** Named sets sent as range ids (the panel payload's `addressSets`) back to address ranges. */
export function addressSetsFromIds(sets: readonly { label: string; ranges: string[] }[] | undefined): NamedAddressSet[] {
  return (sets ?? []).map((x) => ({ label: x.label, ranges: x.ranges.map(parseRangeId).filter((r): r is AddressRange => !!r) }));
}

/** The labels of the named sets whose addresses are exactly `ranges` (any order, merged first). */
export function setsNaming(ranges: AddressRange[], sets: readonly NamedAddressSet[]): string[] {
  if (!sets.length) return [];
  const m = mergeRanges(ranges);
  return sets
    .filter((s) => s.ranges.length === m.length && s.ranges.every((r, i) => r.family === m[i].family && r.lo === m[i].lo && r.hi === m[i].hi))
    .map((s) => s.label);
}

/** Display name of a set of address ranges: the CIDR form, after the names of the sets that are exactly it. */
export function nameAddresses(ranges: AddressRange[], sets: readonly NamedAddressSet[] = []): string {
  const cidrs = describeAddresses(ranges);
  const names = setsNaming(ranges, sets);
  return names.length ? `${names.join(' = ')} (${cidrs})` : cidrs;
}

export function mergeExternals<T>(items: { id: string; key: string; value: T }[], sets: readonly NamedAddressSet[] = []): ExternalGroup<T>[] {
  const groups = new Map<string, { ranges: AddressRange[]; ids: string[]; value: T }>();
  const other: { id: string; key: string; value: T }[] = [];
  const ranged = items
    .map((item) => ({ item, r: parseRangeId(item.id) }))
    .filter((x): x is { item: { id: string; key: string; value: T }; r: AddressRange } => {
      if (!x.r) other.push(x.item);
      return !!x.r;
    })
    .sort((a, b) => a.r.family - b.r.family || (a.r.lo < b.r.lo ? -1 : a.r.lo > b.r.lo ? 1 : 0));
  for (const { item, r } of ranged) {
    const g = groups.get(item.key);
    if (g) {
      g.ranges.push(r);
      g.ids.push(item.id);
    } else groups.set(item.key, { ranges: [r], ids: [item.id], value: item.value });
  }
  return [
    ...[...groups].map(([key, g]) => ({ ids: g.ids, key, name: nameAddresses(g.ranges, sets), value: g.value })),
    ...other.map((o) => ({ ids: [o.id], key: o.key, name: o.id, value: o.value })),
  ];
}
