import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmReleaseOptions, RELEASE_DEFAULTS, type ReleaseSettings } from "../../core/shared/release";
import {
  HANDED_OFF_RELEASE_INPUTS,
  releaseImportId,
  releaseOwnerEngineNote,
  type EngineInstall,
  type SelfManagement,
} from "../../core/shared/self-management";
import { isOciPin } from "../../core/shared/versions";

export interface EngineReleaseArgs {
  /**
   * Release name, chart, version, namespace and values: the same object the engine's hand-off
   * files are written from (core/shared/self-management.ts).
   */
  install: EngineInstall;
  /**
   * Timeout, atomic, wait, waitForJobs, cleanupOnFail, maxHistory. Defaults to RELEASE_DEFAULTS
   * (core/shared/release.ts): wait for Deployments and hook Jobs, 600 s, no rollback, 10 revisions.
   */
  release?: ReleaseSettings;
  /**
   * The engine manages its own install from the manifest repository (`selfManagement`): Pulumi
   * installs the release once and then ignores every change to its inputs, and `pulumi destroy`
   * leaves it running. Defaults to false: Pulumi owns the release.
   */
  handedOff?: boolean;
  /**
   * Adopt the release already in the cluster (the `import` resource option, ID
   * `<namespace>/<release name>`) instead of installing it; only handed off, whose `ignoreChanges`
   * makes the adoption succeed whatever chart and values the engine has since installed. Defaults
   * to false.
   */
  importRelease?: boolean;
  /**
   * Adopt the release the Terragrunt layer installed (`gitops-bootstrap:adopt.release`): the
   * `import` option with ID `<namespace>/<release name>`, on a release Pulumi owns. The first
   * `pulumi up` imports it and, in the same run, upgrades it to the stack's chart and values (the
   * diff `migrate` prints); a Pulumi CLI older than pulumi/pulumi#19339 refuses such an import
   * instead, changing nothing. Defaults to false.
   */
  adoptRelease?: boolean;
}

/**
 * A GitOps engine's Helm release: the pinned chart from its repository, into a namespace we
 * created. By default it waits for Deployments and hook Jobs so whatever depends on it starts
 * against a running engine.
 *
 * helm.v3.Release, not helm.v4.Chart: v4 renders templates without Helm hooks, and argo-cd's
 * redis secret init job is a pre-install hook. A chart in an OCI registry is named by its full
 * `oci://…/<chart>` reference, with no repository (as `helm install oci://…` takes it).
 *
 * Handed off, the release keeps the inputs it was installed with (`ignoreChanges` on every input
 * it can have), so a chart or values change reaches the cluster only through the engine, and
 * `retainOnDelete` leaves the engine running when the stack is destroyed.
 */
export function engineRelease(
  name: string,
  args: EngineReleaseArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  const { install } = args;
  if (args.importRelease === true && args.handedOff !== true)
    throw new Error(
      "engineRelease: importRelease needs handedOff (selfManagement.importRelease without selfManagement)",
    );
  const adopt = args.adoptRelease === true ? { import: releaseImportId(install) } : {};
  return new k8s.helm.v3.Release(
    name,
    {
      name: install.releaseName,
      ...(isOciPin(install.chart)
        ? { chart: `${install.chart.repo}/${install.chart.chart}` }
        : { chart: install.chart.chart }),
      version: install.version,
      ...(isOciPin(install.chart) ? {} : { repositoryOpts: { repo: install.chart.repo } }),
      namespace: install.namespace,
      createNamespace: false,
      values: install.values,
      ...helmReleaseOptions(args.release ?? RELEASE_DEFAULTS),
    },
    args.handedOff === true
      ? {
          ...opts,
          ignoreChanges: [...(opts.ignoreChanges ?? []), ...HANDED_OFF_RELEASE_INPUTS],
          retainOnDelete: true,
          ...(args.importRelease === true ? { import: releaseImportId(install) } : adopt),
        }
      : { ...opts, ...adopt },
  );
}

/**
 * The engine's release as `<engine>.selfManagement` has it: declared by {@link engineRelease}
 * (selfManagement off, or `releaseOwner: pulumi`), or not at all with `releaseOwner: engine`. Not
 * declaring a resource the state holds makes Pulumi delete it, and a delete of a resource whose
 * state has `retainOnDelete` only drops it from the state (pulumi/pulumi,
 * pkg/resource/deploy/step.go, `DeleteStep.Apply`): the engine keeps running. `engine` is the
 * settings key, for the note synth and `pulumi preview` print.
 */
export function selfManagedEngineRelease(
  name: string,
  args: Omit<EngineReleaseArgs, "handedOff" | "importRelease"> & {
    selfManagement: SelfManagement | undefined;
    engine: string;
  },
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release | undefined {
  const self = args.selfManagement;
  if (self?.releaseOwner === "engine") {
    void pulumi.log.warn(releaseOwnerEngineNote(args.engine, args.install), opts.parent);
    return undefined;
  }
  return engineRelease(
    name,
    {
      install: args.install,
      ...(args.release === undefined ? {} : { release: args.release }),
      handedOff: self !== undefined,
      importRelease: self?.importRelease === true,
      ...(args.adoptRelease === true ? { adoptRelease: true } : {}),
    },
    opts,
  );
}
