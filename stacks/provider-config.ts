/**
 * Provider configuration from the stack's own namespaces: `github:*`, `tailscale:*`, `tls:*`,
 * `aws:*`, `kubernetes:*` and `pulumiservice:*`.
 *
 * Pulumi hands a package's config namespace only to that package's *default* provider, and
 * Pulumi.yaml disables default providers, so an explicit provider sees none of it:
 * `pulumi config set --secret github:token` would be silently ignored. Here the keys the user set
 * are read and passed to the explicit providers (secrets as secrets), and every key that would
 * still be lost is reported: a name the provider does not know, a credential in plain text, a key
 * of a provider this stack does not create, a value that contradicts the stack's own setting.
 *
 * The keys are the SDKs' own: each package's generated `config/vars` module declares one getter per
 * provider input and reads it with the right type (`get` for strings, `getObject` for numbers,
 * booleans, lists and objects). @pulumi/kubernetes has no such module; its keys are listed below
 * and the compiler holds the list to `k8s.ProviderArgs`.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { isDeepStrictEqual } from "node:util";
import * as awsConfig from "@pulumi/aws/config/vars";
import * as githubConfig from "@pulumi/github/config/vars";
import * as pulumiserviceConfig from "@pulumi/pulumiservice/config/vars";
import * as tailscaleConfig from "@pulumi/tailscale/config/vars";
import * as tlsConfig from "@pulumi/tls/config/vars";

export type ProviderPackage = "aws" | "github" | "kubernetes" | "tailscale" | "tls" | "pulumiservice";

export const PROVIDER_PACKAGES: readonly ProviderPackage[] = [
  "aws",
  "github",
  "kubernetes",
  "tailscale",
  "tls",
  "pulumiservice",
];

/** @pulumi/kubernetes inputs and how each is read: a plain string, or JSON (booleans, objects). */
export const KUBERNETES_PROVIDER_KEYS = {
  alwaysRender: "json",
  cluster: "string",
  clusterIdentifier: "string",
  context: "string",
  deleteUnreachable: "json",
  enableConfigMapMutable: "json",
  enablePatchForce: "json",
  enableSecretMutable: "json",
  enableServerSideApply: "json",
  helmReleaseSettings: "json",
  kubeClientSettings: "json",
  kubeconfig: "string",
  namespace: "string",
  renderYamlToDirectory: "string",
  skipUpdateUnreachable: "json",
  suppressDeprecationWarnings: "json",
  suppressHelmHookWarnings: "json",
  upsertExistingObjects: "json",
} as const satisfies Record<keyof k8s.ProviderArgs, "string" | "json">;

/** The SDKs' generated config modules: one typed getter per provider input. */
const SDK_CONFIG: Readonly<
  Record<Exclude<ProviderPackage, "kubernetes">, Readonly<Record<string, unknown>>>
> = {
  aws: awsConfig,
  github: githubConfig,
  tailscale: tailscaleConfig,
  tls: tlsConfig,
  pulumiservice: pulumiserviceConfig,
};

/** The config keys a provider package accepts (its provider's input names). */
export function providerKeys(pkg: ProviderPackage): string[] {
  return pkg === "kubernetes" ? Object.keys(KUBERNETES_PROVIDER_KEYS) : Object.keys(SDK_CONFIG[pkg]);
}

/**
 * Keys holding credentials, which must be set with `--secret`: the inputs each provider marks as
 * secret outputs (test/stacks/provider-config.test.ts reads them from the SDKs), and github's
 * `appAuth`, whose `pemFile` is the GitHub App's private key.
 */
export const CREDENTIAL_KEYS: Readonly<Record<ProviderPackage, readonly string[]>> = {
  aws: ["accessKey", "secretKey", "token"],
  github: ["appAuth", "token"],
  kubernetes: [],
  tailscale: ["apiKey", "identityToken", "oauthClientSecret"],
  tls: [],
  // Unset, the provider reads PULUMI_ACCESS_TOKEN itself (Pulumi Deployments sets it), never into its inputs.
  pulumiservice: ["accessToken"],
};

