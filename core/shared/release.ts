/**
 * How Pulumi runs an engine's Helm release (`argocd.release`, `flux.release`): our opinion is the
 * default, each option is settable, and options that contradict each other are refused.
 */
import { z } from "zod";
import { bool, count } from "./settings-schema";

export interface ReleaseSettings {
  /** Seconds Helm waits for any one Kubernetes operation. */
  timeout: number;
  /** Roll the release back (an install: uninstall it) when it fails. */
  atomic: boolean;
  /** Wait until the release's resources are ready before the release counts as done. */
  wait: boolean;
  /** Also wait for the release's Jobs (argo-cd's redis secret init hook) to complete; defaults to `wait`. */
  waitForJobs?: boolean;
  /** Delete what a failed upgrade created. */
  cleanupOnFail: boolean;
  /** Release revisions Helm keeps (0: all). */
  maxHistory: number;
}

export const RELEASE_DEFAULTS = {
  timeout: 600,
  atomic: false,
  wait: true,
  cleanupOnFail: true,
  maxHistory: 10,
} as const;

export const releaseSettingsSchema = z
  .object({
    timeout: count(1, 86_400).default(RELEASE_DEFAULTS.timeout),
    atomic: bool().default(RELEASE_DEFAULTS.atomic),
    wait: bool().default(RELEASE_DEFAULTS.wait),
    waitForJobs: bool().optional(),
    cleanupOnFail: bool().default(RELEASE_DEFAULTS.cleanupOnFail),
    maxHistory: count(0, 1000).default(RELEASE_DEFAULTS.maxHistory),
  })
  .strict()
  .superRefine((release, ctx) => {
    // Helm's --atomic implies --wait (and Pulumi turns skipAwait off with atomic): both at once is a contradiction.
    if (release.atomic && !release.wait) {
      ctx.addIssue({
        code: "custom",
        path: ["atomic"],
        message:
          "is true but wait is false: a rollback on failure needs Helm to wait and see the failure; set wait: true, or atomic: false",
      });
    }
    if (release.waitForJobs === true && !release.wait) {
      ctx.addIssue({
        code: "custom",
        path: ["waitForJobs"],
        message:
          "is true but wait is false: Pulumi ignores waitForJobs when it does not wait; set wait: true, or remove waitForJobs",
      });
    }
  })
  .prefault({});

/**
 * The helm.v3.Release arguments these settings stand for. `atomic` and `skipAwait` appear only when
 * on: an input that appears changes the release's inputs, and `pulumi up` would upgrade a running
 * engine for nothing.
 */
export function helmReleaseOptions(release: ReleaseSettings) {
  return {
    timeout: release.timeout,
    ...(release.atomic ? { atomic: true } : {}),
    ...(release.wait ? {} : { skipAwait: true }),
    waitForJobs: release.waitForJobs ?? release.wait,
    cleanupOnFail: release.cleanupOnFail,
    maxHistory: release.maxHistory,
  };
}
