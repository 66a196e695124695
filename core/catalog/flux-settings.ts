/**
 * The catalog's per-app Flux settings: `defaults.flux` and `apps.<name>.flux`.
 *
 * They sit under one `flux:` key rather than flat next to the Argo CD keys because several of them
 * mean something else in Argo CD (`prune` is Argo CD's automated prune, `patches` its kustomize
 * patches, `interval` has no Argo CD counterpart), and a flat key would leave a reader guessing
 * which engine it configures. Every field mirrors kustomize-controller's Kustomization v1 API
 * (fluxcd/kustomize-controller api/v1/kustomization_types.go) in name and shape, so a Flux user
 * writes what they already know; generate copies them into the Kustomization as given.
 */
import * as z from "zod/mini";
import { RFC1123_LABEL } from "../shared/names";
import { duration, kustomizePatchTarget } from "../shared/schema";
import { SOPS_AGE_SECRET_NAME } from "../secrets/names";

/** A DNS-1123 subdomain (Kubernetes object names such as Secrets and ServiceAccounts). */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const objectName = (what: string) =>
  z.string().check(
    z.minLength(1),
    z.maxLength(253),
    z.regex(SUBDOMAIN, {
      error:
        "must be a Kubernetes object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
    }),
    z.meta({ description: `${what}: a Kubernetes object name (lower-case letters, digits, '-', '.').` }),
  );

const namespaceName = (what: string) =>
  z
    .string()
    .check(z.maxLength(63), z.regex(RFC1123_LABEL), z.meta({ description: `${what}: an RFC 1123 label.` }));

/** Source kinds a Kustomization's sourceRef may name (CrossNamespaceSourceReference.Kind). */
export const FLUX_SOURCE_KINDS = ["GitRepository", "OCIRepository", "Bucket", "ExternalArtifact"] as const;

const sourceRef = z
  .strictObject({
    kind: z
      .optional(z.enum(FLUX_SOURCE_KINDS))
      .check(z.meta({ description: "Source kind. Defaults to GitRepository." })),
    name: z.optional(objectName("Source name. Defaults to flux.gitRepository")),
    namespace: z.optional(
      namespaceName("Namespace of the source. Defaults to not written: the Kustomization's own namespace"),
    ),
  })
  .check(
    z.meta({ description: "The Kustomization's spec.sourceRef; each field left out takes its default." }),
  );

const decryption = z
  .strictObject({
    provider: z
      ._default(z.literal("sops"), "sops")
      .check(z.meta({ description: "Decryption provider. Only sops exists." })),
    secretRef: z
      .optional(
        z.nullable(z.strictObject({ name: objectName("Secret holding the SOPS keys (age or OpenPGP)") })),
      )
      .check(
        z.meta({
          description: `The Secret with the private keys, in the Kustomization's namespace. Defaults to ${SOPS_AGE_SECRET_NAME} (what the stack's secrets.sopsAge places) unless serviceAccountName is given; null leaves it out (the controller's own cloud KMS identity).`,
        }),
      ),
    serviceAccountName: z.optional(objectName("ServiceAccount used to reach a cloud KMS")),
  })
  .check(z.meta({ description: "spec.decryption: decrypt SOPS-encrypted Secrets before applying them." }));

const substituteReference = z.strictObject({
  kind: z.enum(["ConfigMap", "Secret"]),
  name: objectName("ConfigMap or Secret name"),
  optional: z.optional(z.boolean()),
});

const postBuild = z
  .strictObject({
    substitute: z
      .optional(z.record(z.string().check(z.regex(/^[_a-zA-Z][_a-zA-Z0-9]*$/)), z.string()))
      .check(z.meta({ description: "Variables replaced in the built manifests (${var}); quote numbers." })),
    substituteFrom: z.optional(z.array(substituteReference)).check(
      z.meta({
        description: "ConfigMaps and Secrets (in the Kustomization's namespace) holding more variables.",
      }),
    ),
    substituteStrategy: z.optional(z.enum(["WithVariables", "Always"])),
  })
  .check(z.meta({ description: "spec.postBuild: variable substitution after kustomize build." }));

