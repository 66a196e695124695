/**
 * Reading what Terraform knows: the JSON that `terraform show -json` prints for a module's state,
 * or the concatenation of those documents that `terragrunt run-all show -json` prints (one per
 * module).
 *
 * The format (Terraform's "JSON Output Format", values representation): a document carries
 * `format_version`, and the state's resources under `values.root_module.resources[]` and, for
 * nested modules, `values.root_module.child_modules[].resources[]` (recursively). Each resource has
 * `address`, `mode` (`managed` or `data`), `type`, `name`, optional `index`, `values` (the
 * attributes) and `sensitive_values`, the same shape as `values` with `true` at every attribute
 * Terraform marks sensitive. A plan's JSON carries `planned_values`/`resource_changes` instead.
 *
 * Nothing here ever puts a file's contents or an attribute's value into an error message.
 */

/** One managed resource of a state, as Terraform recorded it. */
export interface TerraformResource {
  /** Full address, such as `module.bootstrap.aws_s3_bucket.state` or `aws_s3_bucket.state`. */
  address: string;
  /** Resource type, such as `aws_s3_bucket`. */
  type: string;
  /** Resource name in its module, such as `state`. */
  name: string;
  /** The attributes; never printed without {@link isSensitive}. */
  values: Record<string, unknown>;
  /** `true` at every attribute Terraform marks sensitive (the shape of `values`). */
  sensitiveValues: unknown;
  /** The file the resource was read from, for messages. */
  file: string;
}

/** A state file that cannot be used, with the reason and the fix (never its contents). */
export class StateFileError extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const HOW_TO_SAVE =
  "save each module's state with `terraform show -json > <module>.json` in the module directory (after `terragrunt init`), or all of them with `terragrunt run-all show -json > state.json`";

/**
 * Splits the text into its top-level JSON values (run-all prints one document per module, one
 * after the other). Returns the index of the first character that starts no JSON value, if any.
 */
function splitJsonDocuments(text: string): { documents: string[]; badAt?: number } {
  const documents: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] ?? "")) i++;
    if (i >= text.length) break;
    if (text[i] !== "{") return { documents, badAt: i };
    let depth = 0;
    let inString = false;
    const start = i;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    if (depth !== 0) return { documents, badAt: start };
    documents.push(text.slice(start, i));
  }
  return { documents };
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

function moduleResources(module: unknown, file: string, out: TerraformResource[]): void {
  if (!isRecord(module)) return;
  const resources = Array.isArray(module.resources) ? module.resources : [];
  for (const resource of resources) {
    if (!isRecord(resource) || resource.mode !== "managed") continue;
    const { address, type, name, values } = resource;
    if (typeof address !== "string" || typeof type !== "string" || typeof name !== "string") continue;
    out.push({
      address,
      type,
      name,
      values: isRecord(values) ? values : {},
      sensitiveValues: resource.sensitive_values ?? {},
      file,
    });
  }
  for (const child of Array.isArray(module.child_modules) ? module.child_modules : [])
    moduleResources(child, file, out);
}

/**
 * The managed resources of one saved file: one `terraform show -json` document or several
 * (`terragrunt run-all show -json`). Throws {@link StateFileError} naming `file` when the text is
 * not JSON, not Terraform's, a plan instead of a state, or a state with no resources.
 */
export function readTerraformShow(text: string, file: string): TerraformResource[] {
  if (text.trim() === "") throw new StateFileError(`${file}: is empty; ${HOW_TO_SAVE}`);
  const { documents, badAt } = splitJsonDocuments(text);
  if (badAt !== undefined) {
    throw new StateFileError(
      `${file}:${lineOf(text, badAt)}: is not JSON output of terraform show (${documents.length === 0 ? "it does not start with a JSON object" : "text after the last complete JSON document"}); ${HOW_TO_SAVE}, without log lines (terragrunt logs go to stderr: do not redirect 2>&1)`,
    );
  }
  const resources: TerraformResource[] = [];
  documents.forEach((source, n) => {
    const where = documents.length === 1 ? file : `${file} (document ${n + 1} of ${documents.length})`;
    let document: unknown;
    try {
      document = JSON.parse(source);
    } catch {
      throw new StateFileError(`${where}: is not valid JSON (cut short or edited?); ${HOW_TO_SAVE}`);
    }
    if (!isRecord(document) || typeof document.format_version !== "string") {
      throw new StateFileError(
        `${where}: is JSON but not Terraform's (no format_version): it must be the output of terraform show -json, not a raw .tfstate or another tool's JSON; ${HOW_TO_SAVE}`,
      );
    }
    if ("planned_values" in document || "resource_changes" in document) {
      throw new StateFileError(
        `${where}: is a plan (planned_values), not a state: run terraform show -json without a plan file`,
      );
    }
    const before = resources.length;
    if (isRecord(document.values)) moduleResources(document.values.root_module, where, resources);
    if (resources.length === before) {
      throw new StateFileError(
        `${where}: holds no managed resources (an empty state, or a module that was never applied): run terraform show -json in the module directory whose state holds the resources, after terragrunt init`,
      );
    }
  });
  return resources;
}

/**
 * Whether the attribute at `path` (keys and list indexes into `values`) is sensitive: Terraform
 * marks it, or a containing attribute, with `true` in `sensitive_values`.
 */
export function isSensitive(sensitiveValues: unknown, path: readonly (string | number)[]): boolean {
  let node: unknown = sensitiveValues;
  for (const key of path) {
    if (node === true) return true;
    if (Array.isArray(node)) node = typeof key === "number" ? node[key] : undefined;
    else if (isRecord(node)) node = node[String(key)];
    else return false;
  }
  return node === true || containsTrue(node);
}

/** Whether any attribute under `node` is marked sensitive (a list or map holding a secret). */
function containsTrue(node: unknown): boolean {
  if (node === true) return true;
  if (Array.isArray(node)) return node.some(containsTrue);
  if (isRecord(node)) return Object.values(node).some(containsTrue);
  return false;
}

/** A string attribute, or undefined (also when sensitive: names and IDs never are). */
export function stringAttribute(resource: TerraformResource, key: string): string | undefined {
  const value = resource.values[key];
  if (typeof value !== "string" || isSensitive(resource.sensitiveValues, [key])) return undefined;
  return value;
}

/**
 * A nested block's first element: Terraform writes a block as a list of objects (`metadata[0]`);
 * newer providers write some as a single object.
 */
export function firstBlock(value: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(value)) return isRecord(value[0]) ? value[0] : undefined;
  return isRecord(value) ? value : undefined;
}
