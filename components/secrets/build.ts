/**
 * The cluster stack's secret-zero part (`gitops-bootstrap:secrets`), registered by stacks/cluster.ts:
 * what exists when it is not configured is nothing at all.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { SecretsSettings } from "../../core/secrets/settings";
import { clusterSecretStore } from "../../core/secrets/stores";
import { kubernetesYaml } from "../../core/shared/yaml";
import { SopsAgeKeys, StoreCredentials } from "./secret-zero";

export interface SecretZeroArgs {
  settings: SecretsSettings;
  provider: k8s.Provider;
  /** Made when sopsAge generates a key and no other part made one. */
  tlsProvider?: tls.Provider;
  /** The Flux namespace (the engine's output, so the Secret waits for the Namespace). */
  fluxNamespace: pulumi.Output<string>;
  secrets: {
    sopsAgeKey?: pulumi.Output<string>;
    externalSecretsToken?: pulumi.Output<string>;
    onePasswordCredentials?: pulumi.Output<string>;
  };
  /** The account stack's outputs the aws preset reads. */
  account?: {
    region: pulumi.Output<string>;
    accessKeyId: pulumi.Output<string>;
    secretAccessKey: pulumi.Output<string>;
  };
}

export interface SecretZeroOutputs {
  /** The Secrets the root should wait for: Flux decrypts only once sops-age exists. */
  waitFor: pulumi.Resource[];
  /** The age recipients for .sops.yaml, when sopsAge is set. */
  sopsAgeRecipients?: pulumi.Output<string[]>;
  /** The ClusterSecretStore as YAML, to commit next to the external-secrets app, when store is set. */
  externalSecretsStore?: pulumi.Output<string>;
}

/** Registers what `secrets` asks for; nothing when it is empty. */
export function buildSecretZero(args: SecretZeroArgs): SecretZeroOutputs {
  const { sopsAge, externalSecrets } = args.settings;
  const out: SecretZeroOutputs = { waitFor: [] };
  if (sopsAge !== undefined) {
    const keys = new SopsAgeKeys("sops-age", {
      provider: args.provider,
      ...(args.tlsProvider === undefined ? {} : { tlsProvider: args.tlsProvider }),
      namespace: args.fluxNamespace,
      settings: sopsAge,
      ...(args.secrets.sopsAgeKey === undefined ? {} : { existingKeys: args.secrets.sopsAgeKey }),
    });
    out.waitFor.push(keys.secret);
    out.sopsAgeRecipients = keys.recipients;
  }
  if (externalSecrets !== undefined) {
    new StoreCredentials("external-secrets", {
      provider: args.provider,
      settings: externalSecrets,
      ...(args.secrets.externalSecretsToken === undefined
        ? {}
        : { token: args.secrets.externalSecretsToken }),
      ...(args.secrets.onePasswordCredentials === undefined
        ? {}
        : { onePasswordCredentials: args.secrets.onePasswordCredentials }),
      ...(args.account === undefined
        ? {}
        : { aws: { accessKeyId: args.account.accessKeyId, secretAccessKey: args.account.secretAccessKey } }),
    });
    if (externalSecrets.store !== undefined) {
      const region = args.account?.region ?? pulumi.output<string | undefined>(undefined);
      out.externalSecretsStore = region.apply((r) => {
        const store = clusterSecretStore(externalSecrets, r);
        return store === undefined ? "" : kubernetesYaml(store);
      });
    }
  }
  return out;
}
