/**
 * `argocd.values` and the settings that were forced before (admin, exec, accounts, the release):
 * the user's values win, except on a key a typed setting writes, and unknown keys are refused.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ArgoCd } from "../../components/argocd/argocd";
import {
  ARGOCD_OPINIONS,
  argoCdOwnValues,
  argoCdValues,
  argoCdValueSources,
  argoCdValuesProblems,
  argoCdWarnings,
  type ArgoCdSettings,
} from "../../core/argocd/argocd";
import { argoCdSettingsSchema } from "../../core/argocd/settings";
import { chartKeys } from "../../core/shared/versions";
import { leafPaths, valueAt } from "../../core/shared/values";
import { parseStackConfig, PROJECT, SECRET_KEYS } from "../../stacks/config";
import { ARGOCD, REPO } from "../support/fixtures";
import { findResource, mockRuntime, testProvider, type MockRuntime } from "../support/harness";

const OIDC = {
  name: "SSO",
  issuer: "https://auth.example.com",
  clientId: "argocd",
  hasClientSecret: false,
  requestedScopes: ["openid"],
};
const settings = (extra: Partial<ArgoCdSettings>): ArgoCdSettings => ({ ...ARGOCD, ...extra });
const cm = (s: ArgoCdSettings) =>
  valueAt(argoCdValues(s, REPO), ["configs", "cm"]) as Record<string, unknown>;
const problems = (s: ArgoCdSettings) =>
  argoCdValuesProblems(s, REPO, chartKeys("argoCd")).map((p) => p.message);

/** Config errors of a stack, as `pulumi up` and `gitops-bootstrap config` print them. */
function stackErrors(argocd: Record<string, unknown>): string[] {
  const config: Record<string, string> = {
    [`${PROJECT}:engine`]: "argocd",
    [`${PROJECT}:repo`]: JSON.stringify({ url: "git@github.com:acme/manifests.git" }),
    [`${PROJECT}:argocd`]: JSON.stringify(argocd),
    [`${PROJECT}:${SECRET_KEYS.repoSshPrivateKey}`]: "k",
  };
  const result = parseStackConfig(config, new Set([`${PROJECT}:${SECRET_KEYS.repoSshPrivateKey}`]));
  return result.ok ? [] : result.errors;
}

describe("core/argocd: argocd.values over our values", () => {
  it("adds keys next to ours and lets the user's value win over an opinion", () => {
    const values = cm(
      settings({
        values: {
          configs: {
            cm: {
              "timeout.reconciliation": "60s",
              "kustomize.buildOptions": "--enable-helm --load-restrictor LoadRestrictionsNone",
            },
          },
        },
      }),
    );
    assert.equal(values["timeout.reconciliation"], "60s");
    assert.equal(values["kustomize.buildOptions"], "--enable-helm --load-restrictor LoadRestrictionsNone");
    assert.equal(values["exec.enabled"], false, "ours stay where values say nothing");
    assert.deepEqual(
      problems(settings({ values: { configs: { cm: { "kustomize.buildOptions": "" } } } })),
      [],
    );
  });

  it("refuses a key a typed setting writes, naming both keys, unless the value is the same", () => {
    assert.deepEqual(problems(settings({ values: { server: { replicas: 3 } } })), [
      "server.replicas is written from gitops-bootstrap:argocd.replicas.server, so argocd.values may not change it: set argocd.replicas.server instead, and remove it from argocd.values",
    ]);
    assert.deepEqual(problems(settings({ values: { server: { replicas: 1 } } })), []);
    assert.deepEqual(problems(settings({ values: { configs: { cm: { "admin.enabled": false } } } })), [
      'configs.cm["admin.enabled"] is written from gitops-bootstrap:argocd.admin.enabled, so argocd.values may not change it: set argocd.admin.enabled instead, and remove it from argocd.values',
    ]);
  });

  it("owns policy.csv only while admin groups or users write it, and says where other lines go", () => {
    const policy = { configs: { rbac: { "policy.csv": "p, role:ci, applications, sync, */*, allow\n" } } };
    assert.deepEqual(problems(settings({ values: policy })), []);
    assert.deepEqual(
      problems(settings({ values: policy, rbac: { ...ARGOCD.rbac, adminGroups: ["admins"] } })),
      [
        'configs.rbac["policy.csv"] is written from gitops-bootstrap:argocd.rbac.adminGroups, so argocd.values may not change it: argocd.rbac.adminGroups and adminUsers write it; put your other policy lines under a key of the form configs.rbac["policy.<name>.csv"], which Argo CD appends to policy.csv',
      ],
    );
  });

  it("refuses replacing a whole map that holds an owned key", () => {
    assert.deepEqual(problems(settings({ values: { server: { ingress: null } } })), [
      "server.ingress.enabled is written from gitops-bootstrap:argocd.ingress.enabled, so argocd.values may not change it: the chart's Ingress is made when argocd.ingress.enabled is true and argocd.hostname is set",
    ]);
  });

  it("accounts for every key it writes: each comes from a typed setting or is a listed opinion", () => {
    const full = settings({
      hostname: "argocd.example.com",
      oidc: OIDC,
      ingress: { enabled: true, className: "traefik", annotations: { a: "b" } },
      rbac: { defaultRole: "role:readonly", adminGroups: ["admins"], adminUsers: [] },
      accounts: { ci: { capabilities: ["apiKey"], enabled: true } },
    });
    const described = [...argoCdValueSources(full).map((o) => o.path), ...ARGOCD_OPINIONS].map((p) =>
      p.join("\0"),
    );
    const undescribed = leafPaths(argoCdOwnValues(full, REPO))
      .map((p) => p.join("\0"))
      .filter((p) => !described.some((d) => p === d || p.startsWith(`${d}\0`)));
    assert.deepEqual(undescribed, []);
  });

  it("reports values problems like every other config error, each naming argocd.values", () => {
    const values = { configs: { cmm: {} }, controller: { replicas: 2 } };
    const unknown = `${PROJECT}:argocd.values: configs.cmm is not a value of the argo-cd chart ${chartKeys("argoCd").version}; did you mean configs.cm?`;
    assert.deepEqual(stackErrors({ values }), [
      unknown,
      `${PROJECT}:argocd.values: controller.replicas is written from gitops-bootstrap:argocd.replicas.controller, so argocd.values may not change it: set argocd.replicas.controller instead, and remove it from argocd.values`,
    ]);
    // A misspelt key is found even when another key fails; what a setting writes needs them all parsed.
    const errors = stackErrors({ hostname: "not a hostname", values });
    assert.ok(errors.includes(unknown), errors.join("\n"));
    assert.ok(
      errors.some((e) => e.startsWith(`${PROJECT}:argocd.hostname: `)),
      errors.join("\n"),
    );
  });
});

