/** The Argo CD part of the prod stack's synth output (`cli/main.ts synth`), as a real run registers it. */
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { runCli } from "../support/harness";

interface Resource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

describe("synth --stack prod: Argo CD", () => {
  let work = "";
  let out = "";
  let resources: Resource[] = [];
  let values: {
    configs: { cm: Record<string, string>; params: Record<string, unknown> };
  } = { configs: { cm: {}, params: {} } };

  before(function () {
    this.timeout(120_000);
    work = mkdtempSync(join(tmpdir(), "gitops-argocd-synth-"));
    out = join(work, "prod");
    const run = runCli(["synth", "--stack", "prod", "--out", out]);
    assert.equal(run.status, 0, run.stderr);
    resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as Resource[];
    values = parse(readFileSync(join(out, "helm", "argocd.yaml"), "utf8")) as typeof values;
  });
  after(() => {
    if (work !== "") rmSync(work, { recursive: true, force: true });
  });

  it("is a public OIDC client using PKCE, with no argocd-oidc Secret (prod sets no client secret)", () => {
    assert.equal(
      values.configs.cm["oidc.config"],
      [
        'name: "Authentik"',
        'issuer: "https://auth.home.example.com/application/o/argocd/"',
        'clientID: "argocd"',
        "enablePKCEAuthentication: true",
        "requestedScopes:",
        '  - "openid"',
        '  - "profile"',
        '  - "email"',
        '  - "groups"',
        "",
      ].join("\n"),
    );
    const secrets = resources.filter((r) => r.type === "kubernetes:core/v1:Secret").map((r) => r.name);
    assert.deepEqual(secrets, ["argocd-repository"]);
    assert.equal(existsSync(join(out, "manifests", "argocd", "secret-argocd-oidc.yaml")), false);
  });
});
