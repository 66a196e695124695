/**
 * Reads the running stack's config and secrets through Pulumi's runtime, and validates them with
 * stacks/config.ts before any resource is registered. The only part of the stack config that needs
 * Pulumi, kept apart so the offline commands (`config`, `handoff`) never load it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import {
  formatConfigErrors,
  hasSecretValue,
  parseStackConfig,
  PROJECT,
  SECRET_KEYS,
  type StackConfig,
} from "./config";

/** Whether a config key holds a secret; `isConfigSecret` exists at runtime but is not in the typings. */
const { isConfigSecret } = runtimeConfig as unknown as { isConfigSecret(key: string): boolean };

/**
 * Reads and validates the running stack's config; throws before any resource is registered, listing
 * `otherErrors` (the provider namespaces' problems) with the stack's own.
 */
export function loadStackConfig(otherErrors: readonly string[] = []): StackConfig {
  const raw = pulumi.runtime.allConfig();
  const secretKeys = new Set(Object.keys(raw).filter((key) => isConfigSecret(key)));
  const result = parseStackConfig(raw, secretKeys);
  const errors = [...(result.ok ? [] : result.errors), ...otherErrors];
  if (!result.ok || errors.length > 0)
    throw new pulumi.RunError(formatConfigErrors(pulumi.getStack(), errors));
  return result.config;
}

/** The stack's secrets, as Pulumi secret Outputs (validated for presence by `loadStackConfig`). */
export interface StackSecrets {
  /** Absent when the GitHub part generates the deploy key. */
  repoSshPrivateKey?: pulumi.Output<string>;
  /** The token of an https manifest repository; absent for SSH. */
  repoToken?: pulumi.Output<string>;
  /** Absent for a public OIDC client (PKCE) or without OIDC. */
  argocdOidcClientSecret?: pulumi.Output<string>;
  /** Age identities the user brought for secrets.sopsAge; absent unless set. */
  sopsAgeKey?: pulumi.Output<string>;
  /** The External Secrets store's token (1Password Connect, Bitwarden, Doppler); absent unless set. */
  externalSecretsToken?: pulumi.Output<string>;
  /** The 1Password Connect server's credentials file; absent unless set. */
  onePasswordCredentials?: pulumi.Output<string>;
}

/**
 * Reads the stack's secrets, each only when it holds a value (an empty one is none, see
 * `hasSecretValue`); never call `get` on these keys, which would print them.
 */
export function loadStackSecrets(): StackSecrets {
  const config = new pulumi.Config(PROJECT);
  const raw = pulumi.runtime.allConfig();
  const read = (name: keyof typeof SECRET_KEYS) =>
    hasSecretValue(raw, name) ? config.requireSecret(SECRET_KEYS[name]) : undefined;
  const deployKey = read("repoSshPrivateKey");
  const clientSecret = read("argocdOidcClientSecret");
  const token = read("repoToken");
  const secretZero = Object.fromEntries(
    (["sopsAgeKey", "externalSecretsToken", "onePasswordCredentials"] as const)
      .map((name) => [name, read(name)] as const)
      .filter(([, value]) => value !== undefined),
  ) as Pick<StackSecrets, "sopsAgeKey" | "externalSecretsToken" | "onePasswordCredentials">;
  return {
    ...secretZero,
    ...(deployKey === undefined ? {} : { repoSshPrivateKey: deployKey }),
    ...(token === undefined ? {} : { repoToken: token }),
    ...(clientSecret === undefined ? {} : { argocdOidcClientSecret: clientSecret }),
  };
}
