/**
 * CI's two identities through the Tailscale API server proxy: the tailnet grant and the cluster's
 * RBAC come from one source and agree on the groups; the preview identity only reads; the stack
 * registers the RBAC exactly when CI reaches the cluster over Tailscale; the workflows join the
 * tailnet as the identity of their job.
 */
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import {
  KUBERNETES_CAPABILITY,
  aclFragment,
  ciRbacObjects,
  ciRbacWanted,
  type CiAccessSettings,
  type CiRbacEntry,
} from "../../core/tailscale/ci-access";
import { CI_IDENTITY_DEFAULTS, parseTailscaleSettings } from "../../core/tailscale/settings";
import { readStackFile } from "../../cli/synth";
import { buildCluster } from "../../stacks/cluster";
import { parseStackConfig, type StackConfig } from "../../stacks/config";
import { REPO_ROOT, mockRuntime, resourcesOfType, unwrap, type MockRuntime } from "../support/harness";
import { validateKubernetesObject } from "../support/validate";

const settingsOf = (raw: object) => {
  const parsed = parseTailscaleSettings({ enabled: true, ...raw });
  assert.ok(parsed.enabled);
  return parsed;
};

/** Group → the kinds/names of the roles bound to it, read from the RBAC objects. */
function boundGroups(entries: CiRbacEntry<string>[]): Map<string, string[]> {
  const bound = new Map<string, string[]>();
  for (const { object } of entries) {
    if (!("subjects" in object)) continue;
    for (const subject of object.subjects) {
      assert.equal(subject.kind, "Group");
      bound.set(subject.name, [
        ...(bound.get(subject.name) ?? []),
        `${object.roleRef.kind}/${object.roleRef.name}`,
      ]);
    }
  }
  return bound;
}

/** Group → the tags granted it, read from the policy fragment. */
function grantedGroups(fragment: ReturnType<typeof aclFragment>): Map<string, string[]> {
  const granted = new Map<string, string[]>();
  for (const grant of fragment.grants) {
    for (const rule of grant.app[KUBERNETES_CAPABILITY]) {
      for (const group of rule.impersonate.groups)
        granted.set(group, [...(granted.get(group) ?? []), ...grant.src]);
    }
  }
  return granted;
}

const VARIANTS: Record<string, object> = {
  defaults: {},
  "custom groups, names and tags": {
    ci: {
      preview: {
        tags: ["tag:gh-plan", "tag:ro"],
        group: "acme:k8s-readers",
        name: "acme-ci-plan",
        readSecrets: true,
      },
      deploy: {
        tags: ["tag:gh-apply"],
        group: "acme:k8s-deployers",
        name: "acme-ci-apply",
        clusterRole: "acme-deployer",
      },
    },
    apiServer: { tags: ["tag:k8s-api"], ports: [443, 6443] },
  },
};