describe("core/argocd: admin, exec and local accounts are settings", () => {
  it("keeps the admin user by default only without OIDC, and lets either be set", () => {
    assert.equal(cm(settings({}))["admin.enabled"], true);
    assert.equal(cm(settings({ oidc: OIDC, hostname: "argocd.example.com" }))["admin.enabled"], false);
    assert.equal(
      cm(settings({ oidc: OIDC, hostname: "argocd.example.com", admin: { enabled: true } }))["admin.enabled"],
      true,
      "break-glass admin next to SSO",
    );
    assert.equal(cm(settings({ admin: { enabled: false } }))["admin.enabled"], false);
  });

  it("turns the UI's exec terminal on only when asked", () => {
    assert.equal(cm(settings({}))["exec.enabled"], false);
    assert.equal(cm(settings({ exec: { enabled: true } }))["exec.enabled"], true);
  });

  it("writes local accounts as argocd-cm reads them", () => {
    const values = cm(
      settings({
        accounts: {
          ci: { capabilities: ["apiKey"], enabled: true },
          alice: { capabilities: ["apiKey", "login"], enabled: false },
        },
      }),
    );
    assert.equal(values["accounts.ci"], "apiKey");
    assert.equal(values["accounts.ci.enabled"], true);
    assert.equal(values["accounts.alice"], "apiKey, login");
    assert.equal(values["accounts.alice.enabled"], false);
  });

  it("reads the settings from stack config, with the defaults filled", () => {
    const parsed = argoCdSettingsSchema.parse({ accounts: { ci: { capabilities: ["apiKey"] } } });
    assert.deepEqual(parsed.admin, {});
    assert.deepEqual(parsed.exec, { enabled: false });
    assert.deepEqual(parsed.accounts, { ci: { capabilities: ["apiKey"], enabled: true } });
    assert.deepEqual(parsed.values, {});
    assert.deepEqual(parsed.release, {
      timeout: 600,
      atomic: false,
      wait: true,
      cleanupOnFail: true,
      maxHistory: 10,
    });
  });

  it("refuses the built-in admin as a local account and an unknown capability", () => {
    const errors = stackErrors({ accounts: { admin: {}, ci: { capabilities: ["sync"] } } });
    assert.ok(
      errors.includes(
        `${PROJECT}:argocd.accounts.admin: is Argo CD's built-in admin user, not a local account: use argocd.admin.enabled`,
      ),
      errors.join("\n"),
    );
    assert.ok(
      errors.includes(`${PROJECT}:argocd.accounts.ci.capabilities.0: each must be "apiKey" or "login"`),
      errors.join("\n"),
    );
  });

  it("refuses atomic without wait in argocd.release", () => {
    assert.deepEqual(stackErrors({ release: { atomic: true, wait: false } }), [
      `${PROJECT}:argocd.release.atomic: is true but wait is false: a rollback on failure needs Helm to wait and see the failure; set wait: true, or atomic: false`,
    ]);
  });

  it("warns when admin is off and nothing else lets anyone log in", () => {
    assert.equal(argoCdWarnings(settings({ admin: { enabled: false } }), REPO).length, 1);
    assert.match(argoCdWarnings(settings({ admin: { enabled: false } }), REPO)[0] ?? "", /argocd --core/);
    assert.deepEqual(argoCdWarnings(settings({}), REPO), [], "admin on");
    assert.deepEqual(
      argoCdWarnings(settings({ oidc: OIDC, hostname: "argocd.example.com" }), REPO),
      [],
      "SSO",
    );
    assert.deepEqual(
      argoCdWarnings(
        settings({
          admin: { enabled: false },
          accounts: { alice: { capabilities: ["login"], enabled: true } },
        }),
        REPO,
      ),
      [],
      "a local account that may log in",
    );
    assert.equal(
      argoCdWarnings(
        settings({
          admin: { enabled: false },
          accounts: { ci: { capabilities: ["apiKey"], enabled: true } },
        }),
        REPO,
      ).length,
      1,
      "an apiKey-only account cannot log in",
    );
    assert.deepEqual(
      argoCdWarnings(
        settings({
          admin: { enabled: false },
          values: { dex: { enabled: true }, configs: { cm: { "dex.config": "connectors: []\n" } } },
        }),
        REPO,
      ),
      [],
      "Dex from values",
    );
  });
});

