/**
 * `synth`: runs the real program (index.ts) under Pulumi's mock runtime with a stack's own config
 * file, and writes every registration and every Kubernetes object it would create.
 *
 * No credentials, no Pulumi CLI, no cluster: nothing is applied. `secure:` config values become
 * labelled placeholders, and everything secret is written as `[secret]`.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, parse as parsePath, relative, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { kubernetesYaml, yamlDocument } from "../core/shared/yaml";
import { formatConfigErrors } from "../stacks/config";
import { stackFileHandoff } from "../stacks/handoff";
import {
  resolveOutputs,
  SecretInput,
  startMockRuntime,
  type RecordedOptions,
  type Registration,
} from "./mock-runtime";
import { stackSetErrors } from "./stack-set";
import { loadProgram } from "./program";
import { readStackFile, readStackOutputsFile } from "./stack-file";

export const SYNTH_HELP = `Usage: npx gitops-bootstrap synth --stack <name> [--out <dir>]

Runs index.ts under Pulumi's mock runtime with Pulumi.<name>.yaml and writes, deterministically:
  resources.json        every resource: type, name, parent, provider, dependsOn, options, inputs
  outputs.json          the stack outputs
  helm/<release>.yaml   the values of every Helm release
  manifests/...         every Kubernetes object, one file each, with its $schema line
  handoff/<path>/...    with selfManagement: what \`handoff\` writes into the manifest repository
Secrets are written as [secret]; secure: config values become placeholders.
A config error exits 1, prints every error and writes nothing.

The output directory is replaced as a whole, so synth writes only into a new or empty directory
or one it wrote before (it holds a ${".gitops-bootstrap-synth"} file), never into one holding the
project; anything else exits 2 and changes nothing.

Options:
  --stack <name>   the stack (Pulumi.<name>.yaml in the project directory)
  --out <dir>      output directory (default: out/<name>)
  --project <dir>  project directory holding Pulumi.yaml (default: the current directory)
  --config-file <file>  the stack's config file, as \`pulumi --config-file\` takes it
                   (default: Pulumi.<name>.yaml in the project directory)
  --stack-outputs <file>  recorded outputs of the stacks this one references (a hub's spokes):
                   a YAML mapping of stack name to its outputs, as \`pulumi stack output --json\`
                   or synth's outputs.json print them (docs/hub-and-spoke.md)
  -h, --help       this text`;

export { readStackFile, securePlaceholder, type StackFile } from "./stack-file";

/** Every leaf of a secret replaced by `[secret]`; an object's keys stay visible (they are not secret). */
function redactLeaves(value: unknown): unknown {
  if (value instanceof SecretInput) return redactLeaves(value.value);
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(
      Object.keys(value).map((k) => [k, redactLeaves((value as Record<string, unknown>)[k])]),
    );
  }
  return "[secret]";
}

/** Replaces secrets with `[secret]` for writing. */
export function redact(value: unknown): unknown {
  if (value instanceof SecretInput) return redactLeaves(value.value);
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
  }
  return value;
}

/** The resource name part of a URN (`...::type::name` → `name`), for readable references. */
function urnName(urn: string): string {
  return urn.split("::").slice(-2).join("::");
}

export interface SynthResult {
  registrations: Registration[];
  outputs: Record<string, unknown>;
  /** Relative path → content of every file written. */
  files: Map<string, string>;
}

function isKubernetesObject(
  value: unknown,
): value is { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string } } {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { apiVersion?: unknown }).apiVersion === "string" &&
    typeof (value as { kind?: unknown }).kind === "string"
  );
}

function manifestPath(object: { kind: string; metadata?: { name?: string; namespace?: string } }): string {
  const namespace = object.metadata?.namespace ?? "_cluster";
  return `manifests/${namespace}/${object.kind.toLowerCase()}-${object.metadata?.name ?? "unnamed"}.yaml`;
}

/** One entry of synth's resources.json: a registration, references in their short form. */
export interface SynthResource {
  urn: string;
  type: string;
  name: string;
  /** The parent as `type::name` (with the parent type chain). */
  parent?: string;
  /** The explicit provider, in the same short form. */
  provider?: string;
  dependsOn: string[];
  custom: boolean;
  remote?: true;
  read?: string;
  options: RecordedOptions;
  inputs: Record<string, unknown>;
}

