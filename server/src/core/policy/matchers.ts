// Matchers shared by every dialect: address blocks (CIDRs with exceptions), "everything", "nothing", and a
// generic predicate matcher that dialects use for their own selector languages.
import { parseIPv4, parseIPv6, type Family } from '../ip';
import type { Workload } from '../model';
import type { AddressAtom, Matcher, WorldView } from './ir';

export interface AddressBlock {
  family: Family;
  lo: bigint;
  hi: bigint;
  except: { lo: bigint; hi: bigint }[];
}

function blockKey(b: AddressBlock): string {
  return `${b.family}:${b.lo.toString(16)}-${b.hi.toString(16)}${b.except.length ? `\\${b.except.map((e) => `${e.lo.toString(16)}-${e.hi.toString(16)}`).join(',')}` : ''}`;
}

/** Does the block contain every address of the atom? */
export function blockContains(b: AddressBlock, a: { family: Family; lo: bigint; hi: bigint }): boolean {
  return b.family === a.family && b.lo <= a.lo && a.hi <= b.hi && !b.except.some((e) => e.lo <= a.lo && a.hi <= e.hi);
}

const podAddressCache = new Map<string, { family: Family; value: bigint } | null>();

/** A pod IP as an address (memoised; null when the text is not an address). */
export function podAddress(ip: string): { family: Family; value: bigint } | null {
  let a = podAddressCache.get(ip);
  if (a === undefined) {
    const v4 = parseIPv4(ip);
    const v6 = v4 === undefined ? parseIPv6(ip) : undefined;
    a = v4 !== undefined ? { family: 4, value: v4 } : v6 !== undefined ? { family: 6, value: v6 } : null;
    if (podAddressCache.size > 100_000) podAddressCache.clear();
    podAddressCache.set(ip, a);
  }
  return a;
}

const WHOLE_V4 = { family: 4 as Family, lo: 0n, hi: (1n << 32n) - 1n };

/**
 * Where a workload's pod IPs lie relative to a predicate on addresses: 'all' inside, 'out' (none inside) or 'split'
 * (some inside, some not: the workload cannot be matched as a whole). A workload whose pods carry no IP in the
 * manifests (e.g. a Deployment) is 'out', unless `unknownIsIpv4` says to assume it has some IPv4 address: then it
 * is inside exactly when the whole IPv4 space is (a block such as 0.0.0.0/0, which covers every pod whatever its
 * address).
 */
export function podIpsIn(w: Workload, inside: (a: { family: Family; lo: bigint; hi: bigint }) => boolean, unknownIsIpv4 = false): 'all' | 'out' | 'split' {
  if (!w.ips || w.ips.length === 0) return unknownIsIpv4 && inside(WHOLE_V4) ? 'all' : 'out';
  let yes = 0;
  let no = 0;
  for (const ip of w.ips) {
    const a = podAddress(ip);
    if (!a) continue;
    if (inside({ family: a.family, lo: a.value, hi: a.value })) yes++;
    else no++;
  }
  if (yes + no === 0) return unknownIsIpv4 && inside(WHOLE_V4) ? 'all' : 'out';
  return no === 0 ? 'all' : yes === 0 ? 'out' : 'split';
}

/**
 * External addresses in any of the blocks. `matchesDomains`: whether a named external destination (a DNS name of
 * unknown address) counts as inside; only a block covering a whole address family can say so.
 * With `pods`, workloads match too when every one of their pod IPs (Workload.ips) is inside a block; a workload
 * without known IPs only when a block covers all of IPv4 (0.0.0.0/0 covers every pod: the ClusterNetworkPolicy API
 * says such a peer also applies to all pod-to-pod traffic; narrower blocks cannot be decided without the IP and do
 * not match); a workload with IPs on both sides of a block does not match, and the lints report it.
 */
