// Kubernetes label selector matching (metav1.LabelSelector).
// Spec: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/
// "The requirements are ANDed." "An empty label selector matches all objects. A null label selector matches no objects."
import type { Labels, LabelSelector } from './model';

export function selectorMatches(sel: LabelSelector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels)) if (labels[k] !== v) return false;
  for (const req of sel.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    switch (req.operator) {
      case 'In':
        if (!has || !req.values.includes(labels[req.key])) return false;
        break;
      case 'NotIn':
        // NotIn matches objects without the key too (labels.Selector semantics).
        if (has && req.values.includes(labels[req.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export function isEmptySelector(sel: LabelSelector): boolean {
  return Object.keys(sel.matchLabels).length === 0 && sel.matchExpressions.length === 0;
}

/** Human-readable form: `app=web, tier in (a,b), !legacy`; `(all)` for the empty selector. */
export function describeSelector(sel: LabelSelector): string {
  const parts: string[] = Object.entries(sel.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const r of sel.matchExpressions) {
    switch (r.operator) {
      case 'In':
        parts.push(r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`);
        break;
      case 'NotIn':
        parts.push(r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(',')})`);
        break;
      case 'Exists':
        parts.push(r.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${r.key}`);
        break;
    }
  }
  return parts.length ? parts.join(', ') : '(all)';
}

/** A stable key for caching selector results. */
export function selectorKey(sel: LabelSelector): string {
  const ml = Object.keys(sel.matchLabels)
    .sort()
    .map((k) => `${k}=${sel.matchLabels[k]}`)
    .join(',');
  const me = sel.matchExpressions.map((r) => `${r.key} ${r.operator} ${[...r.values].sort().join('|')}`).sort().join(';');
  return `${ml}#${me}`;
}
