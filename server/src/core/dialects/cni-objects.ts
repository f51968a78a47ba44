// Objects that tell which CNI runs the cluster, recorded while parsing (core/policy/cni.ts decides from them):
// * Cilium: the cilium-config ConfigMap (the agent configuration) and every cilium.io object;
// * Calico: an operator.tigera.io Installation, the kube-system/calico-config ConfigMap and every
//   projectcalico.org / crd.projectcalico.org object (modelled Calico kinds are in Cluster.calico).
// Pure.
import type { YAMLMap } from 'yaml';
import { isMap } from 'yaml';
import type { Cluster } from '../model';
import { getNode, getString, metaNameRange, type ParseContext } from '../yaml';
import { isCiliumApiVersion, parseCiliumConfigMap, parseCiliumObject } from './cilium/parse';

/**
 * Records a CNI object. Returns true when the object is fully handled here (cilium.io objects); false when the
 * usual parsing continues (ConfigMaps, Calico objects).
 */
export function recordCniObject(obj: YAMLMap, ctx: ParseContext, cluster: Cluster, apiVersion: string, kind: string): boolean {
  if (isCiliumApiVersion(apiVersion)) return parseCiliumObject(obj, ctx, cluster, apiVersion, kind);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const mark = (cni: 'cilium' | 'calico', what: string, strong: boolean) => {
    const meta = getNode(obj, 'metadata');
    const range = (strong ? metaNameRange(ctx, meta && isMap(meta) ? meta : undefined, obj) : undefined) ?? ctx.rangeOf(getNode(obj, 'kind')) ?? ctx.rangeOf(obj);
    if (range) (cluster.cniMarkers ??= []).push({ cni, what, strong, range });
  };
  if (kind === 'ConfigMap' && (apiVersion === 'v1' || apiVersion === '')) {
    const meta = getNode(obj, 'metadata');
    const m = meta && isMap(meta) ? meta : undefined;
    const name = m ? getString(ctx, m, 'name') : undefined;
    const ns = (m ? getString(ctx, m, 'namespace') : undefined) ?? ctx.defaultNamespace;
    if (name === 'cilium-config') parseCiliumConfigMap(obj, ctx, cluster, ns);
    else if (name === 'calico-config' && ns === 'kube-system') mark('calico', 'ConfigMap kube-system/calico-config', true);
    return false;
  }
  if (group === 'operator.tigera.io' && kind === 'Installation') mark('calico', `Installation ${apiVersion}`, true);
  else if (group === 'crd.projectcalico.org') mark('calico', `${kind} (${apiVersion})`, false);
  else if (group === 'projectcalico.org') mark('calico', `${kind} (${apiVersion})`, false);
  return false;
}
