import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import {
  CI_OAUTH_SCOPES,
  authKeyExpirySeconds,
  credentialDescription,
  tailscaleTagProblem,
  type TailscaleCiCredentials,
} from "../../core/tailscale/tailscale";
import type { CiRole } from "../../core/tailscale/ci-access";
import type { TailscaleEnabledSettings } from "../../core/tailscale/settings";

export interface TailscaleAccessArgs {
  /** Validated `gitops-bootstrap:tailscale` settings (enabled). Defaults to none (required). */
  settings: Pick<TailscaleEnabledSettings, "mode" | "authKeyExpiryDays"> & {
    ci: { preview: { tags: readonly string[] }; deploy: { tags: readonly string[] } };
  };
  /** Stack name, put in the credentials' descriptions. Defaults to none (required). */
  stack: string;
  /** Explicit providers; every child uses `providers.tailscale`. Defaults to none (required). */
  providers: { tailscale: tailscale.Provider };
}

const ROLES: readonly CiRole[] = ["preview", "deploy"];

/**
 * The credentials CI joins the tailnet with, to reach the cluster's API server: one per identity,
 * so that the preview job, which runs a pull request's code, can only ever join as the preview
 * identity (an OAuth client mints keys only for its own tags and the tags they own):
 * - `oauth`: an OAuth client per identity with the `auth_keys` scope, limited to that identity's
 *   tags; tailscale/github-action mints an ephemeral key per run from it. Nothing expires.
 * - `authkey`: a reusable, ephemeral, pre-authorized auth key per identity with its tags and an
 *   expiry; once expired, the next `pulumi up` replaces it (`recreateIfInvalid: always`) and
 *   updates the CI secret.
 * The OAuth client secrets and the auth keys are secret outputs: @pulumi/tailscale registers `key`
 * as an additionalSecretOutput of both resources (tests check the recorded option), and the
 * component wraps what it exposes in `pulumi.secret`.
 */
export class TailscaleAccess extends pulumi.ComponentResource {
  /** `oauth` or `authkey`. */
  public readonly mode: "oauth" | "authkey";
  /** Per identity: its tags and its credential, all secret, as the GitHub part writes them. */
  public readonly credentials: TailscaleCiCredentials<pulumi.Output<string>>;

  constructor(name: string, args: TailscaleAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before anything (this component included) is registered.
    const problems: string[] = [];
    for (const role of ROLES) {
      const tags = args.settings.ci[role].tags;
      tags.forEach((tag, i) => {
        const why = tailscaleTagProblem(tag);
        if (why !== undefined) problems.push(`gitops-bootstrap:tailscale.ci.${role}.tags[${i}]: ${why}`);
      });
      if (tags.length === 0)
        problems.push(
          `gitops-bootstrap:tailscale.ci.${role}.tags: must list at least one tag (e.g. "tag:ci-${role}")`,
        );
    }
    let expiry: number | undefined;
    if (args.settings.mode === "authkey") {
      try {
        expiry = authKeyExpirySeconds(args.settings.authKeyExpiryDays);
      } catch (e) {
        problems.push(`gitops-bootstrap:tailscale.authKeyExpiryDays: ${(e as Error).message}`);
      }
    }
    if (problems.length > 0) throw new Error(`TailscaleAccess ${name}: ${problems.join("; ")}`);
    super("gitops:tailscale:TailscaleAccess", name, {}, opts);
    const provider = args.providers.tailscale;
    const { settings } = args;
    this.mode = settings.mode;
    const tagsOf = (role: CiRole): string[] => [...settings.ci[role].tags];

    if (settings.mode === "oauth") {
      const client = (role: CiRole) => {
        const created = new tailscale.OauthClient(
          `${name}-${role}-oauth-client`,
          {
            description: credentialDescription(args.stack, role),
            scopes: [...CI_OAUTH_SCOPES],
            tags: tagsOf(role),
          },
          { parent: this, provider },
        );
        return {
          clientId: pulumi.secret(created.id),
          clientSecret: pulumi.secret(created.key),
          tags: tagsOf(role),
        };
      };
      this.credentials = { mode: "oauth", preview: client("preview"), deploy: client("deploy") };
    } else {
      const key = (role: CiRole) => {
        const created = new tailscale.TailnetKey(
          `${name}-${role}-auth-key`,
          {
            description: credentialDescription(args.stack, role),
            ephemeral: true,
            preauthorized: true,
            // Every CI run joins with it; ephemeral nodes vanish after the run.
            reusable: true,
            expiry,
            tags: tagsOf(role),
            recreateIfInvalid: "always",
          },
          { parent: this, provider },
        );
        return { authKey: pulumi.secret(created.key) };
      };
      this.credentials = { mode: "authkey", preview: key("preview"), deploy: key("deploy") };
    }

    this.registerOutputs({ mode: this.mode, credentials: this.credentials });
  }
}
