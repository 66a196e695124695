import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  argoCdValuesProblems,
  argoCdWarnings,
  OIDC_SECRET_NAME,
  REPOSITORY_SECRET_NAME,
  type ArgoCdSettings,
} from "../../core/argocd/argocd";
import { argoCdInstall } from "../../core/argocd/self-management";
import type { EngineInstall } from "../../core/shared/self-management";
import {
  argoCdHttpsRepositorySecret,
  argoCdRepositorySecret,
  type ManifestRepo,
} from "../../core/repository/repository";
import { repositoryCredentialSecret } from "../shared/repository-credential";
import { chartKeys, chartKeysNote, CHARTS } from "../../core/shared/versions";
import { selfManagedEngineRelease } from "../shared/helm";

export interface ArgoCdArgs {
  /** The Kubernetes provider for the target cluster (never the ambient default). */
  provider: k8s.Provider;
  /** Argo CD settings from stack config. */
  settings: ArgoCdSettings;
  /** The private manifest repository Argo CD reads. */
  repo: ManifestRepo;
  /** Private half of the read-only deploy key, as a Pulumi secret (an SSH repository). */
  sshPrivateKey?: pulumi.Input<string>;
  /** The token of an https repository (`repo.username` set), as a Pulumi secret. */
  httpsToken?: pulumi.Input<string>;
  /** OIDC client secret, as a Pulumi secret. Defaults to none (a public client using PKCE). */
  oidcClientSecret?: pulumi.Input<string>;
  /** argo-cd chart version. Defaults to the pin in core/shared/versions.ts. */
  chartVersion?: string;
  /**
   * What the Terragrunt layer made, imported instead of created (`gitops-bootstrap:adopt`,
   * validated against the names this component uses). Defaults to nothing adopted.
   */
  adopt?: { namespace?: string; release?: string };
}

/** Installs Argo CD from the argo-helm chart, with the credentials it reads the manifest repo with. */
export class ArgoCd extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /**
   * The engine's Helm release, or undefined with `selfManagement.releaseOwner: engine` (the stack
   * declares none; the engine runs its own install).
   */
  public readonly release: k8s.helm.v3.Release | undefined;
  /** The release as installed: what `gitops-bootstrap handoff` writes for Argo CD to take over. */
  public readonly install: EngineInstall;

  constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gitops:engine:ArgoCd", name, {}, opts);
    const { provider, settings, repo } = args;
    // The Secret and the `$argocd-oidc:clientSecret` reference in oidc.config come and go together.
    const hasClientSecret = settings.oidc?.hasClientSecret ?? false;
    if ((args.oidcClientSecret !== undefined) !== hasClientSecret) {
      throw new pulumi.ResourceError(
        args.oidcClientSecret === undefined
          ? "settings.oidc.hasClientSecret is true but no oidcClientSecret was given: pass the secret, or set hasClientSecret: false for a public client using PKCE"
          : "oidcClientSecret was given but settings.oidc.hasClientSecret is not true (or there is no settings.oidc): set both, or drop the secret",
        this,
      );
    }

    // Stack config is checked before any resource (stacks/config.ts); this guards other callers.
    const problems = argoCdValuesProblems(settings, repo, chartKeys("argoCd"));
    if (problems.length > 0)
      throw new pulumi.ResourceError(problems.map((p) => `${p.key}: ${p.message}`).join("\n"), this);
    const version = args.chartVersion ?? CHARTS.argoCd.version;
    const keysNote = Object.keys(settings.values).length === 0 ? undefined : chartKeysNote("argoCd", version);
    for (const warning of [...argoCdWarnings(settings, repo), ...(keysNote === undefined ? [] : [keysNote])])
      void pulumi.log.warn(warning, this);

    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: settings.namespace } },
      // Kept on destroy: deleting it would hang on, or cascade into, the apps the engine still owns.
      {
        parent: this,
        provider,
        retainOnDelete: true,
        ...(args.adopt?.namespace === undefined ? {} : { import: args.adopt.namespace }),
      },
    );

    const target = {
      name: REPOSITORY_SECRET_NAME,
      namespace: settings.namespace,
      url: repo.url,
      knownHosts: repo.knownHosts,
    };
    const repository = repositoryCredentialSecret(
      this,
      repo,
      args,
      (key) => argoCdRepositorySecret(target, key),
      (user, token) => argoCdHttpsRepositorySecret(target, user, token),
    );
    const repositorySecret = new k8s.core.v1.Secret(
      `${name}-repository`,
      { metadata: repository.metadata, type: repository.type, stringData: repository.stringData },
      { parent: this, provider, dependsOn: [namespace] },
    );

    // Argo CD resolves `$argocd-oidc:clientSecret` in oidc.config from Secrets with this label.
    const oidcSecret =
      args.oidcClientSecret === undefined
        ? undefined
        : new k8s.core.v1.Secret(
            `${name}-oidc`,
            {
              metadata: {
                name: OIDC_SECRET_NAME,
                namespace: settings.namespace,
                labels: { "app.kubernetes.io/part-of": "argocd" },
              },
              type: "Opaque",
              stringData: { clientSecret: args.oidcClientSecret },
            },
            { parent: this, provider, dependsOn: [namespace] },
          );

    this.install = argoCdInstall(settings, repo, version);
    this.release = selfManagedEngineRelease(
      name,
      {
        install: this.install,
        release: settings.release,
        selfManagement: settings.selfManagement,
        engine: "argocd",
        ...(args.adopt?.release === undefined ? {} : { adoptRelease: true }),
      },
      {
        parent: this,
        provider,
        dependsOn: [namespace, repositorySecret, ...(oidcSecret ? [oidcSecret] : [])],
      },
    );

    this.namespace = namespace.metadata.name;
    this.registerOutputs({
      namespace: this.namespace,
      // Without a declared release, its name as the engine's own install keeps it.
      release: this.release?.status.name ?? this.install.releaseName,
    });
  }
}