export function addressMatcher(blocks: AddressBlock[], tag = 'addr', opts: { pods?: boolean } = {}): Matcher {
  const key = `${tag}${opts.pods ? '+pods' : ''}|${blocks.map(blockKey).sort().join('|')}`;
  const whole = blocks.some((b) => b.except.length === 0 && b.lo === 0n && b.hi === (b.family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n));
  const inside = (a: { family: Family; lo: bigint; hi: bigint }) => blocks.some((b) => blockContains(b, a));
  const wl = (w: Workload) => podIpsIn(w, inside, true) === 'all';
  return {
    key,
    workloads: opts.pods
      ? (world) => {
          const out: number[] = [];
          world.workloads.forEach((w, i) => {
            if (wl(w)) out.push(i);
          });
          return out;
        }
      : () => [],
    matchesWorkload: opts.pods ? (world, i) => wl(world.workloads[i]) : () => false,
    matchesAtom: inside,
    matchesDomain: () => whole,
    boundaries: () => blocks.flatMap((b) => [{ family: b.family, lo: b.lo, hi: b.hi }, ...b.except.map((e) => ({ family: b.family, lo: e.lo, hi: e.hi }))]),
  };
}

/** Matches nothing (an invalid peer the API server would reject, an empty peer list, ...). */
export const NOTHING: Matcher = {
  key: 'nothing',
  workloads: () => [],
  matchesWorkload: () => false,
  matchesAtom: () => false,
  matchesDomain: () => false,
};

/** Every workload of the world (not external addresses). */
export const ALL_WORKLOADS: Matcher = {
  key: 'all-workloads',
  workloads: (w) => w.workloads.map((_, i) => i),
  matchesWorkload: () => true,
  matchesAtom: () => false,
  matchesDomain: () => false,
};

/** Named external destinations (DNS names), e.g. ClusterNetworkPolicy `domainNames`. */
export function domainMatcher(patterns: string[], tag = 'dns'): Matcher {
  const norm = patterns.map((p) => p.toLowerCase().replace(/\.$/, ''));
  return {
    key: `${tag}|${[...norm].sort().join(',')}`,
    workloads: () => [],
    matchesWorkload: () => false,
    matchesAtom: () => false,
    matchesDomain: (d) => norm.some((p) => domainMatches(p, d.toLowerCase())),
    domains: () => norm,
  };
}

/** `*.example.com` matches `a.example.com` and `a.b.example.com` but not `example.com`; otherwise exact. */
export function domainMatches(pattern: string, domain: string): boolean {
  if (pattern.startsWith('*.')) return domain.endsWith(pattern.slice(1)) && domain.length > pattern.length - 1;
  return pattern === domain;
}

/**
 * A matcher from a workload predicate. `namespaces`, when given, lists the only namespaces whose workloads can
 * match (evaluated through the world's namespace index instead of a full scan).
 */
export function workloadMatcher(
  key: string,
  pred: (w: Workload, world: WorldView) => boolean,
  opts: { namespaces?: (world: WorldView) => string[]; atom?: (a: AddressAtom) => boolean; domain?: (d: string) => boolean; boundaries?: Matcher['boundaries'] } = {},
): Matcher {
  return {
    key,
    workloads(world) {
      const out: number[] = [];
      if (opts.namespaces) {
        for (const ns of opts.namespaces(world)) for (const i of world.byNamespace.get(ns) ?? []) if (pred(world.workloads[i], world)) out.push(i);
        return out.sort((a, b) => a - b);
      }
      world.workloads.forEach((w, i) => {
        if (pred(w, world)) out.push(i);
      });
      return out;
    },
    matchesWorkload(world, i) {
      const w = world.workloads[i];
      if (opts.namespaces && !opts.namespaces(world).includes(w.namespace)) return false;
      return pred(w, world);
    },
    matchesAtom: opts.atom ?? (() => false),
    matchesDomain: opts.domain,
    boundaries: opts.boundaries,
  };
}

/** Any of several matchers (a rule's peer list flattened into one matcher, e.g. for a policy subject). */
export function anyOf(ms: Matcher[]): Matcher {
  if (ms.length === 1) return ms[0];
  if (ms.length === 0) return NOTHING;
  const keys = ms.map((m) => m.key).sort();
  return {
    key: `any(${keys.join(';')})`,
    workloads(world) {
      const s = new Set<number>();
      for (const m of ms) for (const i of m.workloads(world)) s.add(i);
      return [...s].sort((a, b) => a - b);
    },
    matchesWorkload: (world, i) => ms.some((m) => m.matchesWorkload(world, i)),
    matchesAtom: (a) => ms.some((m) => m.matchesAtom(a)),
    matchesDomain: (d) => ms.some((m) => m.matchesDomain?.(d) ?? false),
    boundaries: () => ms.flatMap((m) => m.boundaries?.() ?? []),
    domains: () => ms.flatMap((m) => m.domains?.() ?? []),
  };
}
