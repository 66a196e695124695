/**
 * `gitops-bootstrap:secrets`: the "secret zero" a cluster needs before GitOps can decrypt or fetch
 * the rest (docs/operations.md, "Secret zero"): Flux's SOPS age key, and the credentials of one
 * External Secrets store, each placed as a Kubernetes Secret from Pulumi secrets.
 *
 * Field names of the store objects follow external-secrets' v1 API
 * (external-secrets/external-secrets apis/externalsecrets/v1/secretstore_*_types.go).
 */
import { z } from "zod";
import { bool, count, label } from "../shared/settings-schema";

/** A DNS-1123 subdomain: the name of a Secret or a ClusterSecretStore. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const objectName = () =>
  z.string({ error: "must be a string" }).max(253).regex(SUBDOMAIN, {
    error: "must be a Kubernetes object name: lower-case letters, digits, '-' and '.'",
  });

import { SOPS_AGE_SECRET_NAME } from "./names";

export { SOPS_AGE_SECRET_NAME };

/**
 * `secrets.sopsAge`: age identities for Flux's SOPS decryption. Each name in `keys` is one
 * identity the stack generates (and keeps in its state as a secret); the Secret holds them all, so
 * a rotation adds a name, re-encrypts to the new recipient, then removes the old name.
 */
const sopsAgeSchema = z
  .object({
    keys: z
      .array(label(), { error: 'must be a list of key names such as ["1"]' })
      .default(["1"])
      .superRefine((keys, ctx) => {
        const twice = keys.filter((key, i) => keys.indexOf(key) !== i);
        if (twice.length > 0)
          ctx.addIssue({ code: "custom", message: `names ${twice.join(", ")} twice; each key name once` });
      }),
    secretName: objectName().default(SOPS_AGE_SECRET_NAME),
    // The generated identities exist nowhere else: losing them loses every file encrypted to them.
    protect: bool().default(true),
  })
  .strict();

/** The ESO providers a preset exists for, by the name the settings use. */
export const STORE_PROVIDERS = ["onepassword", "bitwarden", "doppler", "aws"] as const;
export type StoreProvider = (typeof STORE_PROVIDERS)[number];

const storeName = (fallback: string) => objectName().default(fallback);
const common = { namespace: label().default("external-secrets") };

const onePasswordSchema = z
  .object({
    provider: z.literal("onepassword"),
    ...common,
    secretName: objectName().default("onepassword-connect-token"),
    /** Where the Connect server runs (it reads op-credentials); defaults to `namespace`. */
    connectNamespace: label().optional(),
    credentialsSecretName: objectName().default("op-credentials"),
    store: z
      .object({
        name: storeName("onepassword"),
        connectHost: z.url({
          error: "must be the Connect server's URL, such as http://onepassword-connect.external-secrets:8080",
        }),
        vaults: z
          .record(z.string().min(1), count(1, 1000), {
            error: "must map vault names to their search order (1 first)",
          })
          .refine((vaults) => Object.keys(vaults).length > 0, { error: "must name at least one vault" }),
      })
      .strict()
      .optional(),
  })
  .strict();

const bitwardenSchema = z
  .object({
    provider: z.literal("bitwarden"),
    ...common,
    secretName: objectName().default("bitwarden-access-token"),
    store: z
      .object({
        name: storeName("bitwarden"),
        organizationID: z.string().min(1),
        projectID: z.string().min(1),
        bitwardenServerSDKURL: z.url({ error: "must be the bitwarden-sdk-server's https URL" }),
        caBundle: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const dopplerSchema = z
  .object({
    provider: z.literal("doppler"),
    ...common,
    secretName: objectName().default("doppler-token"),
    store: z
      .object({
        name: storeName("doppler"),
        project: z.string().min(1).optional(),
        config: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The two AWS services ESO reads, by its `service` names. */
export const AWS_STORE_SERVICES = ["ParameterStore", "SecretsManager"] as const;

const awsSchema = z
  .object({
    provider: z.literal("aws"),
    ...common,
    secretName: objectName().default("aws-secrets-reader"),
    store: z
      .object({
        name: storeName("aws"),
        service: z
          .enum(AWS_STORE_SERVICES, { error: "must be ParameterStore or SecretsManager" })
          .default("ParameterStore"),
      })
      .strict()
      .optional(),
  })
  .strict();

const externalSecretsSchema = z.discriminatedUnion(
  "provider",
  [onePasswordSchema, bitwardenSchema, dopplerSchema, awsSchema],
  { error: `provider must be one of ${STORE_PROVIDERS.join(", ")}` },
);

export const secretsSettingsSchema = z
  .object({
    sopsAge: sopsAgeSchema.optional(),
    externalSecrets: externalSecretsSchema.optional(),
  })
  .strict();

export type SecretsSettings = z.output<typeof secretsSettingsSchema>;
export type SopsAgeSettings = z.output<typeof sopsAgeSchema>;
export type ExternalSecretsSettings = z.output<typeof externalSecretsSchema>;
