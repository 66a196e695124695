import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmReleaseOptions, RELEASE_DEFAULTS, type ReleaseSettings } from "../../core/shared/release";
import { isOciPin, type ChartPin } from "../../core/shared/versions";

export interface EngineReleaseArgs {
  /** Helm release name. */
  releaseName: string;
  /** The pinned chart. */
  pin: ChartPin;
  /** Chart version. Defaults to the pin's. */
  version?: string;
  namespace: string;
  values: Record<string, unknown>;
  /**
   * Timeout, atomic, wait, waitForJobs, cleanupOnFail, maxHistory. Defaults to RELEASE_DEFAULTS
   * (core/shared/release.ts): wait for Deployments and hook Jobs, 600 s, no rollback, 10 revisions.
   */
  release?: ReleaseSettings;
}

/**
 * A GitOps engine's Helm release: the pinned chart from its repository, into a namespace we
 * created. By default it waits for Deployments and hook Jobs so whatever depends on it starts
 * against a running engine.
 *
 * helm.v3.Release, not helm.v4.Chart: v4 renders templates without Helm hooks, and argo-cd's
 * redis secret init job is a pre-install hook. A chart in an OCI registry is named by its full
 * `oci://…/<chart>` reference, with no repository (as `helm install oci://…` takes it).
 */
export function engineRelease(
  name: string,
  args: EngineReleaseArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    name,
    {
      name: args.releaseName,
      ...(isOciPin(args.pin) ? { chart: `${args.pin.repo}/${args.pin.chart}` } : { chart: args.pin.chart }),
      version: args.version ?? args.pin.version,
      ...(isOciPin(args.pin) ? {} : { repositoryOpts: { repo: args.pin.repo } }),
      namespace: args.namespace,
      createNamespace: false,
      values: args.values,
      ...helmReleaseOptions(args.release ?? RELEASE_DEFAULTS),
    },
    opts,
  );
}
