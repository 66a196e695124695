/**
 * The rules between `gitops-bootstrap:secrets`, the engine, the account stack and the secret config
 * keys, checked before anything is registered. Messages name the key and the fix and never quote a
 * secret: a malformed age key file is reported by line numbers only.
 */
import { parseAgeKeyFile } from "./age";
import type { SecretsSettings } from "./settings";

/** The secret config keys of this part (set with `pulumi config set --secret`). */
export const SECRETS_SECRET_KEYS = {
  /** Age identities the user already has (an age-keygen file), added to the sops-age Secret. */
  sopsAgeKey: "sopsAgeKey",
  /** The 1Password Connect, Bitwarden Secrets Manager or Doppler token the store reads with. */
  externalSecretsToken: "externalSecretsToken",
  /** The 1Password Connect server's 1password-credentials.json. */
  onePasswordCredentials: "onePasswordCredentials",
} as const;

export type SecretsSecretKey = keyof typeof SECRETS_SECRET_KEYS;

export interface SecretsContext {
  engine: string;
  /** Whether `aws.accountStack` names the account stack (the aws preset reads its outputs). */
  hasAccountStack: boolean;
  /** Whether each secret key holds a value. */
  has: (key: SecretsSecretKey) => boolean;
  /** The `sopsAgeKey` text, only to check its form (never printed). */
  sopsAgeKey?: string;
}

/** Every problem, as `{ key, message }` with the key relative to the project (`secrets.sopsAge`). */
export function secretsProblems(
  settings: SecretsSettings,
  context: SecretsContext,
): Array<{ key: string; message: string }> {
  const problems: Array<{ key: string; message: string }> = [];
  const add = (key: string, message: string) => problems.push({ key, message });
  const { sopsAge, externalSecrets } = settings;
  const setCmd = (key: SecretsSecretKey, from: string) =>
    `\`pulumi config set --secret ${SECRETS_SECRET_KEYS[key]} < ${from}\``;

  if (sopsAge !== undefined && context.engine === "argocd") {
    add(
      "secrets.sopsAge",
      "places the age key for Flux's kustomize-controller, but engine is argocd, which decrypts SOPS only through a plugin (KSOPS, helm-secrets) configured on its repo-server; remove secrets.sopsAge, or use engine flux or flux-operator",
    );
  }
  if (context.has("sopsAgeKey")) {
    if (sopsAge === undefined) {
      add(
        SECRETS_SECRET_KEYS.sopsAgeKey,
        "is set but secrets.sopsAge is not; add secrets.sopsAge (keys: [] to place only this key) or remove it with `pulumi config rm sopsAgeKey`",
      );
    }
    const parsed = parseAgeKeyFile(context.sopsAgeKey ?? "");
    if ("badLines" in parsed) {
      add(
        SECRETS_SECRET_KEYS.sopsAgeKey,
        `line ${parsed.badLines.join(", ")} is neither a comment nor an AGE-SECRET-KEY-1… identity (checksum included); set it again from the age-keygen file with ${setCmd("sopsAgeKey", "keys.txt")}`,
      );
    } else if (parsed.identities.length === 0) {
      add(
        SECRETS_SECRET_KEYS.sopsAgeKey,
        "holds no AGE-SECRET-KEY-1… identity; set the age-keygen file or remove it",
      );
    }
  } else if (sopsAge !== undefined && sopsAge.keys.length === 0) {
    add(
      "secrets.sopsAge.keys",
      `is [] (generate none) and no sopsAgeKey is set, so the Secret would hold no identity; keep a key name, or set your own with ${setCmd("sopsAgeKey", "keys.txt")}`,
    );
  }

  const provider = externalSecrets?.provider;
  const tokenWanted = provider === "onepassword" || provider === "bitwarden" || provider === "doppler";
  if (tokenWanted && !context.has("externalSecretsToken")) {
    const what =
      provider === "onepassword"
        ? "the 1Password Connect token"
        : provider === "bitwarden"
          ? "the Bitwarden Secrets Manager machine account's access token"
          : "the Doppler service token";
    add(
      SECRETS_SECRET_KEYS.externalSecretsToken,
      `is required with secrets.externalSecrets.provider ${provider}: ${what}; set it with ${setCmd("externalSecretsToken", "token.txt")}`,
    );
  }
  if (!tokenWanted && context.has("externalSecretsToken")) {
    add(
      SECRETS_SECRET_KEYS.externalSecretsToken,
      provider === "aws"
        ? "is set but the aws preset reads the account stack's secretsReader access key; remove it with `pulumi config rm externalSecretsToken`"
        : "is set but secrets.externalSecrets is not; configure it or remove the token with `pulumi config rm externalSecretsToken`",
    );
  }
  if (context.has("onePasswordCredentials") && provider !== "onepassword") {
    add(
      SECRETS_SECRET_KEYS.onePasswordCredentials,
      "is set but secrets.externalSecrets.provider is not onepassword; remove it with `pulumi config rm onePasswordCredentials`",
    );
  }
  if (provider === "aws" && !context.hasAccountStack) {
    add(
      "secrets.externalSecrets.provider",
      "is aws, whose reader's access key comes from the account stack; set aws.accountStack (and aws.secretsReader in the account stack)",
    );
  }
  return problems;
}
