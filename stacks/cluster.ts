/**
 * One cluster stack: a Kubernetes provider for the target cluster, the GitOps engine, and the root
 * app of apps pointing at the manifest repository.
 */
import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
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
import { PulumiDeployments } from "../components/cloud/pulumi-deployments";
import { deploymentSettingsInputs, driftScheduleInputs } from "../core/cloud/deployments";
import { deploymentsRepository, homeContext } from "../core/cloud/settings";
import { CI_OUTPUT_NAMES, SECRETS_READER_OUTPUT_NAMES } from "./account-config";
import { buildSecretZero, type SecretZeroOutputs } from "../components/secrets/build";
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
  /** The age recipients of the sops-age Secret, for .sops.yaml; with `secrets.sopsAge`. */
  sopsAgeRecipients?: pulumi.Output<string[]>;
  /** The ClusterSecretStore to commit to the manifest repository; with `secrets.externalSecrets.store`. */
  externalSecretsStore?: pulumi.Output<string>;
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
    tls:
      config.github.enabled || generatesAgeKeys(config)
        ? { owned: {} }
        : { off: `${githubOff} (tls makes its deploy keys and secrets.sopsAge's age keys)` },
    tailscale: config.tailscale.enabled
      ? { owned: {} }
      : { off: "gitops-bootstrap:tailscale.enabled is false" },
    // The API URL is the setting's, never PULUMI_BACKEND_URL (the SDK's fallback), which may be an s3:// URL.
    pulumiservice:
      config.home === "pulumi-cloud"
        ? {
            owned: {
              apiUrl: { setting: "gitops-bootstrap:pulumiCloud.apiUrl", value: config.pulumiCloud.apiUrl },
            },
          }
        : { off: "gitops-bootstrap:home is s3" },
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

/** Whether `secrets.sopsAge` generates an age key (with tls). */
function generatesAgeKeys(config: StackConfig): boolean {
  return (config.secrets.sopsAge?.keys.length ?? 0) > 0;
}

/**
 * The account stack's outputs CI needs (role ARNs, region, state backend, secrets provider), read
 * through a StackReference: the cluster stack never holds the account's resources in its state.
 */
