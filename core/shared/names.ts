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
