/**
 * The `gitops-bootstrap:aws` config object: the account stack's state bucket, KMS key, GitHub OIDC
 * provider and CI roles, and what to adopt from the Terragrunt `bootstrap` module.
 *
 * `awsSettingsSchema` validates and resolves it (defaults, adopted names, ARNs); every message says
 * what is wrong and how to fix it, and its path names the key. `awsSettingsProblems` formats them as
 * `gitops-bootstrap:aws.<path>: <message>`, all at once, before anything is registered.
 */
import { z } from "zod";
import { unknownKeyMessage } from "../shared/messages";
import { knownKeys, plainIssueText } from "../shared/schema";
import { bool, checkedString, count } from "../shared/settings-schema";
import { githubOidcProviderArn, partitionOf, type Partition } from "./state";
import { CI_MODELS } from "../github/github";
import { managedPolicyName, type CiTrust } from "./iam";
import { pulumiDeploymentsSettingsSchema, type PulumiDeploymentsSettings } from "./pulumi-oidc";

/** The fully qualified config key. */
export const AWS_CONFIG_KEY = "gitops-bootstrap:aws";

/** Default role names: two roles, so a pull request can never hold the deploy role's rights. */
export const DEFAULT_ROLE_NAMES = {
  preview: "gitops-bootstrap-ci-preview",
  deploy: "gitops-bootstrap-ci-deploy",
} as const;

// ---- value rules (pure, each returns the problem or undefined) --------------------------------

const BUCKET_CHARS = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const RESERVED_BUCKET_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_BUCKET_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/** Why `name` is not a usable state bucket name (S3's general purpose bucket rules, minus dots). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) {
    return `${JSON.stringify(name)} is ${name.length} characters long; S3 bucket names have 3 to 63`;
  }
  if (!BUCKET_CHARS.test(name)) {
    return `${JSON.stringify(name)} must use only lower-case letters, digits, '-' and '.', and start and end with a letter or digit (S3 bucket naming rules), such as acme-pulumi-state`;
  }
  if (name.includes(".")) {
    return `${JSON.stringify(name)} must not contain '.': a dotted bucket name breaks TLS for virtual-hosted S3 URLs and the bucket only accepts TLS; use '-' instead`;
  }
  const prefix = RESERVED_BUCKET_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) return `${JSON.stringify(name)} must not start with ${prefix} (reserved by S3)`;
  const suffix = RESERVED_BUCKET_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix !== undefined) return `${JSON.stringify(name)} must not end with ${suffix} (reserved by S3)`;
  return undefined;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** Why `region` is not an AWS region code. */
export function regionProblem(region: string): string | undefined {
  if (REGION.test(region)) return undefined;
  if (/^[a-z]{2}(-gov)?-[a-z]+-\d{1,2}[a-z]$/.test(region)) {
    return `${JSON.stringify(region)} is an availability zone; use its region, ${region.slice(0, -1)}`;
  }
  return `${JSON.stringify(region)} must be an AWS region code such as eu-west-1 or us-east-2`;
}

const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/;

/** Why `slug` is not a GitHub `owner/repo`. */
export function repositoryProblem(slug: string): string | undefined {
  const parts = slug.split("/");
  const example = "such as acme/homelab-infra (no URL, no .git)";
  if (parts.length !== 2) return `${JSON.stringify(slug)} must be owner/repo, ${example}`;
  const [owner = "", repo = ""] = parts;
  if (!GITHUB_OWNER.test(owner)) {
    return `${JSON.stringify(slug)}: owner ${JSON.stringify(owner)} must be a GitHub user or organisation name (letters, digits and single '-' between them, at most 39), ${example}`;
  }
  if (!GITHUB_REPO.test(repo) || repo === "." || repo === ".." || repo.endsWith(".git")) {
    return `${JSON.stringify(slug)}: repository ${JSON.stringify(repo)} must be a GitHub repository name (letters, digits, '.', '_' and '-', at most 100), ${example}`;
  }
  return undefined;
}

const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;

/** Why `name` is not an environment name we put into an exact `sub` (no ':', '*', '?' or spaces). */
export function environmentProblem(name: string): string | undefined {
  if (ENVIRONMENT.test(name)) return undefined;
  return `${JSON.stringify(name)} must be a GitHub environment name of letters, digits, '.', '_' and '-' (at most 255), such as production; it becomes the exact OIDC subject repo:<owner>/<repo>:environment:<name>`;
}

