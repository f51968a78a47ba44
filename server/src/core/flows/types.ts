// Observed traffic (flow logs) in one normalised shape, whatever the source: Calico Whisker (`GET /flows`), Calico
// Goldmane (`Flow` messages of goldmane/proto/api.proto as JSON) or Cilium Hubble (`hubble observe -o jsonpb`).
// Pure types: no vscode / LSP / Node imports (core purity invariant). The field sources are documented in
// test/fixtures/flows/README.md and docs/flows.md.
import type { Labels } from '../model';
import type { ProtocolPorts } from '../reach-types';

export type FlowFormat = 'whisker' | 'goldmane' | 'hubble';
export const FLOW_FORMATS: readonly FlowFormat[] = ['whisker', 'goldmane', 'hubble'];

/** What the dataplane did with the flow. */
export type ObservedVerdict = 'allowed' | 'denied';
/** What the engine says; `uncertain` when the record lacks what the decision needs (see docs/flows.md). */
export type PredictedVerdict = 'allowed' | 'denied' | 'uncertain';

/** A policy the dataplane reported for a flow (Calico PolicyHit, Hubble *_allowed_by / *_denied_by). */
export interface ReportedPolicy {
  /** Kind as the dataplane names it: Calico PolicyKind (NetworkPolicy, GlobalNetworkPolicy, EndOfTier, Profile, …);
   * Hubble Policy.kind (CiliumNetworkPolicy, NetworkPolicy, …). */
  kind?: string;
  namespace?: string;
  name: string;
  tier?: string;
  /** Calico: Allow, Deny or Pass; Hubble: allow or deny (from the list it came from). */
  action?: string;
  /** 0-based rule index (Calico; -1 for the end of a tier). */
  ruleIndex?: number;
  /** Order of the policy among those traversed (Calico). */
  policyIndex?: number;
  /** Hubble: which side's policy (`egress_allowed_by` → egress). Calico: the reporter's side. */
  direction?: 'ingress' | 'egress';
  /** Calico `pending` (what staged policies would do), as opposed to `enforced`. */
  pending?: boolean;
  /** Calico EndOfTier: the first policy that selected the flow and so triggered the tier's end action. */
  trigger?: string;
}

/** One end of an observed flow, as the record describes it (before it is mapped to the manifests). */
export interface FlowEnd {
  /**
   * `workload`: a pod (by pod name, GenerateName prefix or owning workload); `address`: an IP address outside the
   * known pods; `network`: Calico's `pub` / `pvt` (no address recorded); `networkset`: a Calico (Global)NetworkSet by
   * name; `host`: a node / host endpoint; `named`: a Calico name whose endpoint type the record does not carry
   * (Whisker drops source_type/dest_type); `unknown`: nothing usable.
   */
  type: 'workload' | 'address' | 'network' | 'networkset' | 'host' | 'named' | 'unknown';
  namespace?: string;
  /** An exact pod name (Hubble pod_name, a Calico name of a pod without GenerateName). */
  podName?: string;
  /** A GenerateName prefix (a Calico aggregated name `frontend-7d4b9c-*` gives `frontend-7d4b9c-`). */
  prefix?: string;
  /** The owning workload (Hubble `workloads[0]`). */
  workload?: { name: string; kind?: string };
  /** Network set / host / Calico name as written. */
  name?: string;
  /** Pod labels as the record gives them (prefixes such as Hubble's `k8s:` removed). */
  labels?: Labels;
  /** Calico: the labels are the intersection over all aggregated pods, not one pod's labels. */
  labelsPartial?: boolean;
  /** Hubble: the label list as recorded, turned into `labels` when the aggregation first keeps this end. */
  rawLabels?: string[];
  address?: string;
  network?: 'pub' | 'pvt';
  /** Extra words for reports (e.g. `reserved:host`). */
  note?: string;
}

