/**
 * One cluster stack: a Kubernetes provider for the target cluster, the GitOps engine, and the root
 * app of apps pointing at the manifest repository.
 */
import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import * as tls from "@pulumi/tls";
import { ArgoCd } from "../components/argocd/argocd";
import { Flux } from "../components/flux/flux";
import { RootApp } from "../components/shared/root-app";
import { argoCdRootObjects, type ArgoCdSettings } from "../core/argocd/argocd";
import type { ManifestRepo } from "../core/repository/repository";
import { fluxRootObjects } from "../core/flux/flux";
import { CI_OUTPUT_NAMES } from "./account";
import type { StackConfig, StackSecrets } from "./config";
import { buildGithubAccess, type GithubAccessArgs } from "./github-access";

export interface ClusterOutputs {
  /** `argocd` or `flux`. */
  engine: string;
  /** Namespace the engine runs in. */
  namespace: pulumi.Output<string>;
  /** Name of the root app of apps (Argo CD Application or Flux Kustomization). */
  rootApp: string;
  /** The manifest repository the engine reconciles. */
  repoUrl: string;
}

/** Argo CD settings as the pure builders take them (whether an OIDC client secret exists). */
export function argoCdSettings(
  config: StackConfig,
  secrets: Pick<StackSecrets, "argocdOidcClientSecret">,
): ArgoCdSettings {
  const { oidc, ...rest } = config.argocd;
  return oidc === undefined
    ? rest
    : { ...rest, oidc: { ...oidc, hasClientSecret: secrets.argocdOidcClientSecret !== undefined } };
}

/**
 * Explicit providers for the GitHub and Tailscale parts, each only when its part is on. Credentials
 * come from the environment the providers document: GITHUB_TOKEN; TAILSCALE_OAUTH_CLIENT_ID and
 * TAILSCALE_OAUTH_CLIENT_SECRET (or TAILSCALE_API_KEY) with TAILSCALE_TAILNET.
 */
function accessProviders(config: StackConfig): GithubAccessArgs["providers"] {
  return {
    ...(config.github.enabled
      ? {
          github: new github.Provider("github", { owner: config.github.owner }),
          tls: new tls.Provider("tls"),
        }
      : {}),
    ...(config.tailscale.enabled ? { tailscale: new tailscale.Provider("tailscale", {}) } : {}),
  };
}

/**
 * The account stack's outputs CI needs (role ARNs, region, state backend, secrets provider), read
 * through a StackReference: the cluster stack never holds the account's resources in its state.
 */
function accountOutputsForCi(accountStack: string | undefined): GithubAccessArgs["aws"] {
  if (accountStack === undefined) return undefined;
  const account = new pulumi.StackReference("account", { name: accountStack });
  const read = (name: (typeof CI_OUTPUT_NAMES)[number]) =>
    account.requireOutput(name) as pulumi.Output<string>;
  return {
    region: read("region"),
    previewRoleArn: read("previewRoleArn"),
    deployRoleArn: read("deployRoleArn"),
    deployEnvironment: read("deployEnvironment"),
    previewEnvironment: read("previewEnvironment"),
    backendUrl: read("backendUrl"),
    secretsProvider: read("secretsProvider"),
  };
}

/** The kubeconfig context the provider uses: the configured one, or the Tailscale proxy's. */
export function kubeContext(config: StackConfig): string | undefined {
  return config.kubernetes.context ?? config.kubernetes.tailscaleHost;
}

/** Registers one cluster's resources. Every resource uses an explicit provider. */
export function buildCluster(config: StackConfig, secrets: StackSecrets): ClusterOutputs {
  const provider = new k8s.Provider("kubernetes", {
    // Unset means the kubeconfig's current context, as kubectl would use; `tailscale configure
    // kubeconfig <host>` names its context after the host.
    ...(kubeContext(config) === undefined ? {} : { context: kubeContext(config) }),
    ...(config.kubernetes.kubeconfig === undefined ? {} : { kubeconfig: config.kubernetes.kubeconfig }),
  });
  const repo: ManifestRepo = config.repo;

  const aws = accountOutputsForCi(config.aws.accountStack);
  const access = buildGithubAccess({
    stack: pulumi.getStack(),
    github: config.github,
    tailscale: config.tailscale,
    repo: { url: repo.url },
    ...(aws === undefined ? {} : { aws }),
    providers: accessProviders(config),
  });
  // The generated read-only key when the GitHub part is on; config validation guarantees exactly one source.
  const sshPrivateKey = access.repoSshPrivateKey ?? secrets.repoSshPrivateKey;
  if (sshPrivateKey === undefined)
    throw new pulumi.RunError("no read-only deploy key: set repoSshPrivateKey or switch on github");
  // The engine can read the repository only once GitHub holds the deploy key.
  const rootWaitsFor = access.deployKeys === undefined ? [] : [access.deployKeys];

  if (config.engine === "argocd") {
    const settings = argoCdSettings(config, secrets);
    const engine = new ArgoCd("argocd", {
      provider,
      settings,
      repo,
      sshPrivateKey,
      ...(secrets.argocdOidcClientSecret === undefined
        ? {}
        : { oidcClientSecret: secrets.argocdOidcClientSecret }),
      chartVersion: config.charts.argoCd,
    });
    const root = new RootApp("root", {
      provider,
      namespace: engine.namespace,
      objects: argoCdRootObjects(settings, repo),
      rootName: settings.root.name,
      waitFor: [engine.release, ...rootWaitsFor],
    });
    return { engine: "argocd", namespace: engine.namespace, rootApp: root.name, repoUrl: repo.url };
  }

  const engine = new Flux("flux", {
    provider,
    settings: config.flux,
    repo,
    sshPrivateKey,
    chartVersion: config.charts.flux2,
  });
  const root = new RootApp("root", {
    provider,
    namespace: engine.namespace,
    objects: fluxRootObjects(config.flux, repo),
    rootName: config.flux.root.name,
    waitFor: [engine.release, ...rootWaitsFor],
  });
  return { engine: "flux", namespace: engine.namespace, rootApp: root.name, repoUrl: repo.url };
}
