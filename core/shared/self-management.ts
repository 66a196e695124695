/**
 * Engines managing themselves (`argocd.selfManagement`, `flux.selfManagement`,
 * `fluxOperator.selfManagement`; docs/engines.md, "Hand-off"): Pulumi installs the engine once, then the engine manages its own install from files
 * in the manifest repository, written from the very install Pulumi ran, and Pulumi stops touching it.
 *
 * Every engine plugs in the same way:
 * - a settings key of the shape {@link selfManagementSchema} (absent: off);
 * - an {@link EngineInstall} per Helm release: the one object the component hands to its
 *   helm.v3.Release *and* the engine's hand-off builder turns into files, so the two cannot differ;
 * - a builder `(installs, …) => HandoffFile[]`, whose files `gitops-bootstrap handoff` writes under
 *   `selfManagement.path` (one writer for every engine, cli/handoff.ts);
 * - the pointer objects in the root chart that make the engine read that directory (the Flux
 *   Operator has no root chart: its pointer is one of its files, applied once by hand).
 */
import { z } from "zod";
import { repoPath } from "../repository/settings";
import { bool, label } from "./settings-schema";
import type { Values, ValuesProblem } from "./values";
import type { ChartPin } from "./versions";

/** `<engine>.selfManagement`: where the engine's own install lives in the manifest repository. */
export interface SelfManagement {
  /** Directory of the manifest repository holding the engine's install (what `handoff` writes). */
  path: string;
  /** Name of the object that points the engine at `path` (Argo CD: Application and AppProject; Flux: Kustomization). */
  name: string;
  /**
   * Who owns the engine's Helm release in Pulumi's program: `pulumi` (the default) declares it
   * (installed on the first `up`, then `ignoreChanges` on every input and `retainOnDelete`);
   * `engine` declares none, so Pulumi forgets the release without uninstalling it. Defaults to
   * `pulumi`: a fresh cluster's first `up` must install the engine.
   */
  releaseOwner: ReleaseOwner;
  /**
   * Adopt the existing release into the stack (the `import` resource option, ID
   * `<namespace>/<release name>`) instead of installing it: for taking the release back after
   * `releaseOwner: engine`. Defaults to false.
   */
  importRelease: boolean;
}

/** Values of `selfManagement.releaseOwner`. */
export const RELEASE_OWNERS = ["pulumi", "engine"] as const;
export type ReleaseOwner = (typeof RELEASE_OWNERS)[number];

/**
 * The shape every engine's `selfManagement` key has: `path` (required) and `name`. An engine adds
 * its own keys with `.extend()`.
 */
export const selfManagementSchema = (defaultName: string) =>
  z
    .object({
      path: repoPath(
        "is required: the directory of the manifest repository that holds the engine's own install (such as bootstrap/argocd), which `gitops-bootstrap handoff` writes",
      ),
      name: label().default(defaultName),
      releaseOwner: z
        .enum(RELEASE_OWNERS, {
          error:
            "must be pulumi (the stack declares the engine's Helm release: needed for a fresh cluster's first up) or engine (the stack declares none; Pulumi forgets the release and leaves it running)",
        })
        .default("pulumi"),
      importRelease: bool().default(false),
    })
    .strict();

/**
 * What is wrong with `<engine>.selfManagement` as a whole: `importRelease` adopts a release the
 * stack declares, so it needs `releaseOwner: pulumi`. `engine` names the settings key (`argocd`).
 */
export function releaseOwnerProblems(self: SelfManagement | undefined, engine: string): ValuesProblem[] {
  if (self === undefined || !self.importRelease || self.releaseOwner === "pulumi") return [];
  return [
    {
      key: `${engine}.selfManagement.importRelease`,
      message: `is true but ${engine}.selfManagement.releaseOwner is ${self.releaseOwner}: a release the stack does not declare cannot be imported; set releaseOwner: pulumi to take the release back, or drop importRelease`,
    },
  ];
}

/** The `import` ID of the engine's helm.v3.Release: pulumi-kubernetes reads `<namespace>/<release name>`. */
export function releaseImportId(install: EngineInstall): string {
  return `${install.namespace}/${install.releaseName}`;
}