/** One record of a flow file after normalisation. */
export interface FlowRecord {
  format: FlowFormat;
  src: FlowEnd;
  dst: FlowEnd;
  /** TCP, UDP, SCTP, ICMP, ICMPv6, or a protocol number as a string. */
  protocol: string;
  /** Destination port; for ICMP/ICMPv6 the value type*256+code; undefined when the record does not say. */
  port?: number;
  verdict: ObservedVerdict;
  /** Hubble AUDIT: policy would deny, audit mode let it pass. The verdict is `denied`. */
  audit?: boolean;
  /** Which end reported it: the source (egress; Calico reporter Src, Hubble EGRESS) or the destination. */
  side: 'src' | 'dst' | 'unknown';
  /** How many connections (or packets, see `weight`) the record stands for; at least 1. */
  count: number;
  /** `connection`: the record counts connections (Calico flows, Hubble policy-verdict and drop events);
   * `packet`: it counts packets (Hubble trace events), used only where no connection-level record exists. */
  weight: 'connection' | 'packet';
  /** Time window in epoch milliseconds. */
  start?: number;
  end?: number;
  policies: ReportedPolicy[];
  /** Calico: the action the pending (staged) policies would take. */
  pendingVerdict?: ObservedVerdict;
}

/** What normalising one record gave. `skip` records are not flows (replies, L7 duplicates, node status …). */
export type NormaliseResult =
  | { record: FlowRecord }
  | { skip: string; silent?: boolean }
  | { error: string };

/** A record that could not be used, reported (never silently dropped). */
export interface UnmatchedRecord {
  file: string;
  /** 1-based line of the first such record. */
  line: number;
  reason: string;
  /** How many records had this reason in this file. */
  count: number;
}

/** Per input file. */
export interface FlowFileSummary {
  file: string;
  /** The format(s) recognised in the file. */
  formats: FlowFormat[];
  records: number;
  /** Records that were not flows (replies, L7 duplicates, status lines), by reason. */
  skipped: Record<string, number>;
  /** Records that could not be read or mapped. */
  unmatched: number;
}

/** One aggregated observed flow, classified against the manifests. */
export interface ClassifiedFlow {
  /** Endpoint id as `reach` prints it when the end maps to exactly one endpoint; otherwise the name the record
   * gives (`pvt`, `shop/web-*`) and `srcCandidates` lists the endpoints it may be. */
  src: string;
  dst: string;
  srcCandidates?: string[];
  dstCandidates?: string[];
  protocol: string;
  /** Destination port (ICMP: type*256+code); absent when the records did not say. */
  port?: number;
  count: number;
  observed: ObservedVerdict;
  predicted: PredictedVerdict;
  baseline?: PredictedVerdict;
  change?: 'newly-blocked' | 'newly-allowed' | null;
  /** The engine's verdict differs from the observed one (both certain). */
  disagreement?: boolean;
  /** Why `predicted` (or `baseline`) is uncertain. */
  uncertain?: string[];
  /** Hubble AUDIT records: policy would deny, audit mode let the traffic pass. */
  audit?: boolean;
  /** The dataplane's side of the story: the policies it reported. */
  reported?: ReportedPolicy[];
  /** Calico: what the pending (staged) policies would have done. */
  pending?: ObservedVerdict | 'mixed';
  /** Time window (epoch ms). */
  firstSeen?: number;
  lastSeen?: number;
  formats: FlowFormat[];
  /** Where the first record of this flow is. */
  origin: { file: string; line: number };
  /** Notes on how the ends were mapped (e.g. "matched by labels"). */
  notes?: string[];
}

export interface UnobservedPair {
  src: string;
  dst: string;
  /** What the engine allows between the pair. */
  protocols: ProtocolPorts;
}

export interface FlowReport {
  flows: ClassifiedFlow[];
  unmatched: UnmatchedRecord[];
  unobserved: UnobservedPair[];
  /** Set when more pairs than `unobservedLimit` were never observed: they are counted (summary), not listed. */
  unobservedOmitted?: boolean;
  files: FlowFileSummary[];
  summary: FlowSummary;
}

export interface FlowSummary {
  records: number;
  flows: number;
  observedAllowed: number;
  observedDenied: number;
  /** Observed and predicted the same. */
  agree: number;
  disagree: number;
  uncertain: number;
  unmatchedRecords: number;
  unobservedPairs: number;
  newlyBlocked?: number;
  newlyAllowed?: number;
}
