// Kubernetes name and label formats, as the API server validates them (k8s.io/apimachinery/pkg/util/validation:
// IsDNS1123Label, IsDNS1123Subdomain, IsQualifiedName, IsValidLabelValue; documented in
// https://kubernetes.io/docs/concepts/overview/working-with-objects/names/ and
// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set). Shared by the
// dialects' parsers and lints. Pure.

const LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
export const DNS1123_LABEL_RE = new RegExp(`^${LABEL_FMT}$`);
export const DNS1123_SUBDOMAIN_RE = new RegExp(`^${LABEL_FMT}(\\.${LABEL_FMT})*$`);
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Why `key` is not a valid label key (`[prefix/]name`), or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'a label key has at most one "/"';
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN_RE.test(prefix)) return `prefix "${prefix}" must be a lower-case DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63) return 'the name part must be 1-63 characters';
  if (!QUALIFIED_NAME_RE.test(name)) return 'the name part must start and end with a letter or digit and contain only letters, digits, "-", "_" and "."';
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is (the empty value is valid). */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE_RE.test(value)) return 'at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  return undefined;
}

/** Why `name` is not a DNS-1123 label (namespace names), or undefined. */
export function dns1123LabelProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 63 || !DNS1123_LABEL_RE.test(name)) return 'at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit';
  return undefined;
}

/** Why `name` is not a DNS-1123 subdomain (most object names), or undefined. */
export function dns1123SubdomainProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 253 || !DNS1123_SUBDOMAIN_RE.test(name)) return 'at most 253 lower-case letters, digits, "-" or ".", each part starting and ending with a letter or digit';
  return undefined;
}
