import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ArgoCd } from "../../components/argocd/argocd";
import { CHARTS } from "../../core/shared/versions";
import {
  findResource,
  mockRuntime,
  resourcesOfType,
  revealSecrets,
  SecretInput,
  testProvider,
  unwrap,
  type MockRuntime,
} from "../support/harness";
import { ARGOCD, REPO } from "../support/fixtures";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nTEST\n-----END OPENSSH PRIVATE KEY-----\n";

describe("ArgoCd component under the mock runtime", () => {
  let runtime: MockRuntime;
  beforeEach(async () => {
    runtime = await mockRuntime();
  });

  describe("ArgoCd", () => {
    it("registers namespace, repository Secret and a pinned argo-cd Release, all children on the explicit provider", async () => {
      const provider = testProvider();
      const argocd = new ArgoCd("argocd", {
        provider,
        settings: ARGOCD,
        repo: REPO,
        sshPrivateKey: pulumi.secret(KEY),
      });
      assert.equal(await unwrap(argocd.namespace), "argocd");
      await runtime.settle();

      const component = findResource(runtime, "gitops:engine:ArgoCd", "argocd");
      const children = runtime.registrations.filter((r) => r.parent === component.urn);
      assert.deepEqual(children.map((r) => `${r.type}::${r.name}`).sort(), [
        "kubernetes:core/v1:Namespace::argocd-namespace",
        "kubernetes:core/v1:Secret::argocd-repository",
        "kubernetes:helm.sh/v3:Release::argocd",
      ]);
      for (const child of children)
        assert.match(child.provider ?? "", /pulumi:providers:kubernetes::k8s::/, child.name);

      const release = findResource(runtime, "kubernetes:helm.sh/v3:Release", "argocd");
      assert.equal(release.inputs.chart, "argo-cd");
      assert.equal(release.inputs.version, CHARTS.argoCd.version);
      assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://argoproj.github.io/argo-helm" });
      assert.equal(release.inputs.createNamespace, false);
      assert.equal(release.inputs.waitForJobs, true);
      const namespace = findResource(runtime, "kubernetes:core/v1:Namespace", "argocd-namespace");
      assert.deepEqual(namespace.options, { retainOnDelete: true }, "destroy must not cascade into the apps");
      const secret = findResource(runtime, "kubernetes:core/v1:Secret", "argocd-repository");
      assert.deepEqual(release.dependsOn, [namespace.urn, secret.urn].sort());
    });

    it("keeps the deploy key a secret all the way to the registration, and out of the chart values", async () => {
      new ArgoCd("argocd", {
        provider: testProvider(),
        settings: ARGOCD,
        repo: REPO,
        sshPrivateKey: pulumi.secret(KEY),
      });
      await runtime.settle();
      const secret = findResource(runtime, "kubernetes:core/v1:Secret", "argocd-repository");
      assert.ok(secret.inputs.stringData instanceof SecretInput, "stringData must arrive as a secret");
      assert.deepEqual(revealSecrets(secret.inputs.stringData), {
        type: "git",
        url: REPO.url,
        sshPrivateKey: KEY,
      });
      const release = findResource(runtime, "kubernetes:helm.sh/v3:Release", "argocd");
      assert.ok(!JSON.stringify(revealSecrets(release.inputs)).includes("OPENSSH"));
    });

    it("puts the OIDC client secret in its own labelled Secret when configured", async () => {
      new ArgoCd("argocd", {
        provider: testProvider(),
        settings: {
          ...ARGOCD,
          hostname: "a.example.com",
          oidc: {
            name: "SSO",
            issuer: "https://auth.example.com",
            clientId: "argocd",
            hasClientSecret: true,
            requestedScopes: ["openid"],
          },
        },
        repo: REPO,
        sshPrivateKey: pulumi.secret(KEY),
        oidcClientSecret: pulumi.secret("client-secret"),
      });
      await runtime.settle();
      const oidc = findResource(runtime, "kubernetes:core/v1:Secret", "argocd-oidc");
      assert.deepEqual((oidc.inputs.metadata as { labels: object }).labels, {
        "app.kubernetes.io/part-of": "argocd",
      });
      assert.ok(oidc.inputs.stringData instanceof SecretInput);
      const release = findResource(runtime, "kubernetes:helm.sh/v3:Release", "argocd");
      assert.ok(release.dependsOn.includes(oidc.urn));
      assert.ok(!JSON.stringify(revealSecrets(release.inputs)).includes("client-secret"));
    });

    it("makes no argocd-oidc Secret for a public client, and refuses a client secret the settings do not reference", async () => {
      const oidc = {
        name: "SSO",
        issuer: "https://auth.example.com",
        clientId: "argocd",
        hasClientSecret: false,
        requestedScopes: ["openid"],
      };
      const settings = { ...ARGOCD, hostname: "a.example.com", oidc };
      new ArgoCd("argocd", {
        provider: testProvider(),
        settings,
        repo: REPO,
        sshPrivateKey: pulumi.secret(KEY),
      });
      await runtime.settle();
      assert.deepEqual(
        resourcesOfType(runtime, "kubernetes:core/v1:Secret").map((r) => r.name),
        ["argocd-repository"],
      );
      assert.throws(
        () =>
          new ArgoCd("other", {
            provider: testProvider(),
            settings,
            repo: REPO,
            sshPrivateKey: pulumi.secret(KEY),
            oidcClientSecret: pulumi.secret(""),
          }),
        /oidcClientSecret was given but settings\.oidc\.hasClientSecret is not true/,
      );
      assert.throws(
        () =>
          new ArgoCd("third", {
            provider: testProvider(),
            settings: { ...settings, oidc: { ...oidc, hasClientSecret: true } },
            repo: REPO,
            sshPrivateKey: pulumi.secret(KEY),
          }),
        /hasClientSecret is true but no oidcClientSecret was given/,
      );
    });

    it("names children from its own name, so two instances do not collide", async () => {
      new ArgoCd("one", {
        provider: testProvider("p1"),
        settings: ARGOCD,
        repo: REPO,
        sshPrivateKey: pulumi.secret(KEY),
      });
      new ArgoCd("two", {
        provider: testProvider("p2"),
        settings: { ...ARGOCD, namespace: "argocd-two" },
        repo: REPO,
        sshPrivateKey: pulumi.secret(KEY),
      });
      await runtime.settle();
      const names = resourcesOfType(runtime, "kubernetes:helm.sh/v3:Release")
        .map((r) => r.name)
        .sort();
      assert.deepEqual(names, ["one", "two"]);
      assert.equal(new Set(runtime.registrations.map((r) => r.urn)).size, runtime.registrations.length);
    });

    it("honours a chart version override", async () => {
      new ArgoCd("argocd", {
        provider: testProvider(),
        settings: ARGOCD,
        repo: REPO,
        sshPrivateKey: pulumi.secret(KEY),
        chartVersion: "9.1.0",
      });
      await runtime.settle();
      assert.equal(findResource(runtime, "kubernetes:helm.sh/v3:Release", "argocd").inputs.version, "9.1.0");
    });
  });
});