/**
 * Credentials a provider SDK copies from the environment into the provider's inputs in clear when
 * the argument is unset (@pulumi/github: `token ?? getEnv("GITHUB_TOKEN")`): read here and passed
 * as a Pulumi secret instead, so they never reach the state, a preview or synth in plain text.
 */
export const ENV_CREDENTIALS: Readonly<Record<ProviderPackage, ReadonlyArray<readonly [string, string]>>> = {
  aws: [],
  github: [["token", "GITHUB_TOKEN"]],
  kubernetes: [],
  tailscale: [],
  tls: [],
  pulumiservice: [],
};

/** Whether a config key holds a secret; `isConfigSecret` exists at runtime but is not in the typings. */
const { isConfigSecret } = runtimeConfig as unknown as { isConfigSecret(key: string): boolean };

/** The keys of `pkg` the stack sets, unqualified, sorted. */
function setKeys(raw: Readonly<Record<string, string>>, pkg: ProviderPackage): string[] {
  return Object.keys(raw)
    .filter((key) => key.startsWith(`${pkg}:`))
    .map((key) => key.slice(pkg.length + 1))
    .sort();
}

/** Known keys that differ only in case, or of which one contains the other (the full list follows anyway). */
function suggestion(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase();
  const close = known.filter((k) => {
    const other = k.toLowerCase();
    return other.includes(lower) || lower.includes(other);
  });
  return close.length > 0 ? `did you mean ${close.map((k) => JSON.stringify(k)).join(" or ")}? ` : "";
}

/**
 * Problems that need nothing but the raw config: a key the provider does not know (it would reach
 * no provider) and a credential stored in plain text (it would sit in the stack file in clear).
 */
export function providerKeyProblems(
  raw: Readonly<Record<string, string>>,
  secretKeys: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  for (const pkg of PROVIDER_PACKAGES) {
    const known = providerKeys(pkg);
    for (const key of setKeys(raw, pkg)) {
      const full = `${pkg}:${key}`;
      if (!known.includes(key)) {
        problems.push(
          `${full}: unknown key "${key}" for the ${pkg} provider: ${suggestion(key, known)}remove it, or use one of ${known.join(", ")}`,
        );
      } else if (CREDENTIAL_KEYS[pkg].includes(key) && !secretKeys.has(full)) {
        problems.push(
          `${full}: is a credential stored in plain text; remove it with \`pulumi config rm ${full}\` and set it again with \`pulumi config set --secret ${full}\``,
        );
      }
    }
  }
  return problems;
}

/** A value the stack sets on a provider itself, and the setting it comes from. */
export interface OwnedValue {
  readonly setting: string;
  readonly value: unknown;
  /** Objects: the user's keys are added to ours; only a key set to a different value conflicts. */
  readonly merge?: boolean;
}

/** How this stack uses a provider package: the provider exists (with the values it owns), or not and why. */
export type ProviderUse = { readonly owned: Readonly<Record<string, OwnedValue>> } | { readonly off: string };

function plainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `ours` with `theirs` added; the paths where both set different values. */
function mergeObjects(theirs: unknown, ours: unknown, path = ""): { value: unknown; conflicts: string[] } {
  if (plainObject(theirs) && plainObject(ours)) {
    const value: Record<string, unknown> = { ...theirs };
    const conflicts: string[] = [];
    for (const [key, mine] of Object.entries(ours)) {
      const merged = mergeObjects(theirs[key], mine, `${path}.${key}`);
      value[key] = merged.value;
      conflicts.push(...merged.conflicts);
    }
    return { value, conflicts };
  }
  if (theirs === undefined || isDeepStrictEqual(theirs, ours)) return { value: ours, conflicts: [] };
  return { value: ours, conflicts: [path] };
}

