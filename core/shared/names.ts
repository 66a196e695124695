/**
 * Name rules shared by stack config, the catalog and every object we build.
 * Kubernetes object and namespace names must be RFC 1123 labels; we check them before anything is
 * registered or written, so a bad name fails with our message instead of an API server rejection.
 */

/** RFC 1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63. */
export const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `value` is not an RFC 1123 label, or undefined when it is one. */
export function rfc1123LabelProblem(value: string): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.length > 63) return `is ${value.length} characters long; an RFC 1123 label has at most 63`;
  if (!RFC1123_LABEL.test(value)) {
    return "must be an RFC 1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit";
  }
  return undefined;
}

/** Whether `value` is an RFC 1123 label. */
export function isRfc1123Label(value: string): boolean {
  return rfc1123LabelProblem(value) === undefined;
}

/** A lower-case DNS name: dot-separated RFC 1123 labels, at most 253 characters. */
export const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

// Label and annotation rules, as the API server checks them (k8s.io/apimachinery
// pkg/util/validation IsQualifiedName and IsValidLabelValue; pkg/api/validation ValidateAnnotations).

/** The name part of a qualified name, and a non-empty label value. */
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** A DNS-1123 subdomain: lower-case labels joined by '.', at most 253 characters. */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_RULE =
  "letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters";

/** Why `key` is not a qualified name (`name` or `prefix/name`), or undefined. */
function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "has more than one '/': use name or prefix/name, such as example.com/tier";
  const [prefix, name = ""] = parts.length === 2 ? parts : [undefined, parts[0] ?? ""];
  if (prefix !== undefined) {
    if (prefix === "") return "has an empty prefix before '/'";
    if (prefix.length > 253) return `has a prefix of ${prefix.length} characters; at most 253`;
    if (!DNS1123_SUBDOMAIN.test(prefix)) {
      return "has a prefix that is not a DNS subdomain (lower-case letters, digits, '-' and '.', such as example.com)";
    }
  }
  if (name === "") return "has an empty name";
  if (name.length > 63) return `has a name part of ${name.length} characters; at most 63`;
  if (!QUALIFIED_NAME.test(name)) return `has a name part that is not ${NAME_RULE}`;
  return undefined;
}

/** Why `key` is not a Kubernetes label key, or undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  return qualifiedNameProblem(key);
}

/** Why `value` is not a Kubernetes label value (empty, or a name of at most 63 characters), or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63) return `is ${value.length} characters long; a label value has at most 63`;
  if (!QUALIFIED_NAME.test(value)) return `is not a label value: empty, or ${NAME_RULE}`;
  return undefined;
}

/** Why `key` is not a Kubernetes annotation key (a qualified name; case does not matter), or undefined. */
export function annotationKeyProblem(key: string): string | undefined {
  return qualifiedNameProblem(key.toLowerCase());
}

/** The API server refuses an object whose annotations (keys and values) exceed 256 KiB in total. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** Why a set of annotations is too large, or undefined. */
export function annotationsSizeProblem(annotations: Readonly<Record<string, string>>): string | undefined {
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    total += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  return total > MAX_ANNOTATIONS_BYTES
    ? `are ${total} bytes in total; the API server accepts at most ${MAX_ANNOTATIONS_BYTES}`
    : undefined;
}