/** Why `branch` is not a branch name we put into an exact `sub`. */
export function branchProblem(branch: string): string | undefined {
  const ok =
    /^[A-Za-z0-9._/-]+$/.test(branch) &&
    !branch.startsWith("/") &&
    !branch.endsWith("/") &&
    !branch.startsWith("-") &&
    !branch.includes("..") &&
    !branch.includes("//") &&
    !branch.endsWith(".lock") &&
    !branch.startsWith("refs/");
  return ok
    ? undefined
    : `${JSON.stringify(branch)} must be a branch name such as main (no refs/heads/ prefix, no wildcards)`;
}

/** Why `path` is not a workflow file of the repository. */
export function workflowProblem(path: string): string | undefined {
  return /^\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml$/.test(path)
    ? undefined
    : `${JSON.stringify(path)} must be a workflow file path such as .github/workflows/up.yml`;
}

// ---- schema -----------------------------------------------------------------------------------

/** A numeric ID written as a number or a string in YAML; kept as a string for the condition value. */
const numericId = (example: string) =>
  z.preprocess(
    (v) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? String(v) : v),
    z.string({ error: `must be a number such as ${example}` }).regex(/^\d{1,20}$/, {
      error: `must be a number such as ${example}`,
    }),
  );

const roleName = () =>
  z.string({ error: "must be a string" }).regex(/^[A-Za-z0-9+=,.@_-]{1,64}$/, {
    error: "must be an IAM role name: at most 64 letters, digits and +=,.@_- (no path, no ARN)",
  });

/**
 * AWS managed policies that let a role create, change or assume other principals (or do anything at
 * all). The bucket and key policies deny the CI roles by ARN; a principal the deploy role creates or
 * assumes is not named there, so any of these would route around them.
 */
export const ADMINISTRATOR_POLICY_NAMES = [
  "AdministratorAccess",
  "PowerUserAccess",
  "IAMFullAccess",
  "AdministratorAccess-Amplify",
  "AdministratorAccess-AWSElasticBeanstalk",
  "job-function/SystemAdministrator",
] as const;

/** Whether `policyArn` is one of {@link ADMINISTRATOR_POLICY_NAMES} (AWS managed, any partition). */
export function isAdministratorPolicy(policyArn: string): boolean {
  const match = /^arn:aws(-cn|-us-gov)?:iam::aws:policy\/(.+)$/.exec(policyArn);
  return match !== null && (ADMINISTRATOR_POLICY_NAMES as readonly string[]).includes(match[2] ?? "");
}

const policyArn = () =>
  z
    .string({ error: "must be a string" })
    .regex(/^arn:aws(-cn|-us-gov)?:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/, {
      error:
        "must be an IAM managed policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess or arn:aws:iam::123456789012:policy/cluster-dns",
    });

/**
 * The state bucket's configuration resources (components/aws/state-backend.ts), each its own
 * Pulumi resource imported by the bucket's name when `adopt.stateBucketConfiguration` lists it.
 */
export const STATE_BUCKET_PARTS = [
  "ownershipControls",
  "publicAccessBlock",
  "versioning",
  "encryption",
  "lifecycle",
  "policy",
] as const;
export type StateBucketPart = (typeof STATE_BUCKET_PARTS)[number];

/** A KMS key ID: a UUID, or `mrk-` and 32 hex digits for a multi-Region key. */
const KMS_KEY_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

const stateBucketSchema = z
  .object({
    /** Bucket name; defaults to `adopt.stateBucket` when adopting. */
    name: checkedString(bucketNameProblem).optional(),
    noncurrentVersionExpirationDays: count(1, 3650).default(90),
    abortIncompleteMultipartUploadDays: count(1, 365).default(7),
    keyDeletionWindowDays: count(7, 30).default(30),
  })
  .strict();

