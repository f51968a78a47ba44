// External endpoints are address ranges ("10.0.0.0-10.255.255.255") cut at every ipBlock / nets boundary of ONE
// analysis. To compare two analyses (diff, what-if) both sides are brought to the common refinement of their cuts;
// to match a CIDR (verify rules) the ranges overlapping it are taken. Pure (no engine semantics: only the ids).
import { parseCidr, type Endpoint } from '../core/index';
import { rangeLabel, type Family } from '../core/ip';

// An External endpoint id as an address range (undefined for workload ids and domain names): the core's parser.
import { parseRangeId as rangeOfId, type AddressRange } from '../core/explain/externals';
export { rangeOfId, type AddressRange };

export function isExternal(e: Endpoint): boolean {
  return e.kind === 'External';
}

/** A CIDR (or a single address) as a range; a string error when it is not one. */
export function rangeOfCidr(s: string): AddressRange | string {
  const c = parseCidr(s.includes('/') ? s : s.includes(':') ? `${s}/128` : `${s}/32`);
  return typeof c === 'string' ? c : { family: c.family, lo: c.lo, hi: c.hi };
}

export function overlaps(a: AddressRange, b: AddressRange): boolean {
  return a.family === b.family && a.lo <= b.hi && b.lo <= a.hi;
}

/** A piece of the common refinement: its id and the endpoint id on each side that contains it. */
export interface RefinedExternal {
  id: string;
  range: AddressRange;
  before?: string;
  after?: string;
}

/** Common refinement of two lists of external endpoint ids (each list partitions its families' address space). */
export function refineExternals(before: string[], after: string[]): RefinedExternal[] {
  const parsed = (ids: string[]) => ids.map((id) => ({ id, r: rangeOfId(id) })).filter((x): x is { id: string; r: AddressRange } => !!x.r);
  const b = parsed(before);
  const a = parsed(after);
  const out: RefinedExternal[] = [];
  for (const family of [4, 6] as Family[]) {
    const cuts = new Set<bigint>();
    let max = -1n;
    for (const x of [...b, ...a]) {
      if (x.r.family !== family) continue;
      cuts.add(x.r.lo);
      if (x.r.hi > max) max = x.r.hi;
    }
    if (max < 0n) continue;
    const starts = [...cuts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    starts.forEach((lo, i) => {
      const hi = i + 1 < starts.length ? starts[i + 1] - 1n : max;
      const find = (list: typeof b) => list.find((x) => x.r.family === family && x.r.lo <= lo && hi <= x.r.hi)?.id;
      out.push({ id: rangeLabel(family, lo, hi), range: { family, lo, hi }, before: find(b), after: find(a) });
    });
  }
  return out;
}
