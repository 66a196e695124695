/**
 * The cluster's "secret zero" (docs/operations.md): Flux's SOPS age identities and the credentials
 * of one External Secrets store, each a Kubernetes Secret placed from Pulumi secrets before GitOps
 * syncs anything that needs them. Values are secret Outputs end to end; only names live in clear.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { ageKeyFile, ageRecipientOf, ed25519Seed, parseAgeKeyFile } from "../../core/secrets/age";
import type { ExternalSecretsSettings, SopsAgeSettings } from "../../core/secrets/settings";
import { CREDENTIAL_KEYS, ONEPASSWORD_CREDENTIALS_KEY, SECRET_ZERO_LABELS } from "../../core/secrets/stores";

/** The data key Flux's kustomize-controller reads age identities from (any key ending in .agekey). */
export const AGE_KEY_FILE = "age.agekey";

export interface SopsAgeArgs {
  /** Kubernetes provider of the cluster. Required. */
  provider: k8s.Provider;
  /** tls provider the identities are generated with. Required when `settings.keys` is not empty. */
  tlsProvider?: tls.Provider;
  /** The Flux namespace: the generated Kustomizations' namespace, where decryption looks. Required. */
  namespace: pulumi.Input<string>;
  settings: SopsAgeSettings;
  /** Identities the user brought (an age key file, as a secret), added after the generated ones. */
  existingKeys?: pulumi.Output<string>;
}

/**
 * The `sops-age` Secret in the Flux namespace. Each name in `settings.keys` is one identity whose
 * 32 secret bytes are the seed of a tls ED25519 key (random, kept in state as a secret).
 */
export class SopsAgeKeys extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  /** The recipients (`age1…`) of every identity in the Secret, generated first in `keys` order. */
  public readonly recipients: pulumi.Output<string[]>;

  constructor(name: string, args: SopsAgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:secrets:SopsAgeKeys", name, {}, opts);
    if (args.settings.keys.length > 0 && args.tlsProvider === undefined)
      throw new pulumi.ResourceError("pass tlsProvider: it generates the age identities", this);
    const seeds = args.settings.keys.map(
      (key) =>
        new tls.PrivateKey(
          `${name}-${key}`,
          { algorithm: "ED25519" },
          // Protected (settings.protect, on by default): the state holds the only copy of the
          // identity, and a destroy or a removed key name would lose every file encrypted to it.
          { parent: this, provider: args.tlsProvider, protect: args.settings.protect },
        ).privateKeyPemPkcs8,
    );
    const secrets = pulumi.all([pulumi.all(seeds), args.existingKeys ?? ""]).apply(([pems, existing]) => {
      const own = pems.map(ed25519Seed);
      const parsed = parseAgeKeyFile(existing);
      // Config validation refuses a malformed file first; this guards other callers without quoting it.
      if ("badLines" in parsed)
        throw new Error(`the existing age key file is malformed at lines ${parsed.badLines.join(", ")}`);
      return [...own, ...parsed.identities];
    });
    // Recipients are public keys: unsecret, so `pulumi stack output` shows them for .sops.yaml.
    this.recipients = pulumi.unsecret(secrets.apply((all) => all.map(ageRecipientOf)));
    this.secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: {
          name: args.settings.secretName,
          namespace: args.namespace,
          labels: { ...SECRET_ZERO_LABELS },
        },
        type: "Opaque",
        stringData: { [AGE_KEY_FILE]: pulumi.secret(secrets.apply(ageKeyFile)) },
      },
      // Left on the cluster on destroy: Flux keeps decrypting what it applied without this stack.
      { parent: this, provider: args.provider, retainOnDelete: true },
    );
    this.registerOutputs({ recipients: this.recipients });
  }
}

export interface StoreCredentialsArgs {
  provider: k8s.Provider;
  settings: ExternalSecretsSettings;
  /** The 1Password Connect, Bitwarden or Doppler token (not for aws). */
  token?: pulumi.Output<string>;
  /** The 1Password Connect server's credentials file, placed for the Connect chart (onepassword only). */
  onePasswordCredentials?: pulumi.Output<string>;
  /** The account stack's reader access key (aws only). */
  aws?: { accessKeyId: pulumi.Output<string>; secretAccessKey: pulumi.Output<string> };
}

/**
 * The External Secrets store's credential Secret, with the keys the store's auth section reads
 * (core/secrets/stores.ts), and for 1Password the Connect server's op-credentials, in namespaces
 * this component makes (GitOps installs ESO and Connect into them later).
 */
export class StoreCredentials extends pulumi.ComponentResource {
  public readonly secrets: k8s.core.v1.Secret[];

  constructor(name: string, args: StoreCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:secrets:StoreCredentials", name, {}, opts);
    const { settings } = args;
    const child = { parent: this, provider: args.provider };
    const data = storeSecretData(this, args);
    const namespaces = [
      ...new Set([
        settings.namespace,
        ...(settings.provider === "onepassword" && args.onePasswordCredentials !== undefined
          ? [settings.connectNamespace ?? settings.namespace]
          : []),
      ]),
    ];
    // GitOps installs ESO (and Connect) into these later: Pulumi makes them now so the Secrets have
    // a home, and leaves them on destroy (ESO's own objects live there too).
    const made = new Map(
      namespaces.map((ns) => [
        ns,
        new k8s.core.v1.Namespace(
          `${name}-${ns}`,
          { metadata: { name: ns, labels: { ...SECRET_ZERO_LABELS } } },
          { ...child, retainOnDelete: true },
        ),
      ]),
    );
    const secret = (
      resource: string,
      namespace: string,
      secretName: string,
      stringData: Record<string, pulumi.Input<string>>,
    ) =>
      new k8s.core.v1.Secret(
        resource,
        {
          metadata: {
            name: secretName,
            namespace: made.get(namespace)?.metadata.name ?? namespace,
            labels: { ...SECRET_ZERO_LABELS },
          },
          type: "Opaque",
          stringData,
        },
        child,
      );
    this.secrets = [secret(name, settings.namespace, settings.secretName, data)];
    if (settings.provider === "onepassword" && args.onePasswordCredentials !== undefined) {
      this.secrets.push(
        secret(
          `${name}-connect`,
          settings.connectNamespace ?? settings.namespace,
          settings.credentialsSecretName,
          {
            // Connect reads the file base64-encoded (OP_SESSION); stringData then encodes it once more.
            [ONEPASSWORD_CREDENTIALS_KEY]: pulumi.secret(
              args.onePasswordCredentials.apply((json) => Buffer.from(json, "utf8").toString("base64")),
            ),
          },
        ),
      );
    }
    this.registerOutputs({});
  }
}

/** The credential Secret's data for the preset; every value a secret Output. */
function storeSecretData(
  parent: pulumi.Resource,
  args: StoreCredentialsArgs,
): Record<string, pulumi.Input<string>> {
  const { provider } = args.settings;
  if (provider === "aws") {
    if (args.aws === undefined)
      throw new pulumi.ResourceError("the aws preset needs the reader's access key", parent);
    return {
      [CREDENTIAL_KEYS.aws.accessKeyId]: pulumi.secret(args.aws.accessKeyId),
      [CREDENTIAL_KEYS.aws.secretAccessKey]: pulumi.secret(args.aws.secretAccessKey),
    };
  }
  if (args.token === undefined)
    throw new pulumi.ResourceError(`the ${provider} preset needs its token`, parent);
  return { [CREDENTIAL_KEYS[provider].token]: pulumi.secret(args.token) };
}
