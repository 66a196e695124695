/**
 * The account stack's config, read without Pulumi: what `gitops-bootstrap config` and the stack-set
 * check need, so they load no provider SDK (stacks/account.ts builds the stack from it).
 */
import {
  AWS_CONFIG_KEY,
  awsSettingsProblems,
  awsSettingsSchema,
  type AwsSettings,
} from "../core/aws/settings";
import { decodeValue, isUnsetConfigValue } from "./config";

/** The config key that marks a stack as the account stack. */
export const STACK_KIND_KEY = "gitops-bootstrap:stackKind";

/** The account outputs a cluster stack hands to CI (through a StackReference), by name. */
export const CI_OUTPUT_NAMES = [
  "region",
  "previewRoleArn",
  "deployRoleArn",
  "deployEnvironment",
  "previewEnvironment",
  "backendUrl",
  "secretsProvider",
] as const;

/**
 * The account outputs a cluster stack hands to External Secrets (`secrets.externalSecrets` with
 * provider aws): the reader's access key, both secret outputs, and its path prefix. Present only
 * when the account stack sets `aws.secretsReader`.
 */
export const SECRETS_READER_OUTPUT_NAMES = [
  "secretsReaderAccessKeyId",
  "secretsReaderSecretAccessKey",
  "secretsReaderPathPrefix",
] as const;

/** Whether raw stack config (fully qualified keys, string values) belongs to the account stack. */
export function isAccountStackConfig(raw: Record<string, string>): boolean {
  return raw[STACK_KIND_KEY] === "account";
}

export type AccountParseResult = { ok: true; settings: AwsSettings } | { ok: false; errors: string[] };

/**
 * Validates an account stack's raw config: `stackKind: account` and an enabled `aws` object, and
 * nothing of a cluster stack. Every problem is reported at once, each naming its key.
 */
export function parseAccountConfig(raw: Record<string, string>): AccountParseResult {
  const errors: string[] = [];
  for (const key of Object.keys(raw).sort()) {
    if (!key.startsWith("gitops-bootstrap:") || key === STACK_KIND_KEY || key === AWS_CONFIG_KEY) continue;
    // Pulumi injects Pulumi.yaml's empty defaults into every stack; only a value set here counts.
    if (isUnsetConfigValue(raw[key] ?? "")) continue;
    errors.push(
      `${key}: belongs to a cluster stack; the account stack (${STACK_KIND_KEY}: account) holds only ${AWS_CONFIG_KEY}; move it to Pulumi.<cluster>.yaml`,
    );
  }
  if (!isAccountStackConfig(raw)) {
    errors.push(`${STACK_KIND_KEY}: must be "account" in the account stack`);
  }
  const input = raw[AWS_CONFIG_KEY];
  if (input === undefined) {
    errors.push(
      `${AWS_CONFIG_KEY}: is required in the account stack: enabled, accountId, region, stateBucket, ci`,
    );
    return { ok: false, errors };
  }
  const value = decodeValue(input);
  errors.push(...awsSettingsProblems(value));
  const parsed = awsSettingsSchema.safeParse(value);
  if (parsed.success && !parsed.data.enabled) {
    errors.push(
      `${AWS_CONFIG_KEY}.enabled: must be true in the account stack; it exists to create the AWS resources`,
    );
  }
  if (errors.length > 0 || !parsed.success || !parsed.data.enabled) return { ok: false, errors };
  return { ok: true, settings: parsed.data };
}