/** A raw config value as the provider would read it: JSON for non-strings. */
function decodeRaw(pkg: ProviderPackage, key: string, raw: string, owned: unknown): unknown {
  if (typeof owned === "string") return raw;
  if (
    pkg === "kubernetes" &&
    KUBERNETES_PROVIDER_KEYS[key as keyof typeof KUBERNETES_PROVIDER_KEYS] === "string"
  )
    return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * Problems that need the parsed stack config: a key of a provider the stack does not create, and a
 * key whose value contradicts the setting the stack derives it from. Values are never printed:
 * provider config may hold credentials.
 */
export function providerUseProblems(
  raw: Readonly<Record<string, string>>,
  uses: Readonly<Record<ProviderPackage, ProviderUse>>,
): string[] {
  const problems: string[] = [];
  for (const pkg of PROVIDER_PACKAGES) {
    const use = uses[pkg];
    for (const key of setKeys(raw, pkg)) {
      const full = `${pkg}:${key}`;
      if ("off" in use) {
        problems.push(
          `${full}: is set, but this stack creates no ${pkg} provider (${use.off}); remove it with \`pulumi config rm ${full}\``,
        );
        continue;
      }
      const owned = use.owned[key];
      if (owned === undefined) continue;
      const theirs = decodeRaw(pkg, key, raw[full] ?? "", owned.value);
      const conflicts = owned.merge
        ? mergeObjects(theirs, owned.value).conflicts
        : isDeepStrictEqual(theirs, owned.value)
          ? []
          : [""];
      for (const path of conflicts) {
        problems.push(
          `${full}${path}: differs from ${owned.setting}, from which this stack sets the ${pkg} provider's ${key}; remove ${full}${path} or make the two agree`,
        );
      }
    }
  }
  return problems;
}

/** The value of one set key, typed as the provider reads it (the SDK getter's own choice). */
function readKey(pkg: ProviderPackage, key: string): unknown {
  if (pkg === "kubernetes") {
    const config = new pulumi.Config("kubernetes");
    return KUBERNETES_PROVIDER_KEYS[key as keyof typeof KUBERNETES_PROVIDER_KEYS] === "string"
      ? config.get(key)
      : config.getObject(key);
  }
  return SDK_CONFIG[pkg][key];
}

/** Why a key cannot be read, without its value (Pulumi's own message quotes it). */
export function unreadableKeyProblems(raw: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const pkg of PROVIDER_PACKAGES) {
    for (const key of setKeys(raw, pkg).filter((k) => providerKeys(pkg).includes(k))) {
      try {
        readKey(pkg, key);
      } catch {
        problems.push(
          `${pkg}:${key}: is not valid JSON, which the ${pkg} provider reads it as (a number, boolean, list or object); set it again`,
        );
      }
    }
  }
  return problems;
}

/**
 * The explicit provider's arguments: every key of `pkg` the user set (a secret, or a credential,
 * as a Pulumi secret), then the stack's own values. Call after the problems above were reported.
 */
export function providerArgs(
  pkg: ProviderPackage,
  owned: Readonly<Record<string, OwnedValue>> = {},
): Record<string, unknown> {
  const raw = pulumi.runtime.allConfig();
  const args: Record<string, unknown> = {};
  for (const key of setKeys(raw, pkg).filter((k) => providerKeys(pkg).includes(k))) {
    const value = readKey(pkg, key);
    const secret = isConfigSecret(`${pkg}:${key}`) || CREDENTIAL_KEYS[pkg].includes(key);
    args[key] = secret ? pulumi.secret(value) : value;
  }
  for (const [key, variable] of ENV_CREDENTIALS[pkg]) {
    const fromEnv = process.env[variable];
    if (args[key] === undefined && fromEnv !== undefined && fromEnv !== "")
      args[key] = pulumi.secret(fromEnv);
  }
  for (const [key, mine] of Object.entries(owned)) {
    if (mine.value === undefined) continue;
    const theirs = args[key];
    // A secret value of the user's stays secret: merged inside the Output.
    args[key] =
      mine.merge && theirs !== undefined
        ? pulumi.output(theirs).apply((value) => mergeObjects(value, mine.value).value)
        : mine.value;
  }
  return args;
}

/** The fully qualified keys of the running stack that hold secrets. */
export function runningSecretKeys(raw: Readonly<Record<string, string>>): Set<string> {
  return new Set(Object.keys(raw).filter((key) => isConfigSecret(key)));
}

/** Every problem of the running stack's provider config that needs no parsed stack config. */
export function loadProviderKeyProblems(): string[] {
  const raw = pulumi.runtime.allConfig();
  return [...providerKeyProblems(raw, runningSecretKeys(raw)), ...unreadableKeyProblems(raw)];
}
