import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmReleaseOptions, RELEASE_DEFAULTS, type ReleaseSettings } from "../../core/shared/release";
import { HANDED_OFF_RELEASE_INPUTS, type EngineInstall } from "../../core/shared/self-management";
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
        }
      : opts,
  );
}
