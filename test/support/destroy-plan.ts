/**
 * What `pulumi destroy` does to a stack, derived from synth's record of every resource's options
 * as Pulumi's rules decide it.
 *
 * Pulumi's rules (pulumi/pulumi, pkg/cmd/pulumi/operations/destroy.go `getProtectedExcludes` and
 * pkg/resource/deploy/step.go `deleteProtectedError`): a plain destroy fails at the first protected
 * resource, after deleting its dependents; `--exclude-protected` skips every protected resource and
 * everything it transitively depends on (parent, provider, dependsOn); a `retainOnDelete` resource
 * that is destroyed is only dropped from the state.
 */
import type { SynthResource } from "../../cli/synth";

export type { SynthResource };

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