/** The files synth writes, from the recorded registrations and outputs. */
export function renderSynth(
  registrations: readonly Registration[],
  outputs: Record<string, unknown>,
): Map<string, string> {
  const files = new Map<string, string>();
  const sorted = [...registrations].sort((a, b) => a.urn.localeCompare(b.urn));
  const resources = sorted.map((r): SynthResource => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    ...(r.parent === undefined ? {} : { parent: urnName(r.parent) }),
    ...(r.provider === undefined
      ? {}
      : { provider: urnName(r.provider.split("::").slice(0, -1).join("::")) }),
    dependsOn: r.dependsOn.map(urnName),
    custom: r.custom,
    ...(r.remote ? { remote: true } : {}),
    ...(r.read === undefined ? {} : { read: r.read }),
    options: r.options,
    inputs: redact(r.inputs) as Record<string, unknown>,
  }));
  files.set("resources.json", `${JSON.stringify(resources, null, 2)}\n`);
  files.set("outputs.json", `${JSON.stringify(redact(outputs), null, 2)}\n`);

  for (const r of sorted) {
    if (r.type === "kubernetes:helm.sh/v3:Release") {
      const inputs = r.inputs as {
        name?: string;
        chart?: string;
        version?: string;
        values?: Record<string, unknown>;
      };
      const values = redact(inputs.values ?? {}) as Record<string, unknown>;
      const header = `# Helm release ${inputs.name ?? r.name}: chart ${inputs.chart ?? "?"} ${inputs.version ?? "(local)"}\n`;
      files.set(`helm/${inputs.name ?? r.name}.yaml`, header + yamlDocument(values));
      // The root chart renders its `objects` value verbatim: write each as the object it becomes.
      for (const object of (values.objects as unknown[] | undefined) ?? []) {
        if (isKubernetesObject(object)) files.set(manifestPath(object), kubernetesYaml(object));
      }
    } else if (r.type.startsWith("kubernetes:") && r.custom && isKubernetesObject(redact(r.inputs))) {
      const object = redact(r.inputs) as { apiVersion: string; kind: string };
      files.set(manifestPath(object), kubernetesYaml(object));
    }
  }
  return files;
}

/** Runs the program of `projectDir` for `stack` under the mock runtime and returns what it registered. */
export async function synthesize(
  projectDir: string,
  stack: string,
  configFile?: string,
  stackOutputs?: Readonly<Record<string, Record<string, unknown>>>,
): Promise<SynthResult> {
  const stackFile = readStackFile(projectDir, stack, configFile);
  // What `pulumi up` cannot see: this stack against the project's other stack files (a stack file
  // given with --config-file lives elsewhere, e.g. an example, and is not one of them).
  const crossStack = configFile === undefined ? stackSetErrors(projectDir, stack, readStackFile) : [];
  if (crossStack.length > 0) throw new Error(formatConfigErrors(stack, crossStack));
  // `pulumi up` runs the program in the project directory; relative paths in config depend on it.
  process.chdir(projectDir);
  const runtime = await startMockRuntime({
    project: stackFile.project,
    stack,
    config: stackFile.config,
    secretKeys: stackFile.secretKeys,
    ...(stackOutputs === undefined ? {} : { stackOutputs }),
  });
  // An error thrown inside an apply only surfaces as an unhandled rejection, and the resource it
  // fed is silently never registered; a real `pulumi up` fails on it, so synth must too.
  const failures: string[] = [];
  const onRejection = (reason: unknown) => {
    failures.push(reason instanceof Error ? reason.message : String(reason));
  };
  process.on("unhandledRejection", onRejection);
  let outputs: Record<string, unknown>;
  try {
    // index.ts sets module.exports to the stack's outputs (`export =`).
    const exported = (await loadProgram(projectDir)) as Record<string, unknown>;
    outputs = (await resolveOutputs(exported)) as Record<string, unknown>;
    await runtime.settle();
    // Rejections land a tick after the queue drains: settle again once they have had their chance.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await runtime.settle();
  } finally {
    process.off("unhandledRejection", onRejection);
  }
  if (failures.length > 0) {
    // Offline, another stack's outputs exist only as recorded: say how to give them.
    const hint = failures.some((f) => /Required output '.*' does not exist on stack/.test(f))
      ? "\n  (offline, a StackReference answers only with recorded outputs: pass the referenced stacks' outputs with --stack-outputs <file>; docs/hub-and-spoke.md)"
      : "";
    throw new Error(
      `synth: the program failed while registering resources:\n  ${[...new Set(failures)].join("\n  ")}${hint}`,
    );
  }
  const files = renderSynth(runtime.registrations, outputs);
  // What `handoff` would write into the manifest repository, so a chart bump's diff shows it too.
  const handoff = stackFileHandoff(stackFile.config, new Set(stackFile.secretKeys), stack, projectDir);
  if (handoff.ok && handoff.handoff !== undefined) {
    for (const file of handoff.handoff.files)
      files.set(`handoff/${handoff.handoff.path}/${file.name}`, file.content);
  }
  return { registrations: runtime.registrations, outputs, files };
}

