/**
 * One cluster stack: a Kubernetes provider for the target cluster, the GitOps engine, and the root
 * app of apps pointing at the manifest repository.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgoCd } from "../components/argocd";
import { Flux } from "../components/flux";
import { RootApp } from "../components/root-app";
import { argoCdRootObjects, type ArgoCdSettings, type ManifestRepo } from "../gitops/argocd";
import { fluxRootObjects } from "../gitops/flux";
import type { StackConfig, StackSecrets } from "./config";

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

/** Registers one cluster's resources. Every Kubernetes resource uses the explicit provider. */
export function buildCluster(config: StackConfig, secrets: StackSecrets): ClusterOutputs {
  const provider = new k8s.Provider("kubernetes", {
    // Unset means the kubeconfig's current context, as kubectl would use.
    ...(config.kubernetes.context === undefined ? {} : { context: config.kubernetes.context }),
    ...(config.kubernetes.kubeconfig === undefined ? {} : { kubeconfig: config.kubernetes.kubeconfig }),
  });
  const repo: ManifestRepo = config.repo;

  if (config.engine === "argocd") {
    const settings = argoCdSettings(config, secrets);
    const engine = new ArgoCd("argocd", {
      provider,
      settings,
      repo,
      sshPrivateKey: secrets.repoSshPrivateKey,
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
      engineRelease: engine.release,
    });
    return { engine: "argocd", namespace: engine.namespace, rootApp: root.name, repoUrl: repo.url };
  }

  const engine = new Flux("flux", {
    provider,
    settings: config.flux,
    repo,
    sshPrivateKey: secrets.repoSshPrivateKey,
    chartVersion: config.charts.flux2,
  });
  const root = new RootApp("root", {
    provider,
    namespace: engine.namespace,
    objects: fluxRootObjects(config.flux, repo),
    rootName: config.flux.root.name,
    engineRelease: engine.release,
  });
  return { engine: "flux", namespace: engine.namespace, rootApp: root.name, repoUrl: repo.url };
}
