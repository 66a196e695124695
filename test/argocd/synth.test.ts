/** The Argo CD part of the prod stack's synth output (`cli/main.ts synth`), as a real run registers it. */
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT, runCli } from "../support/harness";

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

  it("runs argocd-server without TLS behind Traefik, which ends TLS (tlsTermination: ingress)", () => {
    assert.equal(values.configs.params["server.insecure"], true);
  });

  it("lets the root project create only Applications and ApplicationSets, and makes the project the example's apps use", () => {
    const read = (name: string) =>
      parse(readFileSync(join(out, "manifests", "argocd", `appproject-${name}.yaml`), "utf8")) as {
        spec: {
          sourceRepos: string[];
          namespaceResourceWhitelist?: Array<{ group: string; kind: string }>;
          clusterResourceWhitelist: unknown[];
        };
      };
    const root = read("bootstrap");
    assert.deepEqual(
      root.spec.namespaceResourceWhitelist?.map((r) => `${r.group}/${r.kind}`),
      ["argoproj.io/Application", "argoproj.io/ApplicationSet"],
    );
    const apps = read("apps");
    assert.deepEqual(apps.spec.sourceRepos, ["git@github.com:acme/homelab-manifests.git"]);
    assert.deepEqual(apps.spec.clusterResourceWhitelist, [{ group: "*", kind: "*" }]);

    const dir = join(REPO_ROOT, "examples", "homelab", "manifests", "bootstrap");
    const projects = readdirSync(dir)
      .filter((f) => f.endsWith("-app.yaml"))
      .map((f) => (parse(readFileSync(join(dir, f), "utf8")) as { spec: { project: string } }).spec.project);
    assert.ok(projects.length >= 10);
    assert.deepEqual([...new Set(projects)], ["apps"]);
  });
});