const ciSchema = z
  .object({
    repository: checkedString(repositoryProblem),
    repositoryId: numericId("123456789").optional(),
    defaultBranch: checkedString(branchProblem).default("main"),
    // Must equal the cluster stack's github.ci.model (core/github/github.ts CI_MODELS says what each means).
    model: z
      .enum(CI_MODELS, {
        error:
          'must be "environments" (GitHub environments with required reviewers: public repositories, or GitHub Enterprise) or "branches" (no environments: GitHub Free private repositories)',
      })
      .default("environments"),
    // Environments model only; defaults production and preview (the names the workflows declare).
    environment: checkedString(environmentProblem).optional(),
    previewEnvironment: checkedString(environmentProblem).optional(),
    workflows: z
      .object({
        // Optional in the environments model; defaults to .github/workflows/preview.yml in the branches model.
        preview: checkedString(workflowProblem).optional(),
        deploy: checkedString(workflowProblem).default(".github/workflows/up.yml"),
      })
      .strict()
      .prefault({}),
    roleNames: z
      .object({ preview: roleName().optional(), deploy: roleName().optional() })
      .strict()
      .prefault({}),
    deployPolicyArns: z
      .array(policyArn(), { error: "must be a list of policy ARNs" })
      .refine((arns) => new Set(arns.map(managedPolicyName)).size === arns.length, {
        error: "must not list the same policy name twice",
      })
      .default([]),
    allowAdministrator: bool().default(false),
  })
  .strict();

const adoptSchema = z
  .object({
    stateBucket: checkedString(bucketNameProblem).optional(),
    oidcProvider: z
      .string({ error: "must be a string" })
      .regex(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, {
        error:
          "must be the ARN of the account's GitHub OIDC provider, arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com (aws iam list-open-id-connect-providers)",
      })
      .optional(),
    deployRole: roleName().optional(),
    // Issue 13 (gitops-bootstrap migrate): the bucket's configuration resources, the key, the
    // deploy role's managed policy attachments.
    stateBucketConfiguration: z
      .array(
        z.enum(STATE_BUCKET_PARTS, {
          error: `must list only ${STATE_BUCKET_PARTS.join(", ")}`,
        }),
        { error: "must be a list such as [versioning, encryption]" },
      )
      .refine((parts) => new Set(parts).size === parts.length, { error: "must not list a part twice" })
      .optional(),
    stateKey: z
      .string({ error: "must be a string" })
      .regex(KMS_KEY_ID, {
        error:
          "must be the KMS key ID (not its ARN or alias), such as 1234abcd-12ab-34cd-56ef-1234567890ab (aws kms list-keys)",
      })
      .optional(),
    deployRolePolicyAttachments: z.array(policyArn(), { error: "must be a list of policy ARNs" }).optional(),
  })
  .strict();

/** The reader's user name unless `secretsReader.userName` says otherwise. */
export const DEFAULT_SECRETS_READER_NAME = "gitops-bootstrap-secrets-reader";

/**
 * `secretsReader`: the read-only IAM user External Secrets reads one path prefix with (docs/aws.md,
 * core/aws/secrets-reader.ts). Off unless set.
 */
const secretsReaderSchema = z
  .object({
    pathPrefix: checkedString(secretsPathPrefixProblem),
    userName: roleName().default(DEFAULT_SECRETS_READER_NAME),
    kmsKeyArns: z
      .array(
        z
          .string({ error: "must be a string" })
          .regex(/^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[0-9a-f-]+$/, {
            error: "must be a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-...",
          }),
        { error: "must be a list of KMS key ARNs" },
      )
      .default([]),
  })
  .strict();

const rawSchema = z
  .object({
    enabled: bool().default(false),
    accountId: numericId("123456789012")
      .refine((id) => /^\d{12}$/.test(id), { error: "must be the 12-digit AWS account ID, as a string" })
      .optional(),
    region: checkedString(regionProblem).optional(),
    stateBucket: stateBucketSchema.prefault({}),
    ci: ciSchema.optional(),
    adopt: adoptSchema.prefault({}),
    /** Pulumi Deployments' OIDC provider and role, for stacks whose home is Pulumi Cloud (core/aws/pulumi-oidc.ts). */
    pulumiDeployments: pulumiDeploymentsSettingsSchema.optional(),
    secretsReader: secretsReaderSchema.optional(),
  })
  .strict();