/**
 * What synth and `pulumi preview` say with `releaseOwner: engine`: the stack declares no Helm
 * release, which on a cluster without the engine installs nothing, and how to take it back.
 */
export function releaseOwnerEngineNote(engine: string, install: EngineInstall): string {
  return (
    `${engine}.selfManagement.releaseOwner is engine: this stack declares no Helm release for ${install.releaseName} ` +
    `(${install.chart.chart} in ${install.namespace}); the engine manages its own install from selfManagement.path. ` +
    `If the state holds the release, this up drops it from the state without uninstalling it (retainOnDelete from the earlier up with selfManagement; preview shows delete[retain], and a plain delete would uninstall the engine: stop). ` +
    `A fresh cluster installs no engine this way: its first up needs releaseOwner: pulumi. ` +
    `To take the release back: releaseOwner: pulumi with importRelease: true (docs/engines.md, Hand-off).`
  );
}

/** One Helm release of an engine, exactly as Pulumi installs it and as the engine takes it over. */
export interface EngineInstall {
  /** Helm release name (the engine must adopt the release under the same name). */
  readonly releaseName: string;
  /** The chart and the repository it comes from. */
  readonly chart: Pick<ChartPin, "chart" | "repo">;
  /** Exact chart version. */
  readonly version: string;
  /** Namespace of the release and of its Helm storage. */
  readonly namespace: string;
  /** The values, fully merged (ours, then the stack's `values`). */
  readonly values: Values;
}

/**
 * Every input the engine's helm.v3.Release can set (components/shared/helm.ts), all of which the
 * engine owns after the hand-off: `ignoreChanges` keeps Pulumi's stored inputs, so `pulumi up`
 * never upgrades, downgrades or reconfigures the release. `version` is listed by name on purpose:
 * pulumi-kubernetes' Release diff then compares the version refreshed from the cluster with itself
 * (provider/pkg/provider/helm_release.go, Diff), so a chart the engine upgraded is no diff.
 */
export const HANDED_OFF_RELEASE_INPUTS: readonly string[] = [
  "name",
  "chart",
  "version",
  "repositoryOpts",
  "namespace",
  "createNamespace",
  "values",
  "timeout",
  "atomic",
  "skipAwait",
  "waitForJobs",
  "cleanupOnFail",
  "maxHistory",
];

/** A file the hand-off writes, relative to `selfManagement.path`. */
export interface HandoffFile {
  readonly name: string;
  readonly content: string;
}

/** The line every file `handoff` writes carries; only such files are replaced or removed. */
export const HANDOFF_MARKER = "# Generated by gitops-bootstrap handoff";

/** The marker line with where the file comes from, and what to edit instead. */
export function handoffMarkerLine(stack: string): string {
  return `${HANDOFF_MARKER} for stack ${stack}; change the stack (values, charts/versions.json), not this file.`;
}

/** A YAML document with the marker line after its `$schema` line (or first, without one). */
export function withHandoffMarker(yaml: string, stack: string): string {
  const marker = handoffMarkerLine(stack);
  if (!yaml.startsWith("# yaml-language-server:")) return `${marker}\n${yaml}`;
  const end = yaml.indexOf("\n") + 1;
  return `${yaml.slice(0, end)}${marker}\n${yaml.slice(end)}`;
}

/** Whether a file is one `handoff` wrote (its marker is on one of its first lines). */
export function isHandoffFile(text: string): boolean {
  return text.split("\n", 4).some((line) => line.startsWith(HANDOFF_MARKER));
}

/**
 * Why the engine's own directory may not be where it is, or undefined: it must be neither the root
 * app's directory nor inside or around it, or the root would apply the engine's install a second
 * time (two owners of one object).
 */
export function selfManagementPathProblem(selfPath: string, rootPath: string): string | undefined {
  const inside = (a: string, b: string) => a === b || a.startsWith(`${b}/`);
  if (inside(selfPath, rootPath) || inside(rootPath, selfPath))
    return `${selfPath} overlaps the root app's directory ${rootPath} (repo.path or the catalog's output): the root would apply the engine's install too; choose a directory outside it, such as bootstrap/<engine>`;
  return undefined;
}