function accountOutputsForCi(account: pulumi.StackReference | undefined): GithubAccessArgs["aws"] {
  if (account === undefined) return undefined;
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

/** The account stack's secrets reader outputs (its access key, secret) and region. */
function secretsReaderOutputs(account: pulumi.StackReference) {
  const read = (name: (typeof SECRETS_READER_OUTPUT_NAMES)[number]) =>
    account.requireOutput(name) as pulumi.Output<string>;
  return {
    region: account.requireOutput("region") as pulumi.Output<string>,
    accessKeyId: pulumi.secret(read("secretsReaderAccessKeyId")),
    secretAccessKey: pulumi.secret(read("secretsReaderSecretAccessKey")),
  };
}

/** The stack outputs of the secret-zero part; none when it is not configured (outputs unchanged). */
function secretZeroOutputs(zero: SecretZeroOutputs): Partial<ClusterOutputs> {
  return {
    ...(zero.sopsAgeRecipients === undefined ? {} : { sopsAgeRecipients: zero.sopsAgeRecipients }),
    ...(zero.externalSecretsStore === undefined ? {} : { externalSecretsStore: zero.externalSecretsStore }),
  };
}

/** A promise with its resolve and reject, for a dependency on a resource made later. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
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

/**
 * With `home: pulumi-cloud`, the stack's own Deployments settings and drift schedule, through an
 * explicit pulumiservice provider (its token from `pulumiservice:accessToken` or, unset, the
 * provider's own PULUMI_ACCESS_TOKEN, which Deployments sets).
 */
function pulumiCloudHome(config: StackConfig, uses: Record<ProviderPackage, ProviderUse>): void {
  if (config.home !== "pulumi-cloud") return;
  const { deployments, driftSchedule } = config.pulumiCloud;
  const stack = {
    organization: config.pulumiCloud.organization ?? pulumi.getOrganization(),
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
  };
  // Config validation guarantees a repository whenever deployments are on.
  const repository = deploymentsRepository(homeContext(config, true));
  new PulumiDeployments("pulumi-cloud", {
    provider: new pulumiservice.Provider(
      "pulumiservice",
      providerArgs("pulumiservice", owned(uses.pulumiservice)) as pulumiservice.ProviderArgs,
    ),
    ...(deployments.enabled && repository !== undefined
      ? { settings: deploymentSettingsInputs(stack, repository, deployments) }
      : {}),
    ...(driftSchedule.enabled ? { driftSchedule: driftScheduleInputs(stack, driftSchedule) } : {}),
  });
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
  pulumiCloudHome(config, uses);

  const accountStack = config.aws.accountStack;
  const account =
    accountStack === undefined ? undefined : new pulumi.StackReference("account", { name: accountStack });
  const aws = accountOutputsForCi(account);
  const providers = accessProviders(config, uses);
  const access = buildGithubAccess({
    stack: pulumi.getStack(),
    github: config.github,
    tailscale: config.tailscale,
    repo: { url: repo.url },
    ...(aws === undefined ? {} : { aws }),
    providers,
  });
  const spoke = buildSpoke(config, provider, aws);
  // The secret-zero part, built once the engine's namespace exists (secretZero below).
  const secretZero = (fluxNamespace: pulumi.Output<string>): SecretZeroOutputs =>
    buildSecretZero({
      settings: config.secrets,
      provider,
      ...(generatesAgeKeys(config)
        ? {
            tlsProvider:
              providers.tls ??
              new tls.Provider("tls", providerArgs("tls", owned(uses.tls)) as tls.ProviderArgs),
          }
        : {}),
      fluxNamespace,
      secrets,
      ...(account !== undefined && config.secrets.externalSecrets?.provider === "aws"
        ? { account: secretsReaderOutputs(account) }
        : {}),
    });
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
      ...(config.adopt === undefined ? {} : { adopt: config.adopt }),
    });
    const root = new RootApp("root", {
      provider,
      namespace: engine.namespace,
      objects: argoCdRootObjects(settings, repo),
      rootName: settings.root.name,
      ...(config.adopt?.rootObjects === undefined ? {} : { adoptObjects: config.adopt.rootObjects }),
      // Without a declared release (selfManagement.releaseOwner: engine), after everything the
      // engine's component still makes.
      waitFor: [engine.release ?? engine, ...rootWaitsFor],
    });
    ciClusterAccess(config, provider, settings.namespace, engine.namespace);
    buildHub(config, provider, engine.namespace);
    const zero = secretZero(engine.namespace);
    return clusterOutputs(config, {
      ...secretZeroOutputs(zero),
      engine: "argocd",
      namespace: engine.namespace,
      rootApp: root.name,
      repoUrl: repo.url,
      ...spoke,
    });
  }

  if (config.engine === "flux-operator") {
    const settings = config.fluxOperator;
    // sops-age goes into the namespace FluxOperator makes, and the instance's sync must start only
    // once it exists (no app fails to decrypt first): the instance waits on a promise of it.
    const sopsAge = config.secrets.sopsAge === undefined ? undefined : deferred<pulumi.Resource>();
    // The FluxInstance's sync is the root: it is installed after the operator, and after the deploy key.
    const engine = new FluxOperator("flux-operator", {
      provider,
      settings,
      repo,
      ...credential,
      operatorChartVersion: config.charts.fluxOperator,
      instanceChartVersion: config.charts.fluxInstance,
      instanceWaitsFor: [...rootWaitsFor, ...(sopsAge === undefined ? [] : [sopsAge.promise])],
    });
    ciClusterAccess(config, provider, settings.namespace, engine.namespace);
    const zero = secretZero(engine.namespace);
    if (sopsAge !== undefined) {
      const secret = zero.waitFor[0];
      // A promise never kept would hang the run: fail it instead.
      if (secret === undefined)
        sopsAge.reject(new Error("secrets.sopsAge is set but no sops-age Secret was made"));
      else sopsAge.resolve(secret);
    }
    return clusterOutputs(config, {
      ...secretZeroOutputs(zero),
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
  // The root applies the apps only once sops-age exists, so none fails to decrypt first.
  const zero = secretZero(engine.namespace);
  const root = new RootApp("root", {
    provider,
    namespace: engine.namespace,
    objects: fluxRootObjects(config.flux, repo),
    rootName: config.flux.root.name,
    waitFor: [engine.release ?? engine, ...rootWaitsFor, ...zero.waitFor],
  });
  ciClusterAccess(config, provider, config.flux.namespace, engine.namespace);
  return clusterOutputs(config, {
    ...secretZeroOutputs(zero),
    engine: "flux",
    namespace: engine.namespace,
    rootApp: root.name,
    repoUrl: repo.url,
    ...spoke,
  });
}
