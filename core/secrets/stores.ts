/**
 * What each External Secrets preset places: the credential Secret, with the keys the store's
 * documented `auth` section reads (external-secrets apis/externalsecrets/v1: onepassword
 * `auth.secretRef.connectTokenSecretRef`, bitwardensecretsmanager `auth.secretRef.credentials`,
 * doppler `auth.secretRef.dopplerToken`, aws `auth.secretRef.accessKeyIDSecretRef` and
 * `secretAccessKeySecretRef`), and optionally the ClusterSecretStore reading it.
 *
 * Pure: the component fills the Secret's values from Pulumi secrets; only key names live here.
 */
import type { ExternalSecretsSettings } from "./settings";

/** The ClusterSecretStore API external-secrets serves (v1 since external-secrets 0.17). */
export const SECRET_STORE_API_VERSION = "external-secrets.io/v1";

/** The data keys of the credential Secret, by what they hold. */
export const CREDENTIAL_KEYS = {
  onepassword: { token: "token" },
  bitwarden: { token: "token" },
  doppler: { token: "dopplerToken" },
  aws: { accessKeyId: "access-key-id", secretAccessKey: "secret-access-key" },
} as const;

/**
 * The Secret key the 1Password Connect chart reads its credentials from (`connect.credentialsKey`),
 * under `connect.credentialsName` (default op-credentials). The value is the credentials file
 * base64-encoded once more: Connect reads it into OP_SESSION, which holds base64
 * (1Password/connect-helm-charts issue 202).
 */
export const ONEPASSWORD_CREDENTIALS_KEY = "1password-credentials.json";

/** The labels every Secret of the secret-zero part carries: who placed it, for `kubectl get -l`. */
export const SECRET_ZERO_LABELS = {
  "app.kubernetes.io/managed-by": "gitops-bootstrap",
  "gitops-bootstrap/part": "secret-zero",
} as const;

/** A ClusterSecretStore as plain data, for the stack output users commit to the manifest repository. */
export interface ClusterSecretStore {
  apiVersion: typeof SECRET_STORE_API_VERSION;
  kind: "ClusterSecretStore";
  metadata: { name: string };
  spec: { provider: Record<string, unknown> };
}

/**
 * The ClusterSecretStore of the preset, reading the credential Secret this stack places; undefined
 * without `store`. `region` is the AWS region (the account stack's), used only by the aws preset.
 */
export function clusterSecretStore(
  settings: ExternalSecretsSettings,
  region?: string,
): ClusterSecretStore | undefined {
  if (settings.store === undefined) return undefined;
  const ref = (key: string) => ({ name: settings.secretName, namespace: settings.namespace, key });
  const store = (provider: Record<string, unknown>): ClusterSecretStore => ({
    apiVersion: SECRET_STORE_API_VERSION,
    kind: "ClusterSecretStore",
    metadata: { name: settings.store?.name ?? "" },
    spec: { provider },
  });
  switch (settings.provider) {
    case "onepassword": {
      const { connectHost, vaults } = settings.store as NonNullable<typeof settings.store>;
      return store({
        onepassword: {
          connectHost,
          vaults,
          auth: { secretRef: { connectTokenSecretRef: ref(CREDENTIAL_KEYS.onepassword.token) } },
        },
      });
    }
    case "bitwarden": {
      const s = settings.store as NonNullable<typeof settings.store>;
      return store({
        bitwardensecretsmanager: {
          organizationID: s.organizationID,
          projectID: s.projectID,
          bitwardenServerSDKURL: s.bitwardenServerSDKURL,
          ...(s.caBundle === undefined ? {} : { caBundle: s.caBundle }),
          auth: { secretRef: { credentials: ref(CREDENTIAL_KEYS.bitwarden.token) } },
        },
      });
    }
    case "doppler": {
      const s = settings.store as NonNullable<typeof settings.store>;
      return store({
        doppler: {
          ...(s.project === undefined ? {} : { project: s.project }),
          ...(s.config === undefined ? {} : { config: s.config }),
          auth: { secretRef: { dopplerToken: ref(CREDENTIAL_KEYS.doppler.token) } },
        },
      });
    }
    case "aws": {
      const s = settings.store as NonNullable<typeof settings.store>;
      return store({
        aws: {
          service: s.service,
          region: region ?? "",
          auth: {
            secretRef: {
              accessKeyIDSecretRef: ref(CREDENTIAL_KEYS.aws.accessKeyId),
              secretAccessKeySecretRef: ref(CREDENTIAL_KEYS.aws.secretAccessKey),
            },
          },
        },
      });
    }
  }
}