/** The resolved AWS settings of the account stack (enabled). */
export interface AwsSettings {
  enabled: true;
  accountId: string;
  region: string;
  partition: Partition;
  stateBucket: {
    name: string;
    noncurrentVersionExpirationDays: number;
    abortIncompleteMultipartUploadDays: number;
    keyDeletionWindowDays: number;
  };
  ci: CiTrust & {
    roleNames: { preview: string; deploy: string };
    /** Managed policies for the deploy role (the cluster's own AWS needs). Empty by default. */
    deployPolicyArns: string[];
  };
  /** The account's GitHub OIDC provider ARN (created, or adopted when `adopt.oidcProvider` is set). */
  oidcProviderArn: string;
  /** The External Secrets reader (read-only, one path prefix); absent unless configured. */
  secretsReader?: SecretsReaderSettings;
  /** Import IDs of what the Terragrunt layer made; each is adopted with the `import` resource option. */
  adopt: {
    stateBucket?: string;
    oidcProvider?: string;
    deployRole?: string;
    /** Configuration resources of the adopted bucket, each imported under the bucket's name. */
    stateBucketConfiguration?: StateBucketPart[];
    /** ID of the KMS key to adopt as the state key. */
    stateKey?: string;
    /** Managed policies attached to the adopted deploy role, each imported as `<role>/<arn>`. */
    deployRolePolicyAttachments?: string[];
  };
  /** Pulumi Deployments' role for Pulumi Cloud stacks; absent, none exists. */
  pulumiDeployments?: PulumiDeploymentsSettings;
}

/** The External Secrets reader's settings (core/aws/secrets-reader.ts). */
export interface SecretsReaderSettings {
  /** The one path both services are read under, such as /homelab/ (starts and ends with "/"). */
  pathPrefix: string;
  /** The IAM user's name. Defaults to gitops-bootstrap-secrets-reader. */
  userName: string;
  /** Customer managed KMS keys the parameters or secrets are encrypted with. Defaults to none (AWS managed keys). */
  kmsKeyArns: string[];
}

/**
 * A path prefix both Parameter Store and Secrets Manager names can live under: "/", then segments
 * of the characters both allow, ending in "/" so /homelab/ never matches /homelab-other/.
 */
export function secretsPathPrefixProblem(prefix: string): string | undefined {
  if (!/^\/([A-Za-z0-9_.-]+\/)+$/.test(prefix))
    return "must be a path such as /homelab/: starting and ending with /, segments of letters, digits, _ . -; the root / alone would grant every secret";
  return undefined;
}

export type AwsConfig = { enabled: false } | AwsSettings;

type Raw = z.output<typeof rawSchema>;

/** The preview workflow the branches model pins the preview role to unless `workflows.preview` says otherwise. */
export const BRANCHES_PREVIEW_WORKFLOW = ".github/workflows/preview.yml";

/** Default environment names in the environments model: what the workflows declare. */
export const DEFAULT_ENVIRONMENTS = { deploy: "production", preview: "preview" } as const;

/** The rules between `ci` keys: the model's keys, pins the deploy role needs, environments apart, no admin. */
function ciProblems(ci: NonNullable<Raw["ci"]>, issue: (path: PropertyKey[], message: string) => void): void {
  if (ci.model === "branches") {
    for (const key of ["environment", "previewEnvironment"] as const) {
      if (ci[key] !== undefined) {
        issue(
          ["ci", key],
          `is set, but ci.model is branches, where no job declares an environment and the roles trust the default branch and pull requests: remove it, or set ci.model: environments`,
        );
      }
    }
  }
  if (ci.workflows.deploy === undefined) {
    issue(
      ["ci", "workflows", "deploy"],
      `is required: the deploy workflow file, such as .github/workflows/up.yml, so only it, run on ${ci.defaultBranch}, may assume the deploy role (without it, any workflow or branch allowed to present the deploy subject could)`,
    );
  }
  const environment = ci.environment ?? DEFAULT_ENVIRONMENTS.deploy;
  if (
    ci.model === "environments" &&
    environment === (ci.previewEnvironment ?? DEFAULT_ENVIRONMENTS.preview)
  ) {
    issue(
      ["ci", "previewEnvironment"],
      `must differ from ci.environment (${environment}): the preview role would trust the deploy environment; use another name such as preview`,
    );
  }
  if (!ci.allowAdministrator) {
    ci.deployPolicyArns.forEach((arn, i) => {
      if (isAdministratorPolicy(arn)) {
        issue(
          ["ci", "deployPolicyArns", i],
          `${arn} lets the deploy role create or assume another principal, which the bucket and key policies (they deny the CI roles by ARN) do not stop: it could delete the state bucket or key through it. List the policies the cluster really needs, or set ci.allowAdministrator: true to accept that`,
        );
      }
    });
  }
}

