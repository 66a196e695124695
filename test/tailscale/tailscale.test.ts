import { strict as assert } from "node:assert";
import {
  CI_OAUTH_SCOPES,
  authKeyExpirySeconds,
  credentialDescription,
  tailscaleTagProblem,
} from "../../core/tailscale/tailscale";
import { parseTailscaleSettings, tailscaleSettingsSchema } from "../../core/tailscale/settings";

const errorOf = (raw: unknown): string => {
  try {
    parseTailscaleSettings(raw);
  } catch (e) {
    return (e as Error).message;
  }
  return assert.fail("expected an error");
};

describe("core/tailscale/tailscale", () => {
  describe("tags", () => {
    for (const good of ["tag:ci", "tag:k8s-operator", "tag:A1"]) {
      it(`accepts ${good}`, () => assert.equal(tailscaleTagProblem(good), undefined));
    }
    it("a tag without tag: says to add it", () => {
      assert.equal(tailscaleTagProblem("ci"), '"ci" must start with "tag:" (e.g. "tag:ci")');
    });
    it("rejects a malformed tag after the prefix", () => {
      assert.match(tailscaleTagProblem("tag:1ci") ?? "", /not a Tailscale tag: after "tag:" use a letter/);
      assert.match(tailscaleTagProblem("tag:") ?? "", /not a Tailscale tag/);
      assert.match(tailscaleTagProblem("tag:c i") ?? "", /not a Tailscale tag/);
    });
  });

  it("OAuth clients get only the auth_keys scope tailscale/github-action needs", () => {
    assert.deepEqual(CI_OAUTH_SCOPES, ["auth_keys"]);
  });

  it("auth key expiry is in seconds and capped at Tailscale's 90 days", () => {
    assert.equal(authKeyExpirySeconds(1), 86_400);
    assert.equal(authKeyExpirySeconds(90), 7_776_000);
    assert.throws(() => authKeyExpirySeconds(91), /from 1 to 90, got 91/);
    assert.throws(() => authKeyExpirySeconds(0), /got 0/);
  });

  it("descriptions name the identity and the stack with alphanumerics and spaces only, at most 50 characters", () => {
    assert.equal(credentialDescription("prod", "preview"), "ci preview gitops bootstrap prod");
    assert.equal(credentialDescription("home_lab.eu", "deploy"), "ci deploy gitops bootstrap home lab eu");
    assert.equal(credentialDescription("x".repeat(80), "deploy").length, 50);
    assert.match(credentialDescription("x".repeat(80), "deploy"), /^ci deploy /);
  });

  describe("settings (gitops-bootstrap:tailscale)", () => {
    const identities = {
      rbac: true,
      preview: {
        tags: ["tag:ci-preview"],
        group: "gitops-bootstrap:ci-preview",
        name: "gitops-bootstrap-ci-preview",
        readSecrets: false,
      },
      deploy: {
        tags: ["tag:ci-deploy"],
        group: "gitops-bootstrap:ci-deploy",
        name: "gitops-bootstrap-ci-deploy",
        clusterRole: "cluster-admin",
      },
    };

    it("fills the defaults: OAuth clients, a preview and a deploy identity, 30-day keys, the operator's API proxy on 443", () => {
      assert.deepEqual(parseTailscaleSettings({ enabled: true }), {
        enabled: true,
        mode: "oauth",
        authKeyExpiryDays: 30,
        apiServer: { tags: ["tag:k8s-operator"], ports: [443] },
        tagOwners: ["autogroup:admin"],
        ci: identities,
      });
    });

    it("enabled: false still defines the identities (a cluster reached through the proxy binds their groups)", () => {
      assert.deepEqual(tailscaleSettingsSchema.parse({ enabled: false }), {
        enabled: false,
        apiServer: { tags: ["tag:k8s-operator"], ports: [443] },
        tagOwners: ["autogroup:admin"],
        ci: identities,
      });
    });

    it("enabled: false refuses the credentials' keys instead of ignoring them", () => {
      assert.match(
        errorOf({ enabled: false, mode: "authkey" }),
        /gitops-bootstrap:tailscale\.mode: applies only with enabled: true/,
      );
    });

    it("the old single tags list is refused with the keys that replaced it", () => {
      assert.match(
        errorOf({ enabled: true, tags: ["tag:ci"] }),
        /gitops-bootstrap:tailscale\.tags: was replaced by ci\.preview\.tags and ci\.deploy\.tags/,
      );
    });

    it("the two identities may share no tag, no group and no name", () => {
      const message = errorOf({
        enabled: true,
        ci: {
          preview: { tags: ["tag:ci"], group: "ci", name: "ci" },
          deploy: { tags: ["tag:ci"], group: "ci", name: "ci" },
        },
      });
      assert.match(message, /tailscale\.ci\.deploy\.tags: "tag:ci" is also a preview tag/);
      assert.match(message, /tailscale\.ci\.deploy\.group: is the preview group too \("ci"\)/);
      assert.match(message, /tailscale\.ci\.deploy\.name: is the preview name too \("ci"\)/);
    });

    it("refuses a system: group (system:authenticated holds every identity) and a name RBAC cannot take", () => {
      const message = errorOf({
        enabled: true,
        ci: { preview: { group: "system:authenticated", name: "ci/preview" }, deploy: { group: " " } },
      });
      assert.match(
        message,
        /tailscale\.ci\.preview\.group: "system:authenticated" is a Kubernetes system group/,
      );
      assert.match(message, /tailscale\.ci\.preview\.name: "ci\/preview" is not a valid RBAC name/);
      assert.match(message, /tailscale\.ci\.deploy\.group: must not be empty/);
    });

    it("a tag without tag: names the key, the value and the fix", () => {
      assert.match(
        errorOf({ enabled: true, ci: { deploy: { tags: ["tag:ci-deploy", "ci"] } } }),
        /gitops-bootstrap:tailscale\.ci\.deploy\.tags\[1\]: "ci" must start with "tag:" \(e\.g\. "tag:ci"\)/,
      );
      assert.match(
        errorOf({ enabled: true, apiServer: { tags: ["k8s"] } }),
        /gitops-bootstrap:tailscale\.apiServer\.tags\[0\]: "k8s" must start with "tag:"/,
      );
    });

    it("an expiry beyond 90 days names the key and Tailscale's limit", () => {
      assert.match(
        errorOf({ enabled: true, mode: "authkey", authKeyExpiryDays: 120 }),
        /gitops-bootstrap:tailscale\.authKeyExpiryDays: must be at most 90 days, Tailscale's limit/,
      );
    });

    it("an unknown mode lists the choices", () => {
      assert.match(errorOf({ enabled: true, mode: "key" }), /tailscale\.mode: must be oauth or authkey/);
    });

    it("an empty tag list says what to put there", () => {
      assert.match(
        errorOf({ enabled: true, ci: { preview: { tags: [] } } }),
        /tailscale\.ci\.preview\.tags: must list at least one tag \(e\.g\. "tag:ci-preview"\)/,
      );
    });
  });
});
