import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import {
  CI_OAUTH_SCOPES,
  authKeyExpirySeconds,
  credentialDescription,
  tailscaleTagProblem,
} from "../../core/tailscale/tailscale";
import type { TailscaleEnabledSettings } from "../../core/tailscale/settings";

export interface TailscaleAccessArgs {
  /** Validated `gitops-bootstrap:tailscale` settings (enabled). Defaults to none (required). */
  settings: Pick<TailscaleEnabledSettings, "mode" | "tags" | "authKeyExpiryDays">;
  /** Stack name, put in the credential's description. Defaults to none (required). */
  stack: string;
  /** Explicit providers; every child uses `providers.tailscale`. Defaults to none (required). */
  providers: { tailscale: tailscale.Provider };
}

/**
 * The credential CI joins the tailnet with, to reach the cluster's API server:
 * - `oauth`: an OAuth client with the `auth_keys` scope, limited to the CI tags; tailscale/github-action
 *   mints an ephemeral key per run from it. Nothing expires.
 * - `authkey`: one reusable, ephemeral, pre-authorized auth key with those tags and an expiry; once
 *   expired, the next `pulumi up` replaces it (`recreateIfInvalid: always`) and updates the CI secret.
 * The OAuth client secret and the auth key are secret outputs: @pulumi/tailscale registers `key` as an
 * additionalSecretOutput of both resources (tests check the recorded option), and the component
 * wraps what it exposes in `pulumi.secret`.
 */
export class TailscaleAccess extends pulumi.ComponentResource {
  /** `oauth` or `authkey`. */
  public readonly mode: "oauth" | "authkey";
  /** Tags CI's node joins with. */
  public readonly tags: string[];
  /** OAuth client id (mode oauth; secret, as CI stores it as a secret). */
  public readonly oauthClientId: pulumi.Output<string> | undefined;
  /** OAuth client secret (mode oauth; secret). */
  public readonly oauthClientSecret: pulumi.Output<string> | undefined;
  /** Auth key (mode authkey; secret). */
  public readonly authKey: pulumi.Output<string> | undefined;

  constructor(name: string, args: TailscaleAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before anything (this component included) is registered.
    const problems = args.settings.tags.flatMap((tag, i) => {
      const why = tailscaleTagProblem(tag);
      return why === undefined ? [] : [`gitops-bootstrap:tailscale.tags[${i}]: ${why}`];
    });
    if (args.settings.tags.length === 0)
      problems.push('gitops-bootstrap:tailscale.tags: must list at least one tag (e.g. "tag:ci")');
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
    this.tags = [...settings.tags];
    const description = credentialDescription(args.stack);

    if (settings.mode === "oauth") {
      const client = new tailscale.OauthClient(
        `${name}-oauth-client`,
        { description, scopes: [...CI_OAUTH_SCOPES], tags: this.tags },
        { parent: this, provider },
      );
      this.oauthClientId = pulumi.secret(client.id);
      this.oauthClientSecret = pulumi.secret(client.key);
      this.authKey = undefined;
    } else {
      const key = new tailscale.TailnetKey(
        `${name}-auth-key`,
        {
          description,
          ephemeral: true,
          preauthorized: true,
          // Every CI run joins with it; ephemeral nodes vanish after the run.
          reusable: true,
          expiry,
          tags: this.tags,
          recreateIfInvalid: "always",
        },
        { parent: this, provider },
      );
      this.oauthClientId = undefined;
      this.oauthClientSecret = undefined;
      this.authKey = pulumi.secret(key.key);
    }

    this.registerOutputs({
      mode: this.mode,
      tags: this.tags,
      oauthClientId: this.oauthClientId,
      oauthClientSecret: this.oauthClientSecret,
      authKey: this.authKey,
    });
  }
}
