/**
 * The few Go-template expressions of an ApplicationSet git directory generator that the catalog
 * accepts in its values (Application names, namespaces, labels, annotations), and their values for
 * one directory, so generate knows what every Application will be without running Argo CD.
 *
 * The generator's parameters for a directory `a/b/c` (argo-cd applicationset/generators/git.go,
 * generateParamsFromApps, goTemplate: true): `.path.path` = `a/b/c`, `.path.basename` = `c`,
 * `.path.segments` = `[a, b, c]`.
 */

/** Whether a value holds a Go template action: it is rendered by the ApplicationSet controller. */
export function isGoTemplate(value: string): boolean {
  return value.includes("{{");
}

/** The expressions generate can evaluate, as written in messages. */
export const SUPPORTED_EXPRESSIONS =
  "{{.path.path}}, {{.path.basename}} and {{index .path.segments N}} (spaces inside the braces are fine)";

const ACTION = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SEGMENT = /^index\s+\.path\.segments\s+(\d+)$/;

/** Why a templated value cannot be evaluated, or undefined when every action is supported. */
export function goTemplateProblem(value: string): string | undefined {
  const stripped = value.replace(ACTION, (whole, expression: string) =>
    expression === ".path.path" || expression === ".path.basename" || SEGMENT.test(expression) ? "" : whole,
  );
  if (!stripped.includes("{{") && !stripped.includes("}}")) return undefined;
  return `uses a Go template generate cannot evaluate; only ${SUPPORTED_EXPRESSIONS} are supported`;
}

/**
 * The value a templated string has for one generator directory. Throws when an index is past the
 * path's segments (the controller's missingkey=error fails the same way); call goTemplateProblem first.
 */
export function renderGoTemplate(
  value: string,
  path: string,
  escape: (text: string) => string = (t) => t,
): string {
  if (!isGoTemplate(value)) return value;
  const segments = path.split("/");
  return value.replace(ACTION, (_whole: string, expression: string) => {
    if (expression === ".path.path") return escape(path);
    if (expression === ".path.basename") return escape(segments[segments.length - 1] ?? "");
    const index = SEGMENT.exec(expression)?.[1];
    // Anything else is left as written (goTemplateProblem refuses it where it matters).
    if (index === undefined) return _whole;
    const segment = segments[Number(index)];
    if (segment === undefined) {
      throw new RangeError(
        `{{${expression}}}: ${path} has only ${segments.length} segments (0 to ${segments.length - 1})`,
      );
    }
    return escape(segment);
  });
}

/**
 * renderGoTemplate over a value's JSON text (every string and key at once): one pass over the
 * text instead of a walk of the object, for the thousands of apps of a large ApplicationSet.
 */
export function renderGoTemplateJson(json: string, path: string): string {
  return renderGoTemplate(json, path, (text) => JSON.stringify(text).slice(1, -1));
}

/** renderGoTemplate over every string of a JSON-like value. */
export function renderGoTemplates<T>(value: T, path: string): T {
  if (typeof value === "string") return renderGoTemplate(value, path) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => renderGoTemplates(v, path)) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [renderGoTemplate(k, path), renderGoTemplates(v, path)]),
    ) as T;
  }
  return value;
}
