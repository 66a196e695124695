/**
 * Where a cluster stack lives: `gitops-bootstrap:home` and `gitops-bootstrap:pulumiCloud`.
 *
 * `home: s3` (the default) is the account stack's S3 bucket, KMS secrets and GitHub Actions; with
 * `home: pulumi-cloud` the stack's state and secrets are Pulumi Cloud's, its config comes from a
 * Pulumi ESC environment the stack file imports, and Pulumi Deployments runs it: the program then
 * makes the stack's own DeploymentSettings and DriftSchedule (core/cloud/deployments.ts).
 */
import { z } from "zod";
import { bool, checkedString } from "../shared/settings-schema";
import { branchProblem, repositoryProblem } from "../aws/settings";

/** The homes a cluster stack can have. */
export const HOME_NAMES = ["s3", "pulumi-cloud"] as const;
export type Home = (typeof HOME_NAMES)[number];

/** `gitops-bootstrap:home`: s3 unless set, which is what every stack did before the setting existed. */
export const homeSchema = z
  .enum(HOME_NAMES, {
    error:
      'must be "s3" (the account stack\'s bucket and GitHub Actions) or "pulumi-cloud" (docs/pulumi-cloud.md)',
  })
  .default("s3");

/** Pulumi Cloud's API unless configured: a self-hosted Pulumi Cloud has its own. */
export const DEFAULT_PULUMI_API_URL = "https://api.pulumi.com";

/**
 * The AWS role session name unless configured: Pulumi Deployments fills `${deployment.version}` in,
 * so each run is its own line in CloudTrail (Pulumi's REST API docs, OperationContextAWSOIDCConfiguration).
 */
export const DEFAULT_AWS_SESSION_NAME = "gitops-bootstrap-${deployment.version}";

/** Daily at 06:00 UTC: about 30 drift runs a month, against the free plan's 500 workflow minutes. */
export const DEFAULT_DRIFT_CRON = "0 6 * * *";

const IAM_ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** Five cron fields (minute hour day-of-month month day-of-week), as Pulumi's schedules take them. */
const CRON = /^\S+( \S+){4}$/;
/** `XhYmZs`, the form Deployments takes an assume-role session's duration in. */
const SESSION_DURATION = /^(\d+h)?(\d+m)?(\d+s)?$/;

const awsOidcSchema = z.strictObject({
  /** The role Deployments assumes with its OIDC token: the account stack's `pulumiDeploymentsRoleArn` output. */
  roleArn: z.string({ error: "must be a string" }).regex(IAM_ROLE_ARN, {
    error:
      "must be an IAM role ARN such as arn:aws:iam::123456789012:role/pulumi-deployments (the account stack's pulumiDeploymentsRoleArn output)",
  }),
  /** Session name; `${deployment.version}` and the other placeholders Deployments documents are filled in. */
  sessionName: z.string().min(1).max(64).default(DEFAULT_AWS_SESSION_NAME),
  /** Session duration such as 1h; unset, Deployments' own default. */
  duration: z
    .string()
    .regex(SESSION_DURATION, { error: "must be a duration such as 1h or 30m (XhYmZs)" })
    .refine((d) => d !== "", { error: "must not be empty; remove it for Deployments' default" })
    .optional(),
});

const deploymentsSchema = z.strictObject({
  /** The program makes the stack's DeploymentSettings (false: you configure Deployments, or not, yourself). */
  enabled: bool().default(true),
  /** owner/name of the GitHub repository holding this Pulumi project; default: github.owner/github.sourceRepository. */
  repository: checkedString(repositoryProblem).optional(),
  /** The branch Deployments checks out and deploys on push. */
  branch: checkedString(branchProblem).default("main"),
  /** The directory of Pulumi.yaml inside the repository; unset, its root. */
  repoDir: z.string().min(1, { error: "must not be empty; remove it for the repository root" }).optional(),
  /** Only pushes and pull requests touching these paths run; empty means every change. */
  paths: z.array(z.string().min(1)).default([]),
  /** Pulumi's GitHub app runs `pulumi preview` on each pull request and comments the result. */
  previewPullRequests: bool().default(true),
  /** Pulumi's GitHub app runs `pulumi up` on each push to the branch. */
  deployCommits: bool().default(true),
  /** Commands run before each operation, such as joining a tailnet to reach the cluster. */
  preRunCommands: z.array(z.string().min(1)).default([]),
  /** Executor image; unset, Deployments' default pulumi/pulumi image. */
  executorImage: z.string().min(1).optional(),
  /** OIDC to AWS; unset, the deployment gets no AWS credentials (a cluster stack needs none of its own). */
  aws: awsOidcSchema.optional(),
});

