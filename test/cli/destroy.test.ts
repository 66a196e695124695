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
import { REPO_ROOT } from "../support/paths";

interface SynthResource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  provider?: string;
  dependsOn: string[];
  custom: boolean;
  options: { protect?: boolean; retainOnDelete?: boolean };
}

export interface DestroyPlan {
  /** Kept by `pulumi destroy --exclude-protected`: protected resources and what they depend on. */
  kept: string[];
  /** Destroyed but left in place (retainOnDelete): only dropped from the state. */
  leftInPlace: string[];
  /** Really deleted by `pulumi destroy --exclude-protected`. */
  deleted: string[];
}

/** The short form synth uses for references: `type::name` (with the parent type chain). */
const ref = (urn: string) => urn.split("::").slice(-2).join("::");
const label = (r: SynthResource) => `${r.type.split(":").pop() ?? r.type} ${r.name}`;

/** Applies Pulumi's destroy rules to synth's record of a stack. */
export function destroyPlan(resources: readonly SynthResource[]): DestroyPlan {
  const byRef = new Map(resources.map((r) => [ref(r.urn), r]));
  const kept = new Set<SynthResource>();
  const keep = (r: SynthResource | undefined) => {
    if (r === undefined || kept.has(r)) return;
    kept.add(r);
    for (const dep of [r.parent, r.provider?.split("::").slice(0, 2).join("::"), ...r.dependsOn]) {
      if (dep !== undefined) keep(byRef.get(dep));
    }
  };
  for (const r of resources) if (r.options.protect === true) keep(r);
  // Only what exists outside Pulumi matters to a reader: no components, providers or stack references.
  const real = resources.filter(
    (r) => r.custom && !r.type.startsWith("pulumi:providers:") && r.type !== "pulumi:pulumi:StackReference",
  );
  const sorted = (rs: SynthResource[]) => rs.map(label).sort();
  return {
    kept: sorted(real.filter((r) => kept.has(r))),
    leftInPlace: sorted(real.filter((r) => !kept.has(r) && r.options.retainOnDelete === true)),
    deleted: sorted(real.filter((r) => !kept.has(r) && r.options.retainOnDelete !== true)),
  };
}

const STACKS = ["homelab", "prod", "account"];

describe("pulumi destroy, per committed stack (docs/operations.md)", () => {
  const plans = new Map<string, DestroyPlan>();
  let work = "";
  before(function () {
    this.timeout(180_000);
    work = mkdtempSync(join(tmpdir(), "gitops-destroy-"));
    for (const stack of STACKS) {
      const out = join(work, stack);
      const run = runCli(["synth", "--stack", stack, "--out", out]);
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
