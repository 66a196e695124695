import * as pulumi from "@pulumi/pulumi";
import type { ManifestRepo } from "../../core/repository/repository";

/** The credential an engine component was given: a deploy key (SSH) or a token (https). */
export interface RepositoryCredentialArgs {
  sshPrivateKey?: pulumi.Input<string>;
  httpsToken?: pulumi.Input<string>;
}

/** What the Secret resource needs of a credential Secret object. */
export interface CredentialSecret {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  type: string;
  stringData: Record<string, pulumi.Input<string>>;
}

/**
 * The engine's repository Secret for the credential that fits the URL: an https repository
 * (`repo.username` set) needs the token, an SSH one the deploy key, and exactly one is given.
 * Stack config checks this first (stacks/config.ts); this guards other callers.
 */
export function repositoryCredentialSecret(
  parent: pulumi.Resource,
  repo: ManifestRepo,
  args: RepositoryCredentialArgs,
  ssh: (key: pulumi.Input<string>) => CredentialSecret,
  https: (username: string, token: pulumi.Input<string>) => CredentialSecret,
): CredentialSecret {
  if (args.sshPrivateKey !== undefined && args.httpsToken !== undefined) {
    throw new pulumi.ResourceError("give sshPrivateKey or httpsToken, not both", parent);
  }
  if (repo.username !== undefined) {
    if (args.httpsToken === undefined) {
      throw new pulumi.ResourceError(`${repo.url} is an https repository: pass httpsToken`, parent);
    }
    return https(repo.username, args.httpsToken);
  }
  if (args.sshPrivateKey === undefined) {
    throw new pulumi.ResourceError(`${repo.url} is an SSH repository: pass sshPrivateKey`, parent);
  }
  return ssh(args.sshPrivateKey);
}