describe("core/tailscale/ci-access", () => {
  for (const [label, raw] of Object.entries(VARIANTS)) {
    it(`${label}: the grant and the RBAC bindings agree on every group name, identity by identity`, () => {
      const settings = settingsOf(raw);
      const fragment = aclFragment(settings);
      const entries = ciRbacObjects(settings.ci, "argocd", "argocd");
      const granted = grantedGroups(fragment);
      const bound = boundGroups(entries);
      assert.deepEqual([...granted.keys()].sort(), [...bound.keys()].sort());
      for (const role of ["preview", "deploy"] as const) {
        const identity = settings.ci[role];
        assert.deepEqual(granted.get(identity.group), identity.tags);
        // Every binding of the group belongs to that identity.
        for (const entry of entries.filter((e) => "subjects" in e.object)) {
          const subjects = (entry.object as { subjects: Array<{ name: string }> }).subjects;
          if (subjects.some((s) => s.name === identity.group)) assert.equal(entry.role, role);
        }
      }
      // The grant reaches the API server proxy on its ports, and every CI tag has an owner.
      for (const grant of fragment.grants) {
        assert.deepEqual(grant.dst, settings.apiServer.tags);
        assert.deepEqual(
          grant.ip,
          settings.apiServer.ports.map((p) => `tcp:${p}`),
        );
      }
      assert.deepEqual(
        Object.keys(fragment.tagOwners).sort(),
        [...settings.ci.preview.tags, ...settings.ci.deploy.tags].sort(),
      );
    });

    it(`${label}: every RBAC object is valid against the Kubernetes schema, and every binding's role exists or is named`, async () => {
      const settings = settingsOf(raw);
      const entries = ciRbacObjects(settings.ci, "argocd", "argocd");
      for (const { object } of entries) await validateKubernetesObject(object);
      const roles = new Set(
        entries.filter((e) => "rules" in e.object).map((e) => `${e.object.kind}/${e.object.metadata.name}`),
      );
      for (const { object } of entries) {
        if (!("roleRef" in object)) continue;
        const ref = `${object.roleRef.kind}/${object.roleRef.name}`;
        assert.ok(roles.has(ref) || ref === `ClusterRole/${settings.ci.deploy.clusterRole}`, ref);
      }
    });
  }

  it("the preview identity only reads: get on the engine's Namespace, no Secret unless readSecrets", () => {
    const settings = settingsOf({});
    const preview = ciRbacObjects(settings.ci, "argocd", "argocd").filter((e) => e.role === "preview");
    const rules = preview.flatMap((e) => ("rules" in e.object ? e.object.rules : []));
    assert.deepEqual(rules, [
      { apiGroups: [""], resources: ["namespaces"], resourceNames: ["argocd"], verbs: ["get"] },
    ]);

    const reading = settingsOf({ ci: { preview: { readSecrets: true } } });
    const withSecrets = ciRbacObjects(reading.ci, "flux-system", "flux-system").filter(
      (e) => e.role === "preview",
    );
    for (const { object } of withSecrets) {
      if ("rules" in object)
        for (const rule of object.rules)
          assert.ok(
            rule.verbs.every((v) => ["get", "list"].includes(v)),
            rule.verbs.join(),
          );
    }
    const role = withSecrets.find((e) => e.object.kind === "Role")?.object;
    assert.deepEqual(role && "rules" in role ? role.rules : undefined, [
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] },
    ]);
    assert.equal(role?.metadata.namespace, "flux-system");
  });

  it("the deploy identity is bound to cluster-admin by default, or to the ClusterRole configured", () => {
    const binding = (ci: CiAccessSettings) =>
      ciRbacObjects(ci, "argocd", "argocd").find((e) => e.key === "deploy-clusterrolebinding")?.object;
    const byDefault = binding(settingsOf({}).ci);
    assert.deepEqual(byDefault && "roleRef" in byDefault ? byDefault.roleRef : undefined, {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "cluster-admin",
    });
    const custom = binding(settingsOf({ ci: { deploy: { clusterRole: "acme-deployer" } } }).ci);
    assert.equal(custom && "roleRef" in custom ? custom.roleRef.name : undefined, "acme-deployer");
    assert.deepEqual(byDefault?.metadata.name, CI_IDENTITY_DEFAULTS.deploy.name);
  });

  it("the RBAC exists when CI reaches the cluster over Tailscale and ci.rbac is on", () => {
    const cases: Array<[string | undefined, boolean, boolean, boolean]> = [
      ["k8s.tail1.ts.net", false, true, true],
      [undefined, true, true, true],
      [undefined, false, true, false],
      ["k8s.tail1.ts.net", true, false, false],
    ];
    for (const [tailscaleHost, tailscaleEnabled, rbac, wanted] of cases) {
      assert.equal(
        ciRbacWanted({ tailscaleHost, tailscaleEnabled, rbac }),
        wanted,
        JSON.stringify({ tailscaleHost, tailscaleEnabled, rbac }),
      );
    }
  });

  it("docs/github-tailscale.md shows the fragment the default settings produce", () => {
    const settings = settingsOf({});
    const doc = readFileSync(join(REPO_ROOT, "docs", "github-tailscale.md"), "utf8");
    const block = /```json acl-fragment\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(block !== undefined, "docs/github-tailscale.md has a ```json acl-fragment block");
    assert.deepEqual(JSON.parse(block), aclFragment(settings));
  });

  it("docs/github-tailscale.md shows the RBAC the default settings produce", () => {
    const settings = settingsOf({});
    const doc = readFileSync(join(REPO_ROOT, "docs", "github-tailscale.md"), "utf8");
    const block = /```yaml ci-rbac\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(block !== undefined, "docs/github-tailscale.md has a ```yaml ci-rbac block");
    const documented = block.split(/^---$/m).map((d) => parse(d) as unknown);
    assert.deepEqual(
      documented,
      ciRbacObjects(settings.ci, "argocd", "argocd").map((e) => e.object),
    );
  });
});