const driftScheduleSchema = z.strictObject({
  /** The program makes a DriftSchedule for this stack. */
  enabled: bool().default(true),
  /** When drift detection runs (cron, UTC). */
  cron: z
    .string()
    .regex(CRON, { error: 'must be a five-field cron expression such as "0 6 * * *"' })
    .default(DEFAULT_DRIFT_CRON),
  /** Run `pulumi up` after drift is found: off, a person reads the drift first. */
  autoRemediate: bool().default(false),
});

/** `gitops-bootstrap:pulumiCloud`, read only with `home: pulumi-cloud`. */
export const pulumiCloudSettingsSchema = z.strictObject({
  /** The Pulumi organization; default: the running stack's own. */
  organization: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: "must be a Pulumi organization name such as acme" })
    .optional(),
  /** The Pulumi Cloud API the pulumiservice provider talks to. */
  apiUrl: z
    .url({ protocol: /^https$/, error: "must be an https URL such as https://api.pulumi.com" })
    .default(DEFAULT_PULUMI_API_URL),
  deployments: deploymentsSchema.prefault({}),
  driftSchedule: driftScheduleSchema.prefault({}),
});

export type PulumiCloudSettings = z.output<typeof pulumiCloudSettingsSchema>;

/** What {@link pulumiCloudProblems} reads of the rest of the stack config. */
export interface HomeContext {
  home: Home;
  /** Whether the stack file sets `pulumiCloud` at all. */
  pulumiCloudSet: boolean;
  pulumiCloud: PulumiCloudSettings;
  /** The GitHub part, when on: its source repository and whether it writes GitHub Actions' CI settings. */
  github?: { owner: string; sourceRepository: string; ciEnabled: boolean };
  /** `aws.accountStack`, when set. */
  accountStack?: string;
}

/** A problem at a key under the project's namespace, with its fix. */
export interface HomeProblem {
  key: string;
  message: string;
}

/** The rules between `home`, `pulumiCloud` and the GitHub part; each problem names its key and the fix. */
export function pulumiCloudProblems(context: HomeContext): HomeProblem[] {
  const problems: HomeProblem[] = [];
  if (context.home === "s3") {
    if (context.pulumiCloudSet)
      problems.push({
        key: "pulumiCloud",
        message:
          "is set but home is s3 (the default), which never reads it; set gitops-bootstrap:home: pulumi-cloud, or remove pulumiCloud",
      });
    return problems;
  }
  if (context.github?.ciEnabled === true) {
    problems.push({
      key: "github.ci.enabled",
      message:
        "is true (the default), which writes GitHub Actions' S3 backend, KMS and role settings, but with home: pulumi-cloud Pulumi Deployments runs this stack; set github.ci.enabled: false",
    });
  }
  if (context.accountStack !== undefined) {
    problems.push({
      key: "aws.accountStack",
      message:
        "is set, but its outputs (backend URL, KMS key, CI roles) go only to GitHub Actions' CI settings, which a stack Deployments runs does not write, and a StackReference reaches only stacks of the same backend; remove it (the account stack's pulumiDeploymentsRoleArn goes into pulumiCloud.deployments.aws.roleArn)",
    });
  }
  const { deployments } = context.pulumiCloud;
  if (deployments.enabled && deployments.repository === undefined && context.github === undefined) {
    problems.push({
      key: "pulumiCloud.deployments.repository",
      message:
        "is required: the owner/name of the GitHub repository holding this Pulumi project, which Deployments checks out (or switch on the github part, whose sourceRepository is the default, or set deployments.enabled: false)",
    });
  }
  return problems;
}

/** The repository Deployments checks out: the configured one, or the GitHub part's source repository. */
export function deploymentsRepository(context: HomeContext): string | undefined {
  const { repository } = context.pulumiCloud.deployments;
  if (repository !== undefined) return repository;
  return context.github === undefined
    ? undefined
    : `${context.github.owner}/${context.github.sourceRepository}`;
}

/** The parts of a cluster stack's config the home rules read (structurally, so core needs no stack types). */
export interface HomeConfig {
  home: Home;
  pulumiCloud: PulumiCloudSettings;
  github:
    { enabled: false } | { enabled: true; owner: string; sourceRepository: string; ci: { enabled: boolean } };
  aws: { accountStack?: string | undefined };
}

/** The home settings with the GitHub part's source repository and CI switch, when the part is on. */
export function homeContext(config: HomeConfig, pulumiCloudSet: boolean): HomeContext {
  const { github } = config;
  return {
    home: config.home,
    pulumiCloudSet,
    pulumiCloud: config.pulumiCloud,
    ...(config.aws.accountStack === undefined ? {} : { accountStack: config.aws.accountStack }),
    ...(github.enabled
      ? {
          github: {
            owner: github.owner,
            sourceRepository: github.sourceRepository,
            ciEnabled: github.ci.enabled,
          },
        }
      : {}),
  };
}
