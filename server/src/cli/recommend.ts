// `policy-lens recommend`: least-privilege policy from observed flows, verified with the engine.
//   policy-lens recommend FLOWFILE... --manifests PATH... [--dialect kubernetes|calico|cnp] [--staged]
// The policy YAML goes to stdout, the summary (what was used, left out, the verification) to stderr.
import { describeConns } from '../core/explain/format';
import { recommendPolicies } from '../core/flows/recommend';
import { ConnSet } from '../core/index';
import { parseFlowArgs, startInputs } from './flows';
import type { CliIO } from './main';

export const RECOMMEND_USAGE = `  policy-lens recommend FLOWFILE... --manifests PATH... [--dialect kubernetes|calico|cnp] [--staged]
                        [--cnp-tier baseline|admin]

  --dialect   kubernetes (NetworkPolicy, default), calico (projectcalico.org/v3 NetworkPolicy) or cnp
              (ClusterNetworkPolicy v1alpha2, Baseline tier)
  --staged    Calico StagedNetworkPolicy (not enforced; preview it with the panel's what-if mode)
  --cnp-tier  baseline (default: never overrides NetworkPolicies) or admin (decided before them)
  Exit codes: 0 verified (or not verifiable, said on stderr), 1 the verification found violations, 2 usage.
`;

export async function recommendCommand(rest: string[], io: CliIO): Promise<number> {
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage:\n${RECOMMEND_USAGE}`);
    return 0;
  }
  const args = parseFlowArgs(rest, 'recommend');
  if (typeof args === 'string') {
    io.err(`policy-lens recommend: ${args}\nUsage:\n${RECOMMEND_USAGE}`);
    return 2;
  }
  if (args.staged && args.dialect && args.dialect !== 'calico') {
    io.err(`policy-lens recommend: --staged writes Calico StagedNetworkPolicy; it cannot be combined with --dialect ${args.dialect}\n`);
    return 2;
  }
  const inputs = await startInputs(args, io);
  if (!inputs) return 2;
  const { m, reading } = inputs;
  const { agg, ok } = await reading;
  if (!ok) return 2;
  if (args.cnpTier && args.dialect !== 'cnp') {
    io.err('policy-lens recommend: --cnp-tier goes with --dialect cnp\n');
    return 2;
  }
  const rec = recommendPolicies(agg, m.files, { dialect: args.dialect as 'kubernetes' | 'calico' | 'cnp' | undefined, staged: args.staged, cnpTier: args.cnpTier, defaultNamespace: args.defaultNamespace, analyze: args.analyze });
  io.out(rec.yaml);
  const v = rec.verification;
  const lines: string[] = [];
  lines.push(`policy-lens recommend: ${rec.objects.length} ${rec.staged ? 'staged ' : ''}${rec.dialect} policies for ${rec.workloads.length} workloads from ${rec.flowsUsed} observed allowed flows (${agg.records} records)`);
  for (const s of rec.skipped) lines.push(`  left out: ${s.src} => ${s.dst} ${s.protocol}${s.port !== undefined ? ` ${s.port}` : ''}: ${s.reason}`);
  for (const w of rec.warnings) lines.push(`  warning: ${w}`);
  if (v.status === 'not-verified') lines.push(`  NOT VERIFIED: ${v.reason}`);
  else {
    lines.push(
      `  verification: ${v.status === 'verified' ? 'verified' : 'VIOLATIONS'} — ${v.checkedFlows} observed flows stay allowed${v.missing.length ? ` except ${v.missing.length}` : ''}; ${v.checkedPairs} endpoint pairs checked, ${v.widened.length} newly allowed beyond the observed flows and DNS${v.unverifiable ? `; ${v.unverifiable} flows between pods of one workload cannot be checked by the engine` : ''}`,
    );
    for (const x of v.missing) lines.push(`  not allowed: ${x.src} => ${x.dst} ${x.protocol}${x.port !== undefined ? ` ${x.port}` : ''}${x.why ? ` (${x.why})` : ''}`);
    for (const x of v.widened) lines.push(`  newly allowed: ${x.src} => ${x.dst} : ${describeConns(x.protocols)}`);
    lines.push(`  matrix diff: ${rec.diff.removed.length} endpoint pairs lose connections (least-privilege gain), ${rec.diff.added.length} gain some`);
  }
  io.err(`${lines.join('\n')}\n`);
  return v.status === 'violations' ? 1 : 0;
}
