// IPv4 / IPv6 CIDR parsing and address-interval helpers. Addresses are bigint so one code path serves both families.

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** First address (network address). */
  lo: bigint;
  /** Last address (broadcast). */
  hi: bigint;
  prefix: number;
  /** True when host bits were set (e.g. 10.0.0.1/8): the API server accepts it but it is usually a typo. */
  hostBitsSet: boolean;
}

export function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function parseIPv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const dbl = s.split('::');
  if (dbl.length > 2) return undefined;
  const parseGroups = (x: string): number[] | undefined => {
    if (x === '') return [];
    const gs = x.split(':');
    const out: number[] = [];
    for (let i = 0; i < gs.length; i++) {
      const g = gs[i];
      if (i === gs.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(dbl[0]);
  const tail = dbl.length === 2 ? parseGroups(dbl[1]) : [];
  if (!head || !tail) return undefined;
  let groups: number[];
  if (dbl.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array(fill).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Parses `a.b.c.d/n` or an IPv6 CIDR. Returns an error message on failure. */
export function parseCidr(s: string): Cidr | string {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s.trim());
  if (!m) return `"${s}" is not a CIDR (expected address/prefix, e.g. 10.0.0.0/16)`;
  const prefix = Number(m[2]);
  const v4 = parseIPv4(m[1]);
  if (v4 !== undefined) {
    if (prefix > 32) return `prefix length ${prefix} is larger than 32 for an IPv4 CIDR`;
    return fromAddr(4, v4, prefix, 32);
  }
  const v6 = parseIPv6(m[1]);
  if (v6 !== undefined) {
    if (prefix > 128) return `prefix length ${prefix} is larger than 128 for an IPv6 CIDR`;
    return fromAddr(6, v6, prefix, 128);
  }
  return `"${m[1]}" is not a valid IPv4 or IPv6 address`;
}

function fromAddr(family: Family, addr: bigint, prefix: number, bits: number): Cidr {
  const hostBits = BigInt(bits - prefix);
  const mask = (1n << hostBits) - 1n;
  const lo = addr & ~mask & ((1n << BigInt(bits)) - 1n);
  return { family, lo, hi: lo | mask, prefix, hostBitsSet: (addr & mask) !== 0n };
}

export function formatIPv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
}

export function formatIPv6(v: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // compress the longest run of zero groups
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function formatAddr(family: Family, v: bigint): string {
  return family === 4 ? formatIPv4(v) : formatIPv6(v);
}

export const FAMILY_MAX: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

/** Address range label used for external endpoints, e.g. `10.0.0.0-10.255.255.255`. */
export function rangeLabel(family: Family, lo: bigint, hi: bigint): string {
  return `${formatAddr(family, lo)}-${formatAddr(family, hi)}`;
}

/** An IP address (a one-address interval) or a CIDR as an address interval; undefined for anything else. */
export function addressInterval(text: string): { family: Family; lo: bigint; hi: bigint } | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, lo: v4, hi: v4 };
  const v6 = parseIPv6(text);
  if (v6 !== undefined) return { family: 6, lo: v6, hi: v6 };
  const c = parseCidr(text);
  return typeof c === 'string' ? undefined : { family: c.family, lo: c.lo, hi: c.hi };
}
