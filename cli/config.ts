/**
 * `config`: a stack's config as the program sees it, every default filled in, validated offline.
 * `--get <path>` prints one value (CI reads `kubernetes.tailscaleHost` with it).
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { isAccountStackConfig, parseAccountConfig } from "../stacks/account-config";
import { formatConfigErrors, parseStackConfig } from "../stacks/config";
import { toYaml } from "../core/shared/yaml";
import { stackSetErrors } from "./stack-set";
import { readStackFile } from "./stack-file";

export const CONFIG_HELP = `Usage: npx gitops-bootstrap config --stack <name> [--get <path>] [--project <dir>]

Validates Pulumi.<name>.yaml offline and prints its config with every default filled in (YAML).
Secrets are never printed. With --get, prints one value (a dotted path such as
kubernetes.tailscaleHost): a string as is, anything else as JSON, nothing when unset.
Exit codes: 0 ok, 1 config errors (all listed), 2 bad arguments.`;

/** The value at a dotted path, or undefined. */
export function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const step of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/** Resolves a stack's config from its file: the cluster or account settings, or every error. */
export function resolveStackConfig(
  projectDir: string,
  stack: string,
): { ok: true; config: unknown } | { ok: false; errors: string[] } {
  const file = readStackFile(projectDir, stack);
  // What `pulumi up` cannot see: this stack against the project's other stack files.
  const crossStack = () => stackSetErrors(projectDir, stack, readStackFile);
  if (isAccountStackConfig(file.config)) {
    const account = parseAccountConfig(file.config);
    if (!account.ok) return account;
    const errors = crossStack();
    return errors.length > 0
      ? { ok: false, errors }
      : { ok: true, config: { stackKind: "account", aws: account.settings } };
  }
  const cluster = parseStackConfig(file.config, new Set(file.secretKeys), { projectDir });
  if (!cluster.ok) return cluster;
  const errors = crossStack();
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: cluster.config };
}

export async function configCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      get: { type: "string" },
      project: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    console.log(CONFIG_HELP);
    return 0;
  }
  if (values.stack === undefined) {
    console.error(`config: --stack is required\n\n${CONFIG_HELP}`);
    return 2;
  }
  try {
    const result = resolveStackConfig(resolve(values.project ?? "."), values.stack);
    if (!result.ok) {
      console.error(formatConfigErrors(values.stack, result.errors));
      return 1;
    }
    if (values.get === undefined) {
      process.stdout.write(toYaml(result.config));
      return 0;
    }
    const value = valueAt(result.config, values.get);
    if (value !== undefined) console.log(typeof value === "string" ? value : JSON.stringify(value));
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}