const healthCheck = z.strictObject({
  apiVersion: z.optional(z.string().check(z.minLength(1))),
  kind: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  namespace: z.optional(z.string().check(z.minLength(1))),
});

const patch = z.strictObject({
  patch: z
    .string()
    .check(z.minLength(1), z.meta({ description: "A strategic merge or JSON 6902 patch, as YAML text." })),
  target: z.optional(kustomizePatchTarget()),
});

/** An exact chart version: a range would let a new chart release roll out without a commit. */
export const PINNED_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

const valuesReference = z.strictObject({
  kind: z.enum(["ConfigMap", "Secret"]),
  name: objectName("ConfigMap or Secret name (in the app's namespace)"),
  valuesKey: z.optional(z.string().check(z.minLength(1))),
  targetPath: z.optional(z.string().check(z.minLength(1))),
  optional: z.optional(z.boolean()),
});

const helm = z
  .strictObject({
    repository: z.string().check(
      z.regex(/^(https?|oci):\/\/\S+$/, {
        error: "must be an https:// chart repository or an oci:// registry path",
      }),
      z.meta({
        description:
          "The chart repository: https://… (a HelmRepository is written) or oci://… without the chart name (an OCIRepository is written).",
      }),
    ),
    chart: z
      .string()
      .check(
        z.regex(/^[^/\s]+$/, { error: "must be a chart name without '/'" }),
        z.meta({ description: "Chart name." }),
      ),
    version: z.string().check(
      z.regex(PINNED_VERSION, {
        error:
          "must be an exact chart version such as 1.16.2 (a range would upgrade without a commit; let Renovate bump it)",
      }),
      z.meta({ description: "Exact chart version (pinned)." }),
    ),
    releaseName: z
      .optional(z.string().check(z.minLength(1), z.maxLength(53)))
      .check(z.meta({ description: "Helm release name. Defaults to the app name." })),
    values: z
      .optional(z.record(z.string(), z.unknown()))
      .check(z.meta({ description: "spec.values of the HelmRelease." })),
    valuesFrom: z
      .optional(z.array(valuesReference))
      .check(z.meta({ description: "spec.valuesFrom of the HelmRelease." })),
  })
  .check(
    z.meta({
      description:
        "Deploy this app as a Helm chart: a HelmRepository or OCIRepository and a helm.toolkit.fluxcd.io/v2 HelmRelease in the app's namespace, applied by the app's Kustomization so waves and dependsOn hold (Flux only).",
    }),
  );

const oci = z
  .strictObject({
    url: z
      .string()
      .check(
        z.regex(/^oci:\/\/\S+$/, { error: "must be an oci:// artifact URL" }),
        z.meta({ description: "The OCI artifact (as flux push artifact writes it)." }),
      ),
    tag: z.optional(z.string().check(z.minLength(1))),
    semver: z.optional(z.string().check(z.minLength(1))),
    digest: z.optional(z.string().check(z.regex(/^sha256:[a-f0-9]{64}$/))),
    path: z
      .optional(z.string())
      .check(z.meta({ description: "Directory inside the artifact. Defaults to its root." })),
  })
  .check(
    z.superRefine((value, ctx) => {
      const refs = [value.tag, value.semver, value.digest].filter((ref) => ref !== undefined);
      if (refs.length !== 1)
        ctx.addIssue({ code: "custom", message: "give exactly one of tag, semver or digest" });
    }),
    z.meta({
      description:
        "Deploy this app from an OCI artifact: an OCIRepository is written and the app's Kustomization reads it (Flux only).",
    }),
  );

