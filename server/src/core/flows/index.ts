// Observed traffic: import Calico (Whisker, Goldmane) and Cilium (Hubble) flow logs, map them to the manifests,
// classify them against the engine, preview a change's impact on them, and recommend least-privilege policy.
export * from './types';
export { JsonRecordReader } from './reader';
export { detectFormat, normaliseRecord, normaliseProtocol } from './formats';
export { FlowAggregator, endKey, foldCounts } from './aggregate';
export type { AggregatorState } from './aggregate';
export { EndpointResolver, labelConflict, isControllerLabel } from './resolve';
export { classifyFlows, decide, flowConns, hasCalicoUniverse, unobservedPairs } from './classify';
export type { ClassifyOptions } from './classify';
