/**
 * Drift detection (`.github/workflows/drift.yml`, docs/operations.md "Drift detection"): turns the
 * recorded output of `pulumi preview --refresh --expect-no-changes --json` for one stack into a
 * verdict (clean, drifted, or could not preview) and the text of the stack's drift issue.
 *
 * The JSON is Pulumi's `PreviewDigest` (pulumi/pulumi pkg/display/json.go, filled in by
 * pkg/backend/display/json.go `ShowPreviewDigest`): `steps[]` with `op`, `urn`, `diffReasons`,
 * `replaceReasons` and `detailedDiff` (property path → `{ kind, inputDiff }`), `diagnostics[]` with
 * `severity`, and `changeSummary` (op → count). A refresh step whose resource changed out of band is
 * rewritten there to `update` (with its detailed diff) or `delete`, so the refresh's findings and
 * the plan's show up as the same kinds of steps.
 *
 * Only names reach the issue: resource types and names from URNs, property paths and operations.
 * Never a value (not even the `[secret]` placeholder Pulumi writes into `oldState`/`newState`, which
 * are never read), and never a diagnostic's message (a provider's error can quote what it sent).
 *
 * Pure: no Pulumi SDK (the compiled `drift-report` command runs it without loading one).
 */

/** What a drift check of one stack concluded. */
export type DriftState = "clean" | "drifted" | "unpreviewable";

/**
 * Why a stack could not be previewed. Never drift: a preview that failed says nothing about the
 * resources, so an open drift issue stays as it is and no new one is opened.
 * - `credentials`: a credential step of the job failed, or Pulumi or a provider refused the
 *   credentials (AWS role, KMS decrypt of the stack's secrets, Kubernetes or GitHub auth).
 * - `lock`: another update of the stack holds its lock.
 * - `error`: anything else (the program threw, a provider failed, the output is not Pulumi's JSON).
 */
export type UnpreviewableReason = "credentials" | "lock" | "error";

/** The label every drift issue carries; with the exact title it finds a stack's open issue. */
export const DRIFT_ISSUE_LABEL = "drift";

/** Step operations that change nothing (pulumi pkg/engine `HasChanges`, plus a refresh that found no difference). */
const NO_CHANGE_OPS: ReadonlySet<string> = new Set([
  "same",
  "read",
  "discard",
  "read-replacement",
  "refresh",
]);

/** How many resources, and property paths per resource, an issue lists before "and N more" (GitHub caps a body at 65536 characters). */
export const MAX_LISTED_RESOURCES = 50;
export const MAX_LISTED_PROPERTIES = 20;

/** One resource that differs, as the issue lists it. */
export interface DriftedResource {
  /** Pulumi type token, e.g. `aws:s3/bucketPolicy:BucketPolicy`. */
  type: string;
  /** The resource's name in the program (the URN's last segment). */
  name: string;
  /** What `pulumi up` would do, in the order Pulumi listed them, e.g. `["delete", "create"]` for a resource deleted by hand. */
  ops: string[];
  /** Property paths that differ (detailedDiff keys, else diffReasons and replaceReasons), sorted. */
  properties: string[];
}

/** The input: one stack's recorded preview. */
export interface DriftInput {
  stack: string;
  /** stdout of `pulumi preview --json` (empty when it failed before printing). */
  previewJson: string;
  /** Exit code of `pulumi preview`; only checked against the JSON, never trusted alone. */
  exitCode: number;
  /** stderr of `pulumi preview`, read only to tell a lock or credentials failure from another error; never copied. */
  stderr?: string;
  /** True when a step before the preview (AWS role, Tailscale, kubeconfig, stack file check) failed, so it did not run. */
  setupFailed?: boolean;
  /** Link to the workflow run, for the issue. */
  runUrl?: string;
  /** When the check ran (ISO 8601), for the issue. */
  checkedAt?: string;
}

/** The verdict and the issue text. */
export interface DriftReport {
  stack: string;
  state: DriftState;
  /** Set when `state` is `unpreviewable`. */
  reason?: UnpreviewableReason;
  /** Resources that differ (empty unless drifted). */
  resources: DriftedResource[];
  /** The drift issue's title: exact, so the workflow finds the stack's issue by label and title. */
  title: string;
  /** Markdown body of the drift issue (drifted), or of the closing comment (clean), or the log line (unpreviewable). */
  body: string;
  /** One line for the job log and summary. */
  summary: string;
}

/** The drift issue's title for `stack`. */
export function driftIssueTitle(stack: string): string {
  return `Drift: stack ${stack} differs from its Pulumi program`;
}