/** The keys `defaults.flux` and `apps.<name>.flux` share. */
const sharedFluxKeys = {
  targetNamespace: z.optional(z.boolean()).check(
    z.meta({
      description:
        "Write spec.targetNamespace (the app's namespace), which puts every namespaced object of the app into it and renames its Namespace objects. Defaults to true.",
    }),
  ),
  createNamespace: z.optional(z.boolean()).check(
    z.meta({
      description:
        "Write a Namespace (<ns>-namespace.yaml) for the app's namespace. Defaults to the value of targetNamespace.",
    }),
  ),
  wait: z.optional(z.boolean()).check(
    z.meta({
      description:
        "spec.wait: Ready only when every applied object is healthy. Defaults to true; false is not written.",
    }),
  ),
  force: z.optional(z.boolean()).check(
    z.meta({
      description:
        "spec.force: recreate objects whose immutable fields changed. Defaults to false (not written).",
    }),
  ),
  prune: z
    .optional(z.boolean())
    .check(z.meta({ description: "spec.prune: garbage-collect removed objects. Defaults to true." })),
  timeout: z
    .optional(duration())
    .check(z.meta({ description: "spec.timeout. Defaults to not written (Flux: interval)." })),
  retryInterval: z.optional(z.nullable(duration())).check(
    z.meta({
      description:
        "spec.retryInterval. Defaults to 1m; null leaves it out (Flux then retries at the interval).",
    }),
  ),
  sourceRef: z.optional(sourceRef),
  serviceAccountName: z.optional(objectName("spec.serviceAccountName: the ServiceAccount to impersonate")),
  decryption: z.optional(decryption),
  postBuild: z.optional(postBuild),
  healthChecks: z
    .optional(z.array(healthCheck))
    .check(z.meta({ description: "spec.healthChecks (used when wait is false)." })),
  patches: z.optional(z.array(patch)).check(z.meta({ description: "spec.patches." })),
  components: z
    .optional(z.array(z.string().check(z.minLength(1))))
    .check(z.meta({ description: "spec.components: kustomize Component paths." })),
};

/** `defaults.flux`: every app's Flux settings unless it overrides them (the interval is `flux.interval`). */
export const fluxDefaultsSchema = z
  .strictObject(sharedFluxKeys)
  .check(
    z.meta({ description: "Flux Kustomization settings every app gets unless it sets its own (Flux only)." }),
  );

/** `apps.<name>.flux`: one app's Flux settings; each key replaces the same key of `defaults.flux`. */
export const fluxAppSchema = z
  .strictObject({
    ...sharedFluxKeys,
    interval: z
      .optional(duration())
      .check(z.meta({ description: "spec.interval of this app. Defaults to flux.interval." })),
    helm: z.optional(helm),
    oci: z.optional(oci),
  })
  .check(
    z.superRefine((value, ctx) => {
      // These two make the app's source; a second way to name it would be silently ignored.
      if (value.helm !== undefined && value.oci !== undefined) {
        ctx.addIssue({ code: "custom", path: ["oci"], message: "give helm or oci, not both" });
      } else if ((value.helm !== undefined || value.oci !== undefined) && value.sourceRef !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["sourceRef"],
          message: `${value.helm !== undefined ? "helm" : "oci"} makes the app's source; remove sourceRef`,
        });
      }
    }),
    z.meta({
      description: "This app's Flux Kustomization settings; each key replaces defaults.flux's (Flux only).",
    }),
  );

type DecryptionSettings = z.output<typeof decryption>;

export type FluxDefaults = z.output<typeof fluxDefaultsSchema>;
export type FluxAppOverride = z.output<typeof fluxAppSchema>;

/** How waves become dependsOn: see docs/catalog.md "Flux: waves". */
export const FLUX_WAVE_DEPENDENCIES = ["all", "barrier"] as const;
export type FluxWaveDependencies = (typeof FLUX_WAVE_DEPENDENCIES)[number];

export const fluxWaveDependencies = z._default(z.enum(FLUX_WAVE_DEPENDENCIES), "all").check(
  z.meta({
    description:
      "How waves become dependsOn. all: each app depends on every app of the nearest lower wave (quadratic in wide waves). barrier: one no-op Kustomization per wave depends on that wave's apps, and the next wave's apps depend on it only (linear). Defaults to all.",
  }),
);

