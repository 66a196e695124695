/**
 * The inputs of the stack's own Pulumi Deployments resources, as plain objects: the pulumiservice
 * provider's DeploymentSettings (where the source comes from, what triggers a run, how the run
 * gets AWS credentials) and DriftSchedule. Field names are the provider's
 * (`@pulumi/pulumiservice` 1.3.0, types/input.d.ts): `vcs` with provider `github`, since the
 * `github` field is deprecated there; components/cloud passes these objects as they are.
 */
import type { PulumiCloudSettings } from "./settings";

/** The stack these resources configure: Deployments settings belong to one stack. */
export interface StackIdentity {
  organization: string;
  project: string;
  stack: string;
}

/** `DeploymentSettingsArgs`, the fields we set. */
export interface DeploymentSettingsInputs extends StackIdentity {
  sourceContext: { git: { branch: string; repoDir?: string } };
  vcs: {
    provider: "github";
    repository: string;
    previewPullRequests: boolean;
    deployCommits: boolean;
    paths?: string[];
  };
  operationContext?: {
    preRunCommands?: string[];
    oidc?: { aws: { roleARN: string; sessionName: string; duration?: string } };
  };
  executorContext?: { executorImage: string };
}

/** `DriftScheduleArgs`. */
export interface DriftScheduleInputs extends StackIdentity {
  scheduleCron: string;
  autoRemediate: boolean;
}

/**
 * The stack's DeploymentSettings: Pulumi's GitHub app checks out `repository` at the branch (a
 * repository, not a URL with credentials: the app reads it, so no gitAuth), previews pull requests
 * and deploys pushes, and with `aws` each run exchanges its OIDC token for the role's credentials.
 * A bare branch name is given as its full ref, refs/heads/<branch>, as the provider's own examples
 * write it (pulumi-pulumiservice, examples/api/deployment-settings). An empty list or unset value is left out, so Deployments'
 * own default applies rather than an explicit empty one.
 */
export function deploymentSettingsInputs(
  stack: StackIdentity,
  repository: string,
  settings: PulumiCloudSettings["deployments"],
): DeploymentSettingsInputs {
  const { aws } = settings;
  const operationContext = {
    ...(settings.preRunCommands.length === 0 ? {} : { preRunCommands: settings.preRunCommands }),
    ...(aws === undefined
      ? {}
      : {
          oidc: {
            aws: {
              roleARN: aws.roleArn,
              sessionName: aws.sessionName,
              ...(aws.duration === undefined ? {} : { duration: aws.duration }),
            },
          },
        }),
  };
  return {
    ...stack,
    sourceContext: {
      git: {
        branch: settings.branch.startsWith("refs/") ? settings.branch : `refs/heads/${settings.branch}`,
        ...(settings.repoDir === undefined ? {} : { repoDir: settings.repoDir }),
      },
    },
    vcs: {
      provider: "github",
      repository,
      previewPullRequests: settings.previewPullRequests,
      deployCommits: settings.deployCommits,
      ...(settings.paths.length === 0 ? {} : { paths: settings.paths }),
    },
    ...(Object.keys(operationContext).length === 0 ? {} : { operationContext }),
    ...(settings.executorImage === undefined
      ? {}
      : { executorContext: { executorImage: settings.executorImage } }),
  };
}

/** The stack's DriftSchedule: detection on the cron, remediation only when asked for. */
export function driftScheduleInputs(
  stack: StackIdentity,
  settings: PulumiCloudSettings["driftSchedule"],
): DriftScheduleInputs {
  return { ...stack, scheduleCron: settings.cron, autoRemediate: settings.autoRemediate };
}
