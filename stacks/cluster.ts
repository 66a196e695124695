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
import { FluxOperator } from "../components/flux/flux-operator";
import { RootApp } from "../components/shared/root-app";
import { argoCdRootObjects, type ArgoCdSettings } from "../core/argocd/argocd";
import type { ManifestRepo } from "../core/repository/repository";
import { fluxRootObjects } from "../core/flux/flux";
import { aclFragment, ciRbacWanted, type PolicyFragment } from "../core/tailscale/ci-access";
import { CiClusterAccess } from "../components/tailscale/ci-cluster-access";
import { CI_OUTPUT_NAMES } from "./account-config";
import { argoCdSettingsOf, formatConfigErrors, type StackConfig } from "./config";
import type { StackSecrets } from "./load-config";
import { buildGithubAccess, type GithubAccessArgs } from "./github-access";
import { buildHub, buildSpoke, type SpokeOutputs } from "./hub";
import { providerArgs, providerUseProblems, type ProviderPackage, type ProviderUse } from "./provider-config";

export interface ClusterOutputs {
  /** `argocd`, `flux` or `flux-operator`. */
  engine: string;
  /** Namespace the engine runs in. */
  namespace: pulumi.Output<string>;
  /**
   * Name of the root app of apps (Argo CD Application or Flux Kustomization; with the Flux
   * Operator, the Kustomization the FluxInstance syncs).
   */
  rootApp: string;
  /** The manifest repository the engine reconciles. */
  repoUrl: string;
  /**
   * The tailnet policy fragment CI's identities need (tag owners, grants impersonating their
   * Kubernetes groups), to merge into the policy file by hand; present when the Tailscale part is
   * on or the cluster is reached through `kubernetes.tailscaleHost`.
   */
  tailscalePolicy?: PolicyFragment;
  /** With `hub.spoke`: what the hub stack reads (stacks/hub.ts). */
  hubSpoke?: SpokeOutputs["hubSpoke"];
  hubSpokeCredentials?: SpokeOutputs["hubSpokeCredentials"];
  hubTailscalePolicy?: SpokeOutputs["hubTailscalePolicy"];
}

/** Argo CD settings as the pure builders take them (whether an OIDC client secret exists). */
export function argoCdSettings(
  config: StackConfig,
  secrets: Pick<StackSecrets, "argocdOidcClientSecret">,
): ArgoCdSettings {
  return argoCdSettingsOf(config, secrets.argocdOidcClientSecret !== undefined);
}

/**
 * How this cluster stack uses each provider package: which explicit providers exist, and the
 * inputs the stack sets on them from its own settings. Every other key of `github:*`,
 * `tailscale:*`, `tls:*` and `kubernetes:*` the user set is passed on (stacks/provider-config.ts).
 */
export function clusterProviderUses(config: StackConfig): Record<ProviderPackage, ProviderUse> {
  const context = kubeContext(config);
  const githubOff = "gitops-bootstrap:github is off";
  return {
    aws: { off: "a cluster stack reads the account stack's outputs and creates no AWS resource" },
    github: config.github.enabled
      ? { owned: { owner: { setting: "gitops-bootstrap:github.owner", value: config.github.owner } } }
      : { off: githubOff },
    tls: config.github.enabled ? { owned: {} } : { off: `${githubOff} (tls makes its deploy keys)` },
    tailscale: config.tailscale.enabled
      ? { owned: {} }
      : { off: "gitops-bootstrap:tailscale.enabled is false" },
    kubernetes: {
      owned: {
        // Unset means the kubeconfig's current context, as kubectl would use; `tailscale configure
        // kubeconfig <host>` names its context after the host.
        ...(context === undefined
          ? {}
          : {
              context: {
                setting: `gitops-bootstrap:kubernetes.${config.kubernetes.context === undefined ? "tailscaleHost" : "context"}`,
                value: context,
              },
            }),
        ...(config.kubernetes.kubeconfig === undefined
          ? {}
          : {
              kubeconfig: {
                setting: "gitops-bootstrap:kubernetes.kubeconfig",
                value: config.kubernetes.kubeconfig,
              },
            }),
      },
    },
  };
}

const owned = (use: ProviderUse) => ("owned" in use ? use.owned : {});

/**
 * Explicit providers for the GitHub and Tailscale parts, each only when its part is on, with the
 * stack's `github:*`, `tls:*` and `tailscale:*` config. Credentials not set there come from the
 * environment the providers document: GITHUB_TOKEN; TAILSCALE_OAUTH_CLIENT_ID and
 * TAILSCALE_OAUTH_CLIENT_SECRET (or TAILSCALE_API_KEY) with TAILSCALE_TAILNET.
 */
