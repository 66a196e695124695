/**
 * Reading a stack the way the Pulumi engine hands its config to the program: Pulumi.yaml's
 * declarations, then Pulumi.<stack>.yaml (or a `--config-file`). No Pulumi SDK is loaded here, so a
 * command that only reads config (`handoff`) stays light; `synth` re-exports it.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isMap, LineCounter, parseDocument } from "yaml";
import { ageIdentity } from "../core/secrets/age";
import { readTextFile } from "../core/shared/files";
import { yamlErrorText } from "../core/shared/messages";

/** Text put in place of a `secure:` config value; synth must never write it (tests check). */
export function securePlaceholder(key: string): string {
  const text = `[synth placeholder for secure config ${key}]`;
  return SHAPED_PLACEHOLDERS[key]?.(text) ?? text;
}

/**
 * Placeholders for the secrets whose form the program checks, shaped like a valid value: an age
 * key file (`sopsAgeKey`) holds one identity made from a labelled constant, never a real key.
 */
const SHAPED_PLACEHOLDERS: Record<string, (text: string) => string> = {
  "gitops-bootstrap:sopsAgeKey": (text) =>
    `# ${text}\n${ageIdentity(createHash("sha256").update(text).digest())}\n`,
};

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

/**
 * A YAML mapping read from `file`, or an error naming the file (and the line of a syntax error);
 * no error quotes more than the parser's one-line description, nothing of a file that is not YAML.
 */
function readYamlMapping(file: string, what: string): Record<string, unknown> {
  const read = readTextFile(file);
  if (!read.ok) throw new Error(`${file}: ${read.problem}`);
  const counter = new LineCounter();
  const doc = parseDocument(read.text, { lineCounter: counter, prettyErrors: false });
  const [error] = doc.errors;
  if (error !== undefined) {
    const { line, col } = counter.linePos(error.pos[0]);
    throw new Error(`${file}:${line}:${col}: ${yamlErrorText(error.message)}; fix the YAML syntax`);
  }
  if (doc.contents === null) return {};
  if (!isMap(doc.contents))
    throw new Error(`${file}: is not ${what}: it must be a YAML mapping (key: value)`);
  return doc.toJS() as Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml (or `configFile`, as `pulumi --config-file` takes it)
 * into config as the Pulumi engine passes it.
 */
export function readStackFile(projectDir: string, stack: string, configFile?: string): StackFile {
  const projectFile = join(projectDir, "Pulumi.yaml");
  const projectDoc = readYamlMapping(projectFile, "a Pulumi project file");
  const project = projectDoc.name;
  if (typeof project !== "string") throw new Error(`${projectFile}: has no project name`);
  if (projectDoc.config !== undefined && projectDoc.config !== null && !isRecord(projectDoc.config)) {
    throw new Error(`${projectFile}: config: must be a mapping of config keys`);
  }

  const stackFile = configFile ?? join(projectDir, `Pulumi.${stack}.yaml`);
  if (!existsSync(stackFile)) {
    const stacks = readdirSync(projectDir)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .sort();
    throw new Error(`${stackFile}: no such stack file; stacks here: ${stacks.join(", ") || "none"}`);
  }
  const document = readYamlMapping(stackFile, "a Pulumi stack file");
  if (document.config !== undefined && document.config !== null && !isRecord(document.config)) {
    throw new Error(
      `${stackFile}: config: must be a mapping of config keys (such as gitops-bootstrap:engine: argocd), not ${Array.isArray(document.config) ? "a list" : "a single value"}`,
    );
  }
  const config = projectConfig(project, (projectDoc.config as Record<string, unknown> | null) ?? {});
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries((document.config as Record<string, unknown> | null) ?? {})) {
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

/**
 * Recorded outputs of other stacks for synth's StackReferences (`--stack-outputs`): a YAML or JSON
 * mapping of stack name (as a StackReference names it) to that stack's outputs, as `pulumi stack
 * output --json` or synth's outputs.json prints them (secrets as `[secret]`). Errors name the file
 * and the key, never a value.
 */
export function readStackOutputsFile(file: string): Record<string, Record<string, unknown>> {
  const document = readYamlMapping(file, "a mapping of stack names to their recorded outputs");
  const problems = Object.entries(document)
    .filter(([, outputs]) => !isRecord(outputs))
    .map(
      ([stack]) =>
        `${file}: ${stack}: must be a mapping of output names to values (the stack's outputs.json)`,
    );
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return document as Record<string, Record<string, unknown>>;
}
