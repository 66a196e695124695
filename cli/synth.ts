/**
 * `synth`: runs the real program (index.ts) under Pulumi's mock runtime with a stack's own config
 * file, and writes every registration and every Kubernetes object it would create.
 *
 * No credentials, no Pulumi CLI, no cluster: nothing is applied. `secure:` config values become
 * labelled placeholders, and everything secret is written as `[secret]`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { kubernetesYaml, yamlDocument } from "../core/shared/yaml";
import { resolveOutputs, SecretInput, startMockRuntime, type Registration } from "./mock-runtime";
import { loadProgram } from "./program";

export const SYNTH_HELP = `Usage: npx gitops-bootstrap synth --stack <name> [--out <dir>]

Runs index.ts under Pulumi's mock runtime with Pulumi.<name>.yaml and writes, deterministically:
  resources.json        every resource: type, name, parent, provider, dependsOn, options, inputs
  outputs.json          the stack outputs
  helm/<release>.yaml   the values of every Helm release
  manifests/...         every Kubernetes object, one file each, with its $schema line
Secrets are written as [secret]; secure: config values become placeholders.
A config error exits 1, prints every error and writes nothing.

Options:
  --stack <name>   the stack (Pulumi.<name>.yaml in the project directory)
  --out <dir>      output directory (default: out/<name>); replaced as a whole
  --project <dir>  project directory holding Pulumi.yaml (default: the current directory)
  -h, --help       this text`;

/** Text put in place of a `secure:` config value; synth must never write it (tests check). */
export function securePlaceholder(key: string): string {
  return `[synth placeholder for secure config ${key}]`;
}

export interface StackFile {
  project: string;
  config: Record<string, string>;
  secretKeys: string[];
}

/** A config value as the engine hands it to the program: strings as they are, anything else as JSON. */
function configString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Pulumi.yaml's `config:` as the engine applies it to a stack: a declaration's `default` or
 * `value` fills a key the stack does not set; a plain value (not a declaration object) is a value.
 */
function projectConfig(project: string, declared: Record<string, unknown>): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [rawKey, declaration] of Object.entries(declared)) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    if (declaration === null || typeof declaration !== "object" || Array.isArray(declaration)) {
      config[key] = configString(declaration);
      continue;
    }
    const { default: fallback, value } = declaration as { default?: unknown; value?: unknown };
    if (value !== undefined) config[key] = configString(value);
    else if (fallback !== undefined) config[key] = configString(fallback);
  }
  return config;
}

/** Reads Pulumi.yaml and Pulumi.<stack>.yaml into config as the Pulumi engine passes it. */
export function readStackFile(projectDir: string, stack: string): StackFile {
  const projectFile = join(projectDir, "Pulumi.yaml");
  const projectDoc = parse(readFileSync(projectFile, "utf8")) as {
    name?: unknown;
    config?: Record<string, unknown>;
  };
  const project = projectDoc.name;
  if (typeof project !== "string") throw new Error(`${projectFile}: has no project name`);

  const stackFile = join(projectDir, `Pulumi.${stack}.yaml`);
  if (!existsSync(stackFile)) {
    const stacks = readdirSync(projectDir)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .sort();
    throw new Error(`${stackFile}: no such stack file; stacks here: ${stacks.join(", ") || "none"}`);
  }
  const document = (parse(readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const config = projectConfig(project, projectDoc.config ?? {});
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(document.config ?? {})) {
    // Stack files may leave the project's own keys unqualified.
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    if (value !== null && typeof value === "object" && "secure" in value) {
      config[key] = securePlaceholder(key);
      secretKeys.push(key);
    } else {
      config[key] = configString(value);
    }
  }
  return { project, config, secretKeys: secretKeys.sort() };
}

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

/** The files synth writes, from the recorded registrations and outputs. */
export function renderSynth(
  registrations: readonly Registration[],
  outputs: Record<string, unknown>,
): Map<string, string> {
  const files = new Map<string, string>();
  const sorted = [...registrations].sort((a, b) => a.urn.localeCompare(b.urn));
  const resources = sorted.map((r) => ({
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
    inputs: redact(r.inputs),
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
export async function synthesize(projectDir: string, stack: string): Promise<SynthResult> {
  const stackFile = readStackFile(projectDir, stack);
  // `pulumi up` runs the program in the project directory; relative paths in config depend on it.
  process.chdir(projectDir);
  const runtime = await startMockRuntime({
    project: stackFile.project,
    stack,
    config: stackFile.config,
    secretKeys: stackFile.secretKeys,
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
    throw new Error(
      `synth: the program failed while registering resources:\n  ${[...new Set(failures)].join("\n  ")}`,
    );
  }
  return {
    registrations: runtime.registrations,
    outputs,
    files: renderSynth(runtime.registrations, outputs),
  };
}

/** Writes `files` under `outDir` atomically: a sibling temporary directory renamed into place. */
export function writeTree(outDir: string, files: ReadonlyMap<string, string>): void {
  const staging = `${outDir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const [path, content] of files) {
    const target = join(staging, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  renameSync(staging, outDir);
}

/** The `synth` command. Returns the process exit code. */
export async function synthCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      out: { type: "string" },
      project: { type: "string" },
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
  try {
    const result = await synthesize(projectDir, values.stack);
    writeTree(outDir, result.files);
    console.log(
      `synth: ${values.stack}: ${result.registrations.length} resources, ${result.files.size} files in ${relative(process.cwd(), outDir) || "."}`,
    );
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}
