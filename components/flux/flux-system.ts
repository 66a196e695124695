import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GIT_SECRET_NAME } from "../../core/flux/flux";
import { fluxGitHttpsSecret, fluxGitSecret, type ManifestRepo } from "../../core/repository/repository";
import { repositoryCredentialSecret, type RepositoryCredentialArgs } from "../shared/repository-credential";

/**
 * What both Flux engines (flux2 chart, Flux Operator) make before installing anything: the
 * namespace Flux runs in, kept on destroy, and the Git Secret its root source reads the manifest
 * repository with (a deploy key, or an https token). Children of `parent`, named `<name>-namespace`
 * and `<name>-git`.
 */
export function fluxNamespaceAndGitSecret(
  parent: pulumi.Resource,
  name: string,
  args: RepositoryCredentialArgs & { provider: k8s.Provider; namespace: string; repo: ManifestRepo },
): { namespace: k8s.core.v1.Namespace; gitSecret: k8s.core.v1.Secret } {
  const { provider, repo } = args;
  const namespace = new k8s.core.v1.Namespace(
    `${name}-namespace`,
    { metadata: { name: args.namespace } },
    // Kept on destroy: deleting it would hang on, or cascade into, the apps the engine still owns.
    { parent, provider, retainOnDelete: true },
  );
  const target = {
    name: GIT_SECRET_NAME,
    namespace: args.namespace,
    url: repo.url,
    knownHosts: repo.knownHosts,
  };
  const secret = repositoryCredentialSecret(
    parent,
    repo,
    args,
    (key) => fluxGitSecret(target, key),
    (user, token) => fluxGitHttpsSecret(target, user, token),
  );
  const gitSecret = new k8s.core.v1.Secret(
    `${name}-git`,
    { metadata: secret.metadata, type: secret.type, stringData: secret.stringData },
    { parent, provider, dependsOn: [namespace] },
  );
  return { namespace, gitSecret };
}
