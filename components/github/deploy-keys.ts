import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { type DeployKeyRole, deployKeyReadOnly, deployKeyTitle } from "../../core/github/github";

export interface DeployKeysArgs {
  /** Name of the manifest repository the keys are added to. Defaults to none (required). */
  repository: pulumi.Input<string>;
  /** Stack name; the key titles start with it so stacks sharing a repository do not clash. Defaults to none (required). */
  stack: string;
  /**
   * Rotation generation (`gitops-bootstrap:github.deployKeys.rotation`). Raising it replaces both
   * keys, new before old. Defaults to 0.
   */
  rotation?: number;
  /** Create the write key CI publishes manifests with. Defaults to true. */
  ciWriteKey?: boolean;
  /**
   * Explicit providers: `github` for the deploy keys, `tls` for the key pairs (Pulumi.yaml disables
   * default providers, so even tls, which talks to nothing, needs one). Defaults to none (required).
   */
  providers: { github: github.Provider; tls: tls.Provider };
}

/**
 * ED25519 deploy keys on the manifest repository: a read-only key for the cluster's GitOps engine and
 * a write key for CI. The private halves surface only as Pulumi secrets.
 *
 * Rotation: the key pair's resource name carries the generation (`<name>-cluster-readonly-r<N>`), so
 * raising `rotation` registers a new pair (a new public key GitHub has never seen) and drops the old
 * one from the program. The deploy key keeps its resource name; its `key` and `title` change, which
 * replaces it create-before-delete. Pulumi creates the new deploy key and updates everything that
 * reads `clusterPrivateKey` (the engine's repository Secret) before it deletes the old deploy key and
 * the old pair at the end of the update: the cluster always holds a key GitHub accepts. The title
 * carries the generation too, so old and new are told apart while both exist.
 */
export class DeployKeys extends pulumi.ComponentResource {
  /** OpenSSH private key of the read-only cluster key (secret). Goes into the engine's repository Secret. */
  public readonly clusterPrivateKey: pulumi.Output<string>;
  /** OpenSSH public key of the read-only cluster key. */
  public readonly clusterPublicKey: pulumi.Output<string>;
  /** Title of the read-only deploy key on GitHub. */
  public readonly clusterKeyTitle: string;
  /** OpenSSH private key of the CI write key (secret); undefined when `ciWriteKey` is false. */
  public readonly ciPrivateKey: pulumi.Output<string> | undefined;
  /** Title of the CI write deploy key; undefined when `ciWriteKey` is false. */
  public readonly ciKeyTitle: string | undefined;

  constructor(name: string, args: DeployKeysArgs, opts?: pulumi.ComponentResourceOptions) {
    // An explicit 0 is kept (never `||`).
    const rotation = args.rotation ?? 0;
    if (!Number.isInteger(rotation) || rotation < 0) {
      // Checked before anything (this component included) is registered.
      throw new Error(
        `DeployKeys ${name}: gitops-bootstrap:github.deployKeys.rotation must be a whole number >= 0, got ${rotation}; raise it by one to rotate the keys`,
      );
    }
    super("gitops:github:DeployKeys", name, {}, opts);
    const ciWriteKey = args.ciWriteKey ?? true;
    const provider = args.providers.github;

    const makeKey = (role: DeployKeyRole) => {
      const title = deployKeyTitle(args.stack, role, rotation);
      const pair = new tls.PrivateKey(
        `${name}-${role}-r${rotation}`,
        { algorithm: "ED25519" },
        // @pulumi/tls itself registers privateKeyOpenssh/Pem/PemPkcs8 as additionalSecretOutputs
        // (tests check the recorded option); repeating them here would only duplicate the list.
        { parent: this, provider: args.providers.tls },
      );
      new github.RepositoryDeployKey(
        `${name}-${role}`,
        { repository: args.repository, title, key: pair.publicKeyOpenssh, readOnly: deployKeyReadOnly(role) },
        { parent: this, provider, deleteBeforeReplace: false },
      );
      return { title, privateKey: pulumi.secret(pair.privateKeyOpenssh), publicKey: pair.publicKeyOpenssh };
    };

    const cluster = makeKey("cluster-readonly");
    this.clusterPrivateKey = cluster.privateKey;
    this.clusterPublicKey = cluster.publicKey;
    this.clusterKeyTitle = cluster.title;

    const ci = ciWriteKey ? makeKey("ci-write") : undefined;
    this.ciPrivateKey = ci?.privateKey;
    this.ciKeyTitle = ci?.title;

    this.registerOutputs({
      clusterPrivateKey: this.clusterPrivateKey,
      clusterPublicKey: this.clusterPublicKey,
      clusterKeyTitle: this.clusterKeyTitle,
      ciPrivateKey: this.ciPrivateKey,
      ciKeyTitle: this.ciKeyTitle,
    });
  }
}