describe("the workflows join the tailnet as their job's identity", () => {
  const workflow = (file: string) =>
    parse(readFileSync(join(REPO_ROOT, ".github", "workflows", file), "utf8")) as {
      jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }>;
    };
  const tailscaleInputs = (file: string) =>
    Object.values(workflow(file).jobs)
      .flatMap((job) => job.steps)
      .filter((step) => step.uses?.startsWith("tailscale/github-action@"))
      .map((step) => step.with);

  for (const [file, role, other] of [
    ["preview.yml", "PREVIEW", "DEPLOY"],
    ["up.yml", "DEPLOY", "PREVIEW"],
  ] as const) {
    it(`${file} uses the ${role.toLowerCase()} identity's credentials and tags, never the other's`, () => {
      assert.deepEqual(tailscaleInputs(file), [
        {
          "oauth-client-id": `\${{ secrets.TS_${role}_OAUTH_CLIENT_ID }}`,
          "oauth-secret": `\${{ secrets.TS_${role}_OAUTH_SECRET }}`,
          tags: `\${{ vars.TS_${role}_TAGS }}`,
        },
        { authkey: `\${{ secrets.TS_${role}_AUTHKEY }}` },
      ]);
      assert.ok(
        !readFileSync(join(REPO_ROOT, ".github", "workflows", file), "utf8").includes(`TS_${other}_`),
      );
    });
  }
});

describe("buildCluster: CI's RBAC on the cluster (mock runtime)", () => {
  let runtime: MockRuntime;

  /** A stack file's config with the raw values `edit` returns, built as `pulumi up` would. */
  async function cluster(
    stack: string,
    edit: (raw: Readonly<Record<string, string>>) => Record<string, string> = () => ({}),
  ) {
    const file = readStackFile(REPO_ROOT, stack);
    const raw = { ...file.config, ...edit(file.config) };
    const parsed = parseStackConfig(raw, new Set(file.secretKeys), { projectDir: REPO_ROOT });
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.errors.join("\n"));
    runtime = await mockRuntime({ stack, config: raw, secretKeys: file.secretKeys });
    const config: StackConfig = parsed.config;
    // homelab brings its own read-only deploy key; prod's GitHub part generates one.
    const outputs = buildCluster(
      config,
      config.github.enabled ? {} : { repoSshPrivateKey: pulumi.secret("KEY") },
    );
    await unwrap(outputs.namespace);
    await runtime.settle();
    return outputs;
  }
  const bindings = () =>
    resourcesOfType(runtime, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").map(
      (r) => r.inputs as { metadata: { name: string }; subjects: Array<{ name: string }> },
    );

  it("prod (through the proxy): binds exactly the groups its exported policy fragment grants", async function () {
    this.timeout(60_000);
    const outputs = await cluster("prod");
    assert.ok(outputs.tailscalePolicy !== undefined);
    const granted = [...grantedGroups(outputs.tailscalePolicy).keys()].sort();
    assert.deepEqual(granted, ["gitops-bootstrap:ci-deploy", "gitops-bootstrap:ci-preview"]);
    assert.deepEqual(
      bindings()
        .flatMap((b) => b.subjects.map((s) => s.name))
        .sort(),
      granted,
    );
  });

  it("homelab (no Tailscale): no RBAC and no policy fragment", async function () {
    this.timeout(60_000);
    const outputs = await cluster("homelab");
    assert.equal(outputs.tailscalePolicy, undefined);
    assert.deepEqual(bindings(), []);
  });

  it("a second cluster reached through the proxy, whose CI credentials another stack makes, still gets the RBAC", async function () {
    this.timeout(60_000);
    await cluster("homelab", () => ({
      "gitops-bootstrap:kubernetes": JSON.stringify({ tailscaleHost: "k8s-home.tail1234.ts.net" }),
    }));
    assert.deepEqual(
      bindings()
        .map((b) => b.metadata.name)
        .sort(),
      ["gitops-bootstrap-ci-deploy", "gitops-bootstrap-ci-preview"],
    );
    assert.equal(resourcesOfType(runtime, "tailscale:index/oauthClient:OauthClient").length, 0);
  });

  it("ci.rbac: false leaves the bindings to the user", async function () {
    this.timeout(60_000);
    await cluster("prod", (raw) => {
      const tailscale = JSON.parse(raw["gitops-bootstrap:tailscale"] ?? "{}") as { ci?: object };
      return {
        "gitops-bootstrap:tailscale": JSON.stringify({ ...tailscale, ci: { ...tailscale.ci, rbac: false } }),
      };
    });
    assert.deepEqual(bindings(), []);
  });
});