describe("ArgoCd component: values and release options reach the Release", () => {
  let runtime: MockRuntime;
  beforeEach(async () => {
    runtime = await mockRuntime();
  });

  it("installs the merged values with the release options from the settings", async () => {
    new ArgoCd("argocd", {
      provider: testProvider(),
      settings: settings({
        values: { configs: { cm: { "timeout.reconciliation": "60s" } } },
        release: { timeout: 1200, atomic: true, wait: true, cleanupOnFail: false, maxHistory: 3 },
      }),
      repo: REPO,
      sshPrivateKey: pulumi.secret("key"),
    });
    await runtime.settle();
    const release = findResource(runtime, "kubernetes:helm.sh/v3:Release", "argocd");
    const cmValues = valueAt(release.inputs.values, ["configs", "cm"]) as Record<string, unknown>;
    assert.equal(cmValues["timeout.reconciliation"], "60s");
    assert.equal(cmValues["exec.enabled"], false);
    assert.equal(release.inputs.timeout, 1200);
    assert.equal(release.inputs.atomic, true);
    assert.equal(release.inputs.skipAwait, undefined);
    assert.equal(release.inputs.waitForJobs, true);
    assert.equal(release.inputs.cleanupOnFail, false);
    assert.equal(release.inputs.maxHistory, 3);
  });

  it("refuses values that change what a setting writes, before registering anything", () => {
    assert.throws(
      () =>
        new ArgoCd("argocd", {
          provider: testProvider(),
          settings: settings({ values: { server: { replicas: 5 } } }),
          repo: REPO,
          sshPrivateKey: pulumi.secret("key"),
        }),
      /argocd\.values: server\.replicas is written from gitops-bootstrap:argocd\.replicas\.server/,
    );
  });

  it("logs the warnings: no way to log in, and key data for another chart version", async () => {
    const warnings: string[] = [];
    const original = pulumi.log.warn;
    pulumi.log.warn = (message: string) => {
      warnings.push(message);
      return Promise.resolve();
    };
    try {
      new ArgoCd("argocd", {
        provider: testProvider(),
        settings: settings({ admin: { enabled: false }, values: { configs: { cm: { a: "b" } } } }),
        repo: REPO,
        sshPrivateKey: pulumi.secret("key"),
        chartVersion: "9.9.9",
      });
      await runtime.settle();
    } finally {
      pulumi.log.warn = original;
    }
    assert.equal(warnings.length, 2, warnings.join("\n"));
    assert.match(
      warnings[0] ?? "",
      /^gitops-bootstrap:argocd\.admin\.enabled is false and nothing else lets anyone log in/,
    );
    assert.match(warnings[1] ?? "", /checked against chart 9\.0\.5 .* but the release installs 9\.9\.9/);
  });
});
