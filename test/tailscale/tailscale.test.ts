import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CI_OAUTH_SCOPES,
  aclFragment,
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

  it("descriptions name the stack with alphanumerics and spaces only, at most 50 characters", () => {
    assert.equal(credentialDescription("prod"), "gitops bootstrap prod ci");
    assert.equal(credentialDescription("home_lab.eu"), "gitops bootstrap home lab eu ci");
    assert.ok(credentialDescription("x".repeat(80)).length <= 50);
  });

  it("the ACL fragment grants the CI tags the API server ports, and nothing else", () => {
    assert.deepEqual(
      aclFragment({ ciTags: ["tag:ci"], apiServerTags: ["tag:k8s-operator"], apiServerPorts: [443, 6443] }),
      {
        tagOwners: { "tag:ci": ["autogroup:admin"] },
        grants: [{ src: ["tag:ci"], dst: ["tag:k8s-operator"], ip: ["tcp:443", "tcp:6443"] }],
      },
    );
  });

  it("docs/github-tailscale.md shows the fragment the default settings produce", () => {
    const settings = parseTailscaleSettings({ enabled: true });
    assert.ok(settings.enabled);
    const fragment = aclFragment({
      ciTags: settings.tags,
      apiServerTags: settings.apiServer.tags,
      apiServerPorts: settings.apiServer.ports,
      tagOwners: settings.tagOwners,
    });
    const doc = readFileSync(join(__dirname, "..", "..", "docs", "github-tailscale.md"), "utf8");
    const block = /```json acl-fragment\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(block !== undefined, "docs/github-tailscale.md has a ```json acl-fragment block");
    assert.deepEqual(JSON.parse(block), fragment);
  });

  describe("settings (gitops-bootstrap:tailscale)", () => {
    it("fills the defaults: OAuth client, tag:ci, 30-day key, the operator's API proxy on 443", () => {
      assert.deepEqual(parseTailscaleSettings({ enabled: true }), {
        enabled: true,
        mode: "oauth",
        tags: ["tag:ci"],
        authKeyExpiryDays: 30,
        apiServer: { tags: ["tag:k8s-operator"], ports: [443] },
        tagOwners: ["autogroup:admin"],
      });
    });

    it("accepts enabled: false alone", () => {
      assert.deepEqual(tailscaleSettingsSchema.parse({ enabled: false }), { enabled: false });
    });

    it("a tag without tag: names the key, the value and the fix", () => {
      assert.match(
        errorOf({ enabled: true, tags: ["tag:ci", "ci"] }),
        /gitops-bootstrap:tailscale\.tags\[1\]: "ci" must start with "tag:" \(e\.g\. "tag:ci"\)/,
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
        errorOf({ enabled: true, tags: [] }),
        /tailscale\.tags: must list at least one tag \(e\.g\. "tag:ci"\)/,
      );
    });
  });
});