interface PreviewStepJson {
  op?: unknown;
  urn?: unknown;
  diffReasons?: unknown;
  replaceReasons?: unknown;
  detailedDiff?: unknown;
}

interface PreviewDigestJson {
  steps?: unknown;
  diagnostics?: unknown;
  changeSummary?: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

/** The digest, or undefined when the text is not one (empty, truncated, or another tool's output). */
function parseDigest(text: string): PreviewDigestJson | undefined {
  if (text.trim() === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed)) return undefined;
    if (parsed.steps !== undefined && !Array.isArray(parsed.steps)) return undefined;
    if (parsed.diagnostics !== undefined && !Array.isArray(parsed.diagnostics)) return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>`: the last type of the chain and the name. */
function typeAndName(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const chain = parts[2] ?? "";
  const name = parts.slice(3).join("::");
  const type = chain.split("$").pop() ?? chain;
  return { type: type === "" ? "(unknown type)" : type, name: name === "" ? urn : name };
}

/** The resources whose steps change something, merged by URN in first-seen order. */
function driftedResources(steps: unknown[]): DriftedResource[] {
  const byUrn = new Map<string, DriftedResource>();
  const properties = new Map<string, Set<string>>();
  for (const raw of steps) {
    if (!isRecord(raw)) continue;
    const step = raw as PreviewStepJson;
    const op = typeof step.op === "string" ? step.op : "";
    if (NO_CHANGE_OPS.has(op) || typeof step.urn !== "string") continue;
    let resource = byUrn.get(step.urn);
    if (resource === undefined) {
      resource = { ...typeAndName(step.urn), ops: [], properties: [] };
      byUrn.set(step.urn, resource);
      properties.set(step.urn, new Set());
    }
    if (op !== "" && !resource.ops.includes(op)) resource.ops.push(op);
    const paths = properties.get(step.urn) as Set<string>;
    // detailedDiff names exact paths (`spec.replicas`, `tags["owner"]`); the reasons only top-level keys.
    const detailed = isRecord(step.detailedDiff) ? Object.keys(step.detailedDiff) : [];
    const names =
      detailed.length > 0 ? detailed : [...stringList(step.diffReasons), ...stringList(step.replaceReasons)];
    for (const name of names) paths.add(name);
  }
  for (const [urn, resource] of byUrn) resource.properties = [...(properties.get(urn) ?? [])].sort();
  return [...byUrn.values()];
}

/** Error-severity diagnostics' messages: read to classify, never copied into the report. */
function errorMessages(digest: PreviewDigestJson): string[] {
  return (Array.isArray(digest.diagnostics) ? digest.diagnostics : [])
    .filter((d): d is Record<string, unknown> => isRecord(d) && d.severity === "error")
    .map((d) => (typeof d.message === "string" ? d.message : ""));
}

// Pulumi's DIY backend: "the stack is currently locked by 1 lock(s)".
const LOCK = /currently locked|locked by \d+ lock/i;
// AWS STS/SDK, KMS (the stack's secrets provider), Kubernetes and GitHub auth failures, and the
// passphrase prompt Pulumi falls back to without a secrets provider.
const CREDENTIALS =
  /AccessDenied|ExpiredToken|InvalidIdentityToken|InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|NoCredentialProviders|no valid credential|failed to refresh cached credentials|get credentials|failed to decrypt|unable to decrypt|decrypting secret|passphrase|Unauthorized|Forbidden|\b40[13]\b|Bad credentials|must be logged in|authentication/i;

function classifyFailure(texts: string[]): UnpreviewableReason {
  if (texts.some((t) => LOCK.test(t))) return "lock";
  if (texts.some((t) => CREDENTIALS.test(t))) return "credentials";
  return "error";
}

const REASON_TEXT: Record<UnpreviewableReason, string> = {
  credentials:
    "the job's credentials were refused or missing (AWS preview role, the stack's KMS key, Tailscale, or a provider's token)",
  lock: "another update of the stack holds its lock; the next run retries",
  error: "pulumi preview failed (see the run's log)",
};

/** Backticks end an inline code span early; property paths never need them. */
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;
/** A table cell: no pipes or line breaks. */
const cell = (text: string): string => text.replace(/[|\r\n]/g, " ");

function marker(stack: string): string {
  return `<!-- gitops-bootstrap drift-report stack=${cell(stack).replace(/-->/g, "")} -->`;
}

function context(input: DriftInput): string {
  const when = input.checkedAt === undefined ? "" : ` on ${input.checkedAt}`;
  const run = input.runUrl === undefined ? "" : ` ([run](${input.runUrl}))`;
  return `${when}${run}`;
}

function driftBody(input: DriftInput, resources: DriftedResource[]): string {
  const shown = resources.slice(0, MAX_LISTED_RESOURCES);
  const rows = shown.map((r) => {
    const listed = r.properties.slice(0, MAX_LISTED_PROPERTIES).map(code);
    const more = r.properties.length - listed.length;
    const props = listed.length === 0 ? "(whole resource)" : listed.join(", ");
    return `| ${cell(code(r.name))} | ${cell(code(r.type))} | ${r.ops.join(", ")} | ${cell(props)}${more > 0 ? ` and ${more} more` : ""} |`;
  });
  const hidden = resources.length - shown.length;
  return [
    marker(input.stack),
    `\`pulumi preview --refresh --expect-no-changes\` of stack **${input.stack}** found ${resources.length === 1 ? "1 resource that differs" : `${resources.length} resources that differ`} from what the program declares${context(input)}.`,
    "",
    "| resource | type | what `pulumi up` would do | properties that differ |",
    "| --- | --- | --- | --- |",
    ...rows,
    ...(hidden > 0 ? ["", `…and ${hidden} more resources.`] : []),
    "",
    "Only names are listed here, never values. To see the values: `pulumi preview --refresh --diff --stack " +
      input.stack +
      "` with credentials that can read the stack.",
    "",
    "To resolve: run `pulumi up --refresh` (the next push to the default branch does, through up.yml) to put the resources back as the program says, or change the program to match what was changed by hand. This issue is updated by every drift run and closed by the first run that finds the stack clean.",
  ].join("\n");
}