function resolve(raw: Raw, ctx: z.RefinementCtx): AwsConfig {
  if (!raw.enabled) return { enabled: false };
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
  const { accountId, region, ci, adopt } = raw;
  if (accountId === undefined) {
    issue(
      ["accountId"],
      "is required when enabled: the 12-digit account that holds the state bucket (aws sts get-caller-identity); the provider refuses any other account",
    );
  }
  if (region === undefined)
    issue(["region"], "is required when enabled: the state bucket's region, such as eu-west-1");
  if (ci === undefined) {
    issue(
      ["ci", "repository"],
      "is required when enabled: the owner/repo whose workflows run pulumi, such as acme/homelab-infra",
    );
  }

  // Names come only from the naming keys, never from `adopt`: removing `adopt` after the import
  // (as the stack file says to) must not rename, and so replace, what was adopted.
  const bucket = raw.stateBucket.name;
  if (bucket === undefined) {
    issue(
      ["stateBucket", "name"],
      adopt.stateBucket === undefined
        ? "is required when enabled: a globally unique bucket name such as acme-pulumi-state"
        : `is required: set it to ${adopt.stateBucket}, the bucket adopt.stateBucket imports, so the name stays when adopt is removed after the import`,
    );
  } else if (adopt.stateBucket !== undefined && adopt.stateBucket !== bucket) {
    issue(
      ["adopt", "stateBucket"],
      `is ${adopt.stateBucket} but stateBucket.name is ${bucket}: importing one bucket under another name would replace it; make them equal or remove one`,
    );
  }

  const deployRole = ci?.roleNames.deploy ?? DEFAULT_ROLE_NAMES.deploy;
  if (adopt.deployRole !== undefined && adopt.deployRole !== deployRole) {
    issue(
      ["adopt", "deployRole"],
      ci?.roleNames.deploy === undefined
        ? `is ${adopt.deployRole} but ci.roleNames.deploy is unset (default ${DEFAULT_ROLE_NAMES.deploy}): set ci.roleNames.deploy: ${adopt.deployRole}, so the role keeps its name when adopt is removed after the import`
        : `is ${adopt.deployRole} but ci.roleNames.deploy is ${deployRole}: an imported role keeps its name; make them equal`,
    );
  }
  const previewRole = ci?.roleNames.preview ?? DEFAULT_ROLE_NAMES.preview;
  if (previewRole === deployRole) {
    issue(["ci", "roleNames", "preview"], `must differ from the deploy role's name ${deployRole}`);
  }
  if (ci !== undefined) ciProblems(ci, issue);

  adoptPartsProblems(adopt, ci, issue);

  if (accountId === undefined || region === undefined || ci === undefined || bucket === undefined)
    return z.NEVER;
  const partition = partitionOf(region);
  // In the branches model nothing else keeps other pull_request workflows off the preview role.
  const previewWorkflow =
    ci.workflows.preview ?? (ci.model === "branches" ? BRANCHES_PREVIEW_WORKFLOW : undefined);
  const expectedProvider = githubOidcProviderArn(partition, accountId);
  if (adopt.oidcProvider !== undefined && adopt.oidcProvider !== expectedProvider) {
    issue(
      ["adopt", "oidcProvider"],
      `is ${adopt.oidcProvider} but the provider of account ${accountId} in partition ${partition} is ${expectedProvider}; fix the account ID or the ARN`,
    );
  }
  return {
    enabled: true,
    accountId,
    region,
    partition,
    stateBucket: { ...raw.stateBucket, name: bucket },
    ci: {
      repository: ci.repository,
      defaultBranch: ci.defaultBranch,
      ...(ci.model === "environments"
        ? {
            model: "environments" as const,
            environment: ci.environment ?? DEFAULT_ENVIRONMENTS.deploy,
            previewEnvironment: ci.previewEnvironment ?? DEFAULT_ENVIRONMENTS.preview,
          }
        : { model: "branches" as const }),
      ...(ci.repositoryId === undefined ? {} : { repositoryId: ci.repositoryId }),
      workflows: {
        ...(previewWorkflow === undefined ? {} : { preview: previewWorkflow }),
        ...(ci.workflows.deploy === undefined ? {} : { deploy: ci.workflows.deploy }),
      },
      roleNames: { preview: previewRole, deploy: deployRole },
      deployPolicyArns: ci.deployPolicyArns,
    },
    oidcProviderArn: expectedProvider,
    ...(raw.secretsReader === undefined ? {} : { secretsReader: raw.secretsReader }),
    adopt: {
      ...(adopt.stateBucket === undefined ? {} : { stateBucket: adopt.stateBucket }),
      ...(adopt.oidcProvider === undefined ? {} : { oidcProvider: adopt.oidcProvider }),
      ...(adopt.deployRole === undefined ? {} : { deployRole: adopt.deployRole }),
      ...(adopt.stateBucketConfiguration === undefined
        ? {}
        : { stateBucketConfiguration: adopt.stateBucketConfiguration }),
      ...(adopt.stateKey === undefined ? {} : { stateKey: adopt.stateKey }),
      ...(adopt.deployRolePolicyAttachments === undefined
        ? {}
        : { deployRolePolicyAttachments: adopt.deployRolePolicyAttachments }),
    },
    ...(raw.pulumiDeployments === undefined ? {} : { pulumiDeployments: raw.pulumiDeployments }),
  };
}