/** One app's Flux settings, resolved (defaults applied, nothing optional left to guess). */
export interface ResolvedFluxSettings {
  targetNamespace: boolean;
  createNamespace: boolean;
  wait: boolean;
  force: boolean;
  prune: boolean;
  /** Undefined: flux.interval. */
  interval?: string;
  timeout?: string;
  /** null: not written. */
  retryInterval: string | null;
  sourceRef?: z.output<typeof sourceRef>;
  serviceAccountName?: string;
  decryption?: DecryptionSettings;
  postBuild?: z.output<typeof postBuild>;
  healthChecks?: Array<z.output<typeof healthCheck>>;
  patches?: Array<z.output<typeof patch>>;
  components?: string[];
  helm?: z.output<typeof helm>;
  oci?: z.output<typeof oci>;
}

/** How soon Flux retries a failed apply or health check, instead of waiting a whole interval. */
export const FLUX_RETRY_INTERVAL = "1m";

/** Today's settings for an app that sets nothing: the output of earlier versions, byte for byte. */
const BUILT_IN = { targetNamespace: true, wait: true, force: false, prune: true } as const;

/** An app's Flux settings: its own keys, else `defaults.flux`'s, else the built-in defaults. */
export function resolveFluxSettings(
  own: FluxAppOverride | undefined,
  defaults: FluxDefaults | undefined,
): ResolvedFluxSettings {
  const pick = <K extends keyof FluxDefaults>(key: K): FluxDefaults[K] => own?.[key] ?? defaults?.[key];
  const targetNamespace = pick("targetNamespace") ?? BUILT_IN.targetNamespace;
  // `null` is a value here (leave retryInterval out), so `??` must not skip it.
  const retryInterval =
    own !== undefined && own.retryInterval !== undefined
      ? own.retryInterval
      : defaults !== undefined && defaults.retryInterval !== undefined
        ? defaults.retryInterval
        : FLUX_RETRY_INTERVAL;
  const out: ResolvedFluxSettings = {
    targetNamespace,
    createNamespace: pick("createNamespace") ?? targetNamespace,
    wait: pick("wait") ?? BUILT_IN.wait,
    force: pick("force") ?? BUILT_IN.force,
    prune: pick("prune") ?? BUILT_IN.prune,
    retryInterval,
  };
  if (own?.interval !== undefined) out.interval = own.interval;
  if (own?.helm !== undefined) out.helm = structuredClone(own.helm);
  if (own?.oci !== undefined) out.oci = structuredClone(own.oci);
  const optional = [
    "timeout",
    "sourceRef",
    "serviceAccountName",
    "decryption",
    "postBuild",
    "healthChecks",
    "patches",
    "components",
  ] as const;
  for (const key of optional) {
    const value = pick(key);
    if (value !== undefined) (out as unknown as Record<string, unknown>)[key] = structuredClone(value);
  }
  if (out.decryption !== undefined) out.decryption = withDecryptionSecret(out.decryption);
  return out;
}

/**
 * `decryption` with its Secret filled in: `decryption: {}` reads the sops-age Secret the stack's
 * secrets.sopsAge places; a serviceAccountName alone (cloud KMS) gets none; null writes none.
 */
function withDecryptionSecret(decryption: DecryptionSettings): DecryptionSettings {
  const { secretRef, ...rest } = decryption;
  if (secretRef === null) return rest;
  if (secretRef !== undefined || rest.serviceAccountName !== undefined) return decryption;
  return { ...rest, secretRef: { name: SOPS_AGE_SECRET_NAME } };
}

/** The settings of an app that sets nothing. */
export const BUILT_IN_FLUX: Readonly<ResolvedFluxSettings> = Object.freeze(
  resolveFluxSettings(undefined, undefined),
);

/** An app's resolved Flux settings, or the built-in ones for an app resolved without them. */
export function fluxOf(app: { flux?: ResolvedFluxSettings }): ResolvedFluxSettings {
  return app.flux ?? BUILT_IN_FLUX;
}

/** Whether an app's settings are the built-in ones. */
export function isBuiltInFlux(settings: ResolvedFluxSettings): boolean {
  return (
    settings.targetNamespace &&
    settings.createNamespace &&
    settings.wait &&
    !settings.force &&
    settings.prune &&
    settings.retryInterval === FLUX_RETRY_INTERVAL &&
    Object.keys(settings).length === 6
  );
}
