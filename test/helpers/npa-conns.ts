// netpol-analyzer's connection text, shared by the connlist and diff conformance tests.
import { ConnSet } from '../../server/src/core/index';

/** Parses netpol-analyzer's connection text ("All Connections", "TCP 80,9090,UDP 53", "SCTP 1-9002,9004-65535"). */
export function parseConns(s: string): ConnSet {
  if (s.trim() === 'All Connections') return ConnSet.ALL;
  let acc = ConnSet.EMPTY;
  let proto = '';
  for (const tok of s.split(',')) {
    const m = /^\s*(?:(TCP|UDP|SCTP)\s+)?(\d+)(?:-(\d+))?\s*$/.exec(tok);
    if (!m) throw new Error(`cannot parse connection token "${tok}" in "${s}"`);
    if (m[1]) proto = m[1];
    acc = acc.union(ConnSet.of(proto, Number(m[2]), Number(m[3] ?? m[2])));
  }
  return acc;
}
