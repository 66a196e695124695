/**
 * What `pulumi destroy` does to each committed stack, derived from synth's record of every
 * resource's options, and checked against the table in docs/operations.md so the docs say exactly
 * what the program does.
 *
 * Pulumi's rules (pulumi/pulumi, pkg/cmd/pulumi/operations/destroy.go `getProtectedExcludes` and
 * pkg/resource/deploy/step.go `deleteProtectedError`): a plain destroy fails at the first protected
 * resource, after deleting its dependents; `--exclude-protected` skips every protected resource and
 * everything it transitively depends on (parent, provider, dependsOn); a `retainOnDelete` resource
 * that is destroyed is only dropped from the state.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/harness";
import { destroyPlan, type DestroyPlan, type SynthResource } from "../support/destroy-plan";
import { REPO_ROOT } from "../support/paths";

const STACKS = [
  "homelab",
  "prod",
  "account",
  "flux-operator-homelab",
  "applicationset-homelab",
  "flux-homelab",
  "hub",
  "spoke-a",
  "spoke-b",
  "cloud",
  "secret-zero-flux",
  "secret-zero-argocd",
  "secret-zero-account",
];

/** Stacks documented from an example's stack file rather than one at the project root. */
const EXAMPLE_FILES: Record<string, string> = {
  "flux-operator-homelab": join("examples", "flux-operator-homelab", "Pulumi.flux-operator-homelab.yaml"),
  // Engines that manage themselves (selfManagement): destroy leaves the engine's release in place.
  "applicationset-homelab": join("examples", "applicationset-homelab", "Pulumi.applicationset-homelab.yaml"),
  "flux-homelab": join("examples", "flux-homelab", "Pulumi.flux-homelab.yaml"),
  // Hub and spoke: the hub reads the spokes' recorded outputs (stack-outputs.yaml beside it).
  hub: join("examples", "hub-and-spoke", "Pulumi.hub.yaml"),
  "spoke-a": join("examples", "hub-and-spoke", "Pulumi.spoke-a.yaml"),
  "spoke-b": join("examples", "hub-and-spoke", "Pulumi.spoke-b.yaml"),
  // home: pulumi-cloud: its own Deployments settings and drift schedule go with it.
  cloud: join("examples", "pulumi-cloud", "Pulumi.cloud.yaml"),
  // Secret zero (docs/operations.md, "Secret zero").
  "secret-zero-flux": join("examples", "secret-zero", "Pulumi.secret-zero-flux.yaml"),
  "secret-zero-argocd": join("examples", "secret-zero", "Pulumi.secret-zero-argocd.yaml"),
  "secret-zero-account": join("examples", "secret-zero", "Pulumi.secret-zero-account.yaml"),
};

/** Recorded outputs of the stacks a stack references, for synth (docs/hub-and-spoke.md). */
const STACK_OUTPUTS: Record<string, string> = {
  hub: join("examples", "hub-and-spoke", "stack-outputs.yaml"),
};

describe("pulumi destroy, per committed stack (docs/operations.md)", () => {
  const plans = new Map<string, DestroyPlan>();
  let work = "";
  before(function () {
    this.timeout(180_000);
    work = mkdtempSync(join(tmpdir(), "gitops-destroy-"));
    for (const stack of STACKS) {
      const out = join(work, stack);
      const file = EXAMPLE_FILES[stack];
      const run = runCli([
        "synth",
        "--stack",
        stack,
        ...(file === undefined ? [] : ["--config-file", join(REPO_ROOT, file)]),
        ...(STACK_OUTPUTS[stack] === undefined
          ? []
          : ["--stack-outputs", join(REPO_ROOT, STACK_OUTPUTS[stack])]),
        "--out",
        out,
      ]);
      assert.equal(run.status, 0, run.stderr);
      plans.set(
        stack,
        destroyPlan(JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as SynthResource[]),
      );
    }
  });
  after(() => {
    if (work !== "") rmSync(work, { recursive: true, force: true });
  });

  /** The lists docs/operations.md gives for a stack under "Tear down a stack". */
  function documented(stack: string): DestroyPlan {
    const doc = readFileSync(join(REPO_ROOT, "docs", "operations.md"), "utf8");
    const section = doc.split(/^## /m).find((s) => s.startsWith("Tear down a stack")) ?? "";
    const block = section.split(/^#### /m).find((s) => s.startsWith(`\`${stack}\``)) ?? "";
    const list = (key: string) => {
      const line = block.split("\n").find((l) => l.startsWith(`- ${key}: `));
      assert.ok(line !== undefined, `docs/operations.md has no "- ${key}:" line for ${stack}`);
      return [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string).sort();
    };
    return { kept: list("kept"), leftInPlace: list("left in place"), deleted: list("deleted") };
  }

  for (const stack of STACKS) {
    it(`${stack}: docs/operations.md lists exactly what destroy keeps, leaves in place and deletes`, () => {
      const plan = plans.get(stack);
      assert.ok(plan !== undefined);
      assert.deepEqual(documented(stack), plan);
    });
  }

  it("never deletes the state bucket, its key or settings, the OIDC provider, the manifest repository or an engine namespace", () => {
    const precious = [
      /^Bucket /,
      /^Bucket(Versioning|ServerSideEncryptionConfiguration|PublicAccessBlock|Policy|OwnershipControls|LifecycleConfiguration) /,
      /^Key state-key$/,
      /^OpenIdConnectProvider /,
      /^Repository manifests$/,
      /^(BranchDefault|RepositoryRuleset|RepositoryVulnerabilityAlerts) manifests-/,
      /^Namespace /,
    ];
    for (const [stack, plan] of plans) {
      for (const name of plan.deleted) {
        assert.ok(!precious.some((p) => p.test(name)), `${stack}: destroy deletes ${name}`);
      }
    }
  });

  it("reads Pulumi's rule right: a protected resource keeps what it depends on, not what depends on it", () => {
    const r = (name: string, extra: Partial<SynthResource> = {}): SynthResource => ({
      urn: `urn:pulumi:s::p::t:m:T::${name}`,
      type: "t:m:T",
      name,
      dependsOn: [],
      custom: true,
      options: {},
      inputs: {},
      ...extra,
    });
    const plan = destroyPlan([
      r("base"),
      r("precious", { dependsOn: ["t:m:T::base"], options: { protect: true } }),
      r("dependent", { dependsOn: ["t:m:T::precious"] }),
      r("retained", { options: { retainOnDelete: true } }),
    ]);
    assert.deepEqual(plan, {
      kept: ["T base", "T precious"],
      leftInPlace: ["T retained"],
      deleted: ["T dependent"],
    });
  });
});