function accessProviders(
  config: StackConfig,
  uses: Record<ProviderPackage, ProviderUse>,
): GithubAccessArgs["providers"] {
  return {
    ...(config.github.enabled
      ? {
          github: new github.Provider(
            "github",
            providerArgs("github", owned(uses.github)) as github.ProviderArgs,
          ),
          tls: new tls.Provider("tls", providerArgs("tls", owned(uses.tls)) as tls.ProviderArgs),
        }
      : {}),
    ...(config.tailscale.enabled
      ? {
          tailscale: new tailscale.Provider(
            "tailscale",
            providerArgs("tailscale", owned(uses.tailscale)) as tailscale.ProviderArgs,
          ),
        }
      : {}),
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

/** Whether CI reaches this cluster over Tailscale: the policy fragment is exported then. */
function reachedOverTailscale(config: StackConfig): boolean {
  return config.tailscale.enabled || config.kubernetes.tailscaleHost !== undefined;
}

/**
 * The RBAC for CI's impersonated groups, when {@link ciRbacWanted}. `namespace` is the engine's
 * namespace output, so a namespaced Role waits for the Namespace.
 */
function ciClusterAccess(
  config: StackConfig,
  provider: k8s.Provider,
  engineNamespace: string,
  namespace: pulumi.Output<string>,
): CiClusterAccess | undefined {
  const wanted = ciRbacWanted({
    tailscaleHost: config.kubernetes.tailscaleHost,
    tailscaleEnabled: config.tailscale.enabled,
    rbac: config.tailscale.ci.rbac,
  });
  if (!wanted) return undefined;
  return new CiClusterAccess("ci-access", {
    provider,
    settings: config.tailscale.ci,
    engineNamespace,
    namespace,
  });
}

/** The cluster's outputs, with the tailnet policy fragment when CI reaches it over Tailscale. */
function clusterOutputs(config: StackConfig, outputs: ClusterOutputs): ClusterOutputs {
  if (!reachedOverTailscale(config)) return outputs;
  const { apiServer, tagOwners, ci } = config.tailscale;
  return { ...outputs, tailscalePolicy: aclFragment({ ci, apiServer, tagOwners }) };
}

/** Registers one cluster's resources. Every resource uses an explicit provider. */
export function buildCluster(config: StackConfig, secrets: StackSecrets): ClusterOutputs {
  const uses = clusterProviderUses(config);
  const problems = providerUseProblems(pulumi.runtime.allConfig(), uses);
  if (problems.length > 0) throw new pulumi.RunError(formatConfigErrors(pulumi.getStack(), problems));
  const provider = new k8s.Provider(
    "kubernetes",
    providerArgs("kubernetes", owned(uses.kubernetes)) as k8s.ProviderArgs,
  );
  const repo: ManifestRepo = config.repo;

  const aws = accountOutputsForCi(config.aws.accountStack);
  const access = buildGithubAccess({
    stack: pulumi.getStack(),
    github: config.github,
    tailscale: config.tailscale,
    repo: { url: repo.url },
    ...(aws === undefined ? {} : { aws }),
    providers: accessProviders(config, uses),
  });
  const spoke = buildSpoke(config, provider, aws);
  // An https repository is read with its token; an SSH one with the generated read-only key when
  // the GitHub part is on, else the configured one. Config validation guarantees exactly one.
  const sshPrivateKey = access.repoSshPrivateKey ?? secrets.repoSshPrivateKey;
  const credential =
    repo.username !== undefined
      ? secrets.repoToken === undefined
        ? undefined
        : { httpsToken: secrets.repoToken }
      : sshPrivateKey === undefined
        ? undefined
        : { sshPrivateKey };
  if (credential === undefined)
    throw new pulumi.RunError(
      repo.username !== undefined
        ? "no token for the https repository: set repoToken"
        : "no read-only deploy key: set repoSshPrivateKey or switch on github",
    );
  // The engine can read the repository only once GitHub holds the deploy key.
  const rootWaitsFor = access.deployKeys === undefined ? [] : [access.deployKeys];

  if (config.engine === "argocd") {
    const settings = argoCdSettings(config, secrets);
    const engine = new ArgoCd("argocd", {
      provider,
      settings,
      repo,
      ...credential,
      // Only with OIDC configured: a client secret alone makes no Secret (config validation refuses it too).
      ...(settings.oidc?.hasClientSecret === true && secrets.argocdOidcClientSecret !== undefined
        ? { oidcClientSecret: secrets.argocdOidcClientSecret }
        : {}),
      chartVersion: config.charts.argoCd,
    });
    const root = new RootApp("root", {
      provider,
      namespace: engine.namespace,
      objects: argoCdRootObjects(settings, repo),
      rootName: settings.root.name,
      // Without a declared release (selfManagement.releaseOwner: engine), after everything the
      // engine's component still makes.
      waitFor: [engine.release ?? engine, ...rootWaitsFor],
    });
    ciClusterAccess(config, provider, settings.namespace, engine.namespace);
    buildHub(config, provider, engine.namespace);
    return clusterOutputs(config, {
      engine: "argocd",
      namespace: engine.namespace,
      rootApp: root.name,
      repoUrl: repo.url,
      ...spoke,
    });
  }

  if (config.engine === "flux-operator") {
    const settings = config.fluxOperator;
    // The FluxInstance's sync is the root: it is installed after the operator, and after the deploy key.
    const engine = new FluxOperator("flux-operator", {
      provider,
      settings,
      repo,
      ...credential,
      operatorChartVersion: config.charts.fluxOperator,
      instanceChartVersion: config.charts.fluxInstance,
      instanceWaitsFor: rootWaitsFor,
    });
    ciClusterAccess(config, provider, settings.namespace, engine.namespace);
    return clusterOutputs(config, {
      engine: "flux-operator",
      namespace: engine.namespace,
      rootApp: settings.sync.name,
      repoUrl: repo.url,
      ...spoke,
    });
  }

  const engine = new Flux("flux", {
    provider,
    settings: config.flux,
    repo,
    ...credential,
    chartVersion: config.charts.flux2,
  });
  const root = new RootApp("root", {
    provider,
    namespace: engine.namespace,
    objects: fluxRootObjects(config.flux, repo),
    rootName: config.flux.root.name,
    waitFor: [engine.release ?? engine, ...rootWaitsFor],
  });
  ciClusterAccess(config, provider, config.flux.namespace, engine.namespace);
  return clusterOutputs(config, {
    engine: "flux",
    namespace: engine.namespace,
    rootApp: root.name,
    repoUrl: repo.url,
    ...spoke,
  });
}
