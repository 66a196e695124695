/**
 * The root Application's settings from issue #11: ignoreDifferences, the resources finalizer, retry,
 * and Argo CD's `default` project, each through the stack schema and validated against the CRD.
 */
import { strict as assert } from "node:assert";
import {
  argoCdRootApplication,
  argoCdRootObjects,
  argoCdValues,
  argoCdValuesProblems,
  argoCdWarnings,
} from "../../core/argocd/argocd";
import { chartKeys } from "../../core/shared/versions";
import { argoCdSettingsSchema } from "../../core/argocd/settings";
import { assertSchemaKnows } from "../catalog/helpers";
import { ARGOCD, REPO } from "../support/fixtures";
import { validateKubernetesObject } from "../support/validate";

/** Settings as a stack file would give them, through the schema (defaults filled in). */
const settings = (root: Record<string, unknown>) => ({
  ...ARGOCD,
  root: argoCdSettingsSchema.parse({ root }).root,
});

describe("core/argocd: root app settings (argocd.root)", () => {
  it("writes the same root Application as before when no new key is set", () => {
    assert.deepEqual(argoCdRootApplication(settings({}), REPO), argoCdRootApplication(ARGOCD, REPO));
    assert.deepEqual(
      JSON.stringify(argoCdRootObjects(settings({}), REPO)),
      JSON.stringify(argoCdRootObjects(ARGOCD, REPO)),
    );
  });

  it("ignores differences the way seed 004's root does (child Applications' /status and /operation)", async () => {
    const ignore = [{ group: "argoproj.io", kind: "Application", jsonPointers: ["/status", "/operation"] }];
    const app = argoCdRootApplication(settings({ ignoreDifferences: ignore }), REPO);
    assert.deepEqual(app.spec.ignoreDifferences, ignore);
    await validateKubernetesObject(app);
    await assertSchemaKnows(app, ["spec", "ignoreDifferences", "0", "kind"]);
  });

  it("writes the resources finalizer only when asked", async () => {
    const app = argoCdRootApplication(settings({ resourcesFinalizer: true }), REPO);
    assert.deepEqual(app.metadata.finalizers, ["resources-finalizer.argocd.argoproj.io"]);
    assert.ok(!("finalizers" in argoCdRootApplication(settings({}), REPO).metadata));
    await validateKubernetesObject(app);
  });

  it("refines the default retry field by field, or writes none with retry: false", async () => {
    const app = argoCdRootApplication(
      settings({ retry: { limit: -1, backoff: { maxDuration: "5m" } } }),
      REPO,
    );
    assert.deepEqual(app.spec.syncPolicy.retry, {
      limit: -1,
      backoff: { duration: "30s", factor: 2, maxDuration: "5m" },
    });
    await assertSchemaKnows(app, ["spec", "syncPolicy", "retry", "limit"]);
    const none = argoCdRootApplication(settings({ retry: false }), REPO);
    assert.ok(!("retry" in none.spec.syncPolicy));
  });

  it("runs under Argo CD's default project when asked: no root AppProject, and a warning saying what it allows", () => {
    const chosen = settings({ project: "default" });
    const objects = argoCdRootObjects(chosen, REPO);
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
      ["AppProject/apps", "Application/bootstrap"],
    );
    assert.equal(argoCdRootApplication(chosen, REPO).spec.project, "default");
    const warnings = argoCdWarnings(chosen, REPO);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0] ?? "",
      /^gitops-bootstrap:argocd\.root\.project is default: .* allows every source, destination and kind/,
    );
    assert.deepEqual(argoCdWarnings(settings({}), REPO), []);
  });
});

describe("core/argocd: an https manifest repository", () => {
  const https = { ...REPO, url: "https://github.com/acme/m.git", knownHosts: "", username: "git" };

  it("writes no SSH known hosts into the chart values, and leaves configs.ssh.extraHosts to the user", () => {
    const values = argoCdValues(ARGOCD, https) as { configs: Record<string, unknown> };
    assert.ok(!("ssh" in values.configs));
    assert.deepEqual(
      argoCdValuesProblems(
        { ...ARGOCD, values: { configs: { ssh: { extraHosts: "git.example.com ssh-ed25519 AAAA" } } } },
        https,
        chartKeys("argoCd"),
      ),
      [],
    );
  });

  it("points the root Application at the https URL", async () => {
    const app = argoCdRootApplication(ARGOCD, https);
    assert.equal(app.spec.source.repoURL, "https://github.com/acme/m.git");
    await validateKubernetesObject(app);
  });
});