/** The file that marks a directory as synth's output, which the next run may replace whole. */
export const SYNTH_MARKER = ".gitops-bootstrap-synth";

/** What synth wrote before it had a marker: a directory holding only these is synth's too. */
const UNMARKED_OUTPUT = new Set(["resources.json", "outputs.json", "helm", "manifests"]);

const realPath = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
};

/**
 * Why synth may not replace `outDir`, or undefined when it may: it must not hold the project (or
 * be a file system root), and must be missing, empty or a directory synth wrote before.
 */
export function outDirProblem(outDir: string, projectDir: string): string | undefined {
  const out = realPath(outDir);
  const project = realPath(projectDir);
  if (out === parsePath(out).root || out === project || project.startsWith(`${out}${sep}`)) {
    return "holds the project; synth replaces its output directory whole: choose a directory of its own, such as out/<stack>";
  }
  if (!existsSync(out)) return undefined;
  if (!statSync(out).isDirectory()) return "is a file; choose a directory";
  const entries = readdirSync(out);
  if (entries.length === 0) return undefined;
  if (entries.includes(".git"))
    return "is a Git checkout; choose a directory of its own, such as out/<stack>";
  if (entries.includes(SYNTH_MARKER)) return undefined;
  if (entries.includes("resources.json") && entries.every((e) => UNMARKED_OUTPUT.has(e))) return undefined;
  return `is not empty and synth did not write it (it has no ${SYNTH_MARKER} file); synth replaces its output directory whole: choose a new or empty directory, or the one an earlier synth wrote`;
}

/**
 * Writes `files` under `outDir` atomically: a sibling temporary directory, marked as synth's,
 * renamed into place. Refuses a directory {@link outDirProblem} refuses.
 */
export function writeTree(outDir: string, files: ReadonlyMap<string, string>, projectDir = "."): void {
  const problem = outDirProblem(outDir, projectDir);
  if (problem !== undefined) throw new OutDirError(`synth: --out ${outDir} ${problem}`);
  const staging = `${outDir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(
    join(staging, SYNTH_MARKER),
    "Written by gitops-bootstrap synth; the next synth into this directory replaces all of it.\n",
  );
  for (const [path, content] of files) {
    const target = join(staging, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  renameSync(staging, outDir);
}

/** An output directory synth refuses to replace. */
export class OutDirError extends Error {}

/** The `synth` command. Returns the process exit code. */
export async function synthCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      out: { type: "string" },
      project: { type: "string" },
      "config-file": { type: "string" },
      "stack-outputs": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    console.log(SYNTH_HELP);
    return 0;
  }
  if (values.stack === undefined) {
    console.error(`synth: --stack is required\n\n${SYNTH_HELP}`);
    return 2;
  }
  const projectDir = resolve(values.project ?? ".");
  const outDir = resolve(values.out ?? join(projectDir, "out", values.stack));
  // Checked before the program runs, and again just before writing.
  const problem = outDirProblem(outDir, projectDir);
  if (problem !== undefined) {
    console.error(`synth: --out ${values.out ?? outDir} ${problem}; nothing was written`);
    return 2;
  }
  try {
    const configFile = values["config-file"] === undefined ? undefined : resolve(values["config-file"]);
    const stackOutputs =
      values["stack-outputs"] === undefined
        ? undefined
        : readStackOutputsFile(resolve(values["stack-outputs"]));
    const result = await synthesize(projectDir, values.stack, configFile, stackOutputs);
    writeTree(outDir, result.files, projectDir);
    console.log(
      `synth: ${values.stack}: ${result.registrations.length} resources, ${result.files.size} files in ${relative(process.cwd(), outDir) || "."}`,
    );
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return error instanceof OutDirError ? 2 : 1;
  }
}