/**
 * The adopted parts need their whole: a bucket's configuration exists only with an adopted bucket,
 * an attachment only on the adopted role, and only for a policy the stack keeps attached (anything
 * else the exclusive attachments resource detaches).
 */
function adoptPartsProblems(
  adopt: Raw["adopt"],
  ci: Raw["ci"],
  issue: (path: PropertyKey[], message: string) => void,
): void {
  if (adopt.stateBucketConfiguration !== undefined && adopt.stateBucket === undefined) {
    issue(
      ["adopt", "stateBucketConfiguration"],
      "is set but adopt.stateBucket is not: only an adopted bucket has configuration to adopt; set adopt.stateBucket to the bucket's name, or remove adopt.stateBucketConfiguration",
    );
  }
  if (adopt.stateKey !== undefined && adopt.stateBucket === undefined) {
    issue(
      ["adopt", "stateKey"],
      "is set but adopt.stateBucket is not: the state key is adopted together with the bucket it encrypts; set adopt.stateBucket, or remove adopt.stateKey",
    );
  }
  const attachments = adopt.deployRolePolicyAttachments;
  if (attachments === undefined) return;
  if (adopt.deployRole === undefined) {
    issue(
      ["adopt", "deployRolePolicyAttachments"],
      "is set but adopt.deployRole is not: only the adopted role has attachments to adopt; set adopt.deployRole, or remove adopt.deployRolePolicyAttachments",
    );
  }
  const kept = ci?.deployPolicyArns ?? [];
  attachments.forEach((arn, i) => {
    if (!kept.includes(arn)) {
      issue(
        ["adopt", "deployRolePolicyAttachments", i],
        `is ${arn} but ci.deployPolicyArns does not list it: an attachment the stack does not declare is detached, not adopted; add it to ci.deployPolicyArns to keep it, or remove it here`,
      );
    }
  });
}

/**
 * The schema of the `gitops-bootstrap:aws` object. Disabled (the default) it yields
 * `{ enabled: false }`; enabled it requires `accountId`, `region`, `stateBucket.name` (or
 * `adopt.stateBucket`) and `ci.repository`, and yields {@link AwsSettings}.
 */
export const awsSettingsSchema = rawSchema.transform(resolve);

/** Every problem with an `aws` config value, each as `gitops-bootstrap:aws.<path>: <message>`. */
export function awsSettingsProblems(input: unknown): string[] {
  const result = awsSettingsSchema.safeParse(input, { error: plainIssueText });
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => {
    const path = [AWS_CONFIG_KEY, ...issue.path.map(String)].join(".");
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(rawSchema, issue.path);
      return issue.keys.map((key) => `${path}.${key}: ${unknownKeyMessage(key, known)} (see docs/aws.md)`);
    }
    if (issue.code === "invalid_type" && issue.input === undefined) return [`${path}: is required`];
    return [`${path}: ${issue.message}`];
  });
}

/** Parses an `aws` config value; throws one error listing every problem. */
export function parseAwsSettings(input: unknown): AwsConfig {
  const result = awsSettingsSchema.safeParse(input);
  if (!result.success) throw new Error(awsSettingsProblems(input).join("\n"));
  return result.data;
}

/** A Pulumi stack reference: `organization/<project>/<stack>` (self-managed backends use `organization`). */
const STACK_REFERENCE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * A cluster stack's view of AWS: the account stack owns the state bucket, key and CI roles
 * (`stackKind: account`); a cluster stack only names it, to hand its outputs to CI.
 */
export const clusterAwsSettingsSchema = z
  .object({
    accountStack: z
      .string({ error: "must be a string" })
      .regex(STACK_REFERENCE, {
        error: "must be a stack reference such as organization/gitops-bootstrap/account",
      })
      .optional(),
  })
  .strict();