/**
 * The verdict for one stack's recorded preview, and the text for its drift issue.
 *
 * Decided by the JSON, with the exit code only as a cross-check (`--expect-no-changes` exits
 * nonzero both for changes and for errors: since Pulumi v3.226 (its exit-code taxonomy,
 * pkg/cmd/pulumi/cmd/exit_codes.go) 7 for changes and 1, 3 (authentication), 6 (no stack) … for
 * errors; before it 255 (`os.Exit(-1)`) for both):
 * - a setup step failed, or the output is not a digest: unpreviewable.
 * - any error diagnostic: unpreviewable, even if steps show changes (a failed preview is partial).
 * - steps that change something: drifted (also with exit code 0: a refresh found out-of-band
 *   changes the program does not set).
 * - no change, exit code 0: clean; no change but a nonzero exit code: unpreviewable (it failed
 *   without saying why in the JSON).
 */
export function driftReport(input: DriftInput): DriftReport {
  const title = driftIssueTitle(input.stack);
  const stderr = input.stderr ?? "";
  const unpreviewable = (reason: UnpreviewableReason): DriftReport => ({
    stack: input.stack,
    state: "unpreviewable",
    reason,
    resources: [],
    title,
    body: `${marker(input.stack)}\nStack **${input.stack}** could not be previewed${context(input)}: ${REASON_TEXT[reason]}. Not drift: this says nothing about its resources.`,
    summary: `${input.stack}: could not preview (${reason}): ${REASON_TEXT[reason]}`,
  });
  if (input.setupFailed === true) return unpreviewable("credentials");
  const digest = parseDigest(input.previewJson);
  if (digest === undefined) return unpreviewable(classifyFailure([stderr]));
  const errors = errorMessages(digest);
  if (errors.length > 0) return unpreviewable(classifyFailure([...errors, stderr]));
  const resources = driftedResources(Array.isArray(digest.steps) ? digest.steps : []);
  if (resources.length > 0) {
    return {
      stack: input.stack,
      state: "drifted",
      resources,
      title,
      body: driftBody(input, resources),
      summary: `${input.stack}: drifted: ${resources.length} resource${resources.length === 1 ? "" : "s"} (${resources
        .slice(0, 5)
        .map((r) => r.name)
        .join(", ")}${resources.length > 5 ? ", …" : ""})`,
    };
  }
  if (input.exitCode !== 0) return unpreviewable(classifyFailure([stderr]));
  return {
    stack: input.stack,
    state: "clean",
    resources: [],
    title,
    body: `${marker(input.stack)}\nStack **${input.stack}** is clean again${context(input)}: \`pulumi preview --refresh --expect-no-changes\` found no differences. Closing.`,
    summary: `${input.stack}: clean`,
  };
}
