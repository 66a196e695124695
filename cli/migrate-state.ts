/**
 * `npm run migrate-state`: moves stacks from the local backend, where the account stack had to
 * start (its bucket did not exist yet), into the S3 backend that stack created; or, with an https
 * `--backend-url`, into Pulumi Cloud (`home: pulumi-cloud`, docs/pulumi-cloud.md), from the local
 * backend or from the bucket (`--from`).
 *
 * It only prints, or with `--execute` runs, documented Pulumi CLI commands, in order, stopping at
 * the first failure. Secrets never leave KMS: each stack first switches to the KMS secrets provider
 * on the local backend, so the exported checkpoint holds ciphertext only. See docs/aws.md.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { bucketNameProblem, regionProblem } from "../core/aws/settings";

export const MIGRATE_HELP = `Usage: npx gitops-bootstrap migrate-state --stack <name> [--stack <name>...] \\
         --backend-url 's3://<bucket>?region=<region>' \\
         --secrets-provider 'awskms://<keyId>?region=<region>' [--execute]

Moves each stack from the local backend (pulumi login --local) into the S3 backend. Take both URLs
from the account stack: pulumi stack output backendUrl / secretsProvider.

Without --execute it prints the commands and changes nothing. With --execute it runs them in order
and stops at the first failure. Needs the Pulumi CLI, AWS credentials of the account's
administrator, and PULUMI_CONFIG_PASSPHRASE if a stack still uses the passphrase provider.

To Pulumi Cloud instead: --backend-url https://api.pulumi.com --organization <org>, and --from
's3://<bucket>?region=<region>' for stacks already in the bucket. The state travels encrypted with
the KMS key; in Pulumi Cloud each stack then switches to the service's own key (default).

Options:
  --stack <name>             a stack to move (repeatable; the account stack first)
  --backend-url <url>        the S3 backend, s3://<bucket>?region=<region>, or Pulumi Cloud, https://api.pulumi.com
  --organization <org>       the Pulumi Cloud organization the stacks go to (only with an https backend)
  --from <url>               where the stacks are now, s3://<bucket>?region=<region> (default: the local backend)
  --secrets-provider <url>   the KMS secrets provider, awskms://<keyId>?region=<region>
  --checkpoint-dir <dir>     where exported checkpoints go (default: .cache/migrate-state)
  --execute                  run the commands instead of printing them
  -h, --help                 this text`;

export interface MigrationPlan {
  stacks: string[];
  backendUrl: string;
  secretsProvider: string;
  checkpointDir: string;
  /** The backend the stacks are in now; unset, the local backend. */
  from?: string;
  /** With a Pulumi Cloud backend (https), the organization the stacks go to. */
  organization?: string;
}

/** A backend URL that is Pulumi Cloud (or a self-hosted one) rather than a bucket. */
const isPulumiCloud = (backendUrl: string) => backendUrl.startsWith("https://");

/** Problems of an s3://<bucket>?region=<region> URL given as `option`, or that it is not one. */
function s3UrlProblems(option: string, url: string, expected: string): string[] {
  const backend = /^s3:\/\/([^/?]+)\?region=([^&]+)$/.exec(url);
  if (backend === null) return [`${option}: ${JSON.stringify(url)} must be ${expected}`];
  const problems: string[] = [];
  const bucket = bucketNameProblem(backend[1] ?? "");
  if (bucket !== undefined) problems.push(`${option}: bucket ${bucket}`);
  const region = regionProblem(backend[2] ?? "");
  if (region !== undefined) problems.push(`${option}: region ${region}`);
  return problems;
}

/** One step: why, and the `pulumi` arguments. */
export interface Step {
  why: string;
  args: string[];
}

/** Every problem with a plan, each naming the option. */
export function planProblems(plan: MigrationPlan): string[] {
  const problems: string[] = [];
  if (plan.stacks.length === 0)
    problems.push("--stack: at least one stack is required, such as --stack account");
  for (const stack of plan.stacks) {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
      problems.push(`--stack: ${JSON.stringify(stack)} must be a stack name such as account or prod`);
    }
  }
  if (new Set(plan.stacks).size !== plan.stacks.length) problems.push("--stack: a stack is listed twice");
  if (isPulumiCloud(plan.backendUrl)) {
    if (plan.organization === undefined || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(plan.organization)) {
      problems.push(
        `--organization: is required with a Pulumi Cloud --backend-url: the organization the stacks go to, such as acme`,
      );
    }
  } else {
    problems.push(
      ...s3UrlProblems(
        "--backend-url",
        plan.backendUrl,
        "s3://<bucket>?region=<region> (pulumi stack output backendUrl in the account stack) or https://api.pulumi.com",
      ),
    );
    if (plan.organization !== undefined)
      problems.push("--organization: only with a Pulumi Cloud --backend-url (https://…); remove it");
  }
  if (plan.from !== undefined) {
    problems.push(
      ...s3UrlProblems(
        "--from",
        plan.from,
        "s3://<bucket>?region=<region>, the bucket the stacks are in now",
      ),
    );
    if (plan.from === plan.backendUrl) problems.push("--from: is the same backend as --backend-url");
  }
  const secrets = /^awskms:\/\/([^?]+)\?region=([^&]+)$/.exec(plan.secretsProvider);
  if (secrets === null) {
    problems.push(
      `--secrets-provider: ${JSON.stringify(plan.secretsProvider)} must be awskms://<keyId>?region=<region> (pulumi stack output secretsProvider in the account stack)`,
    );
  } else {
    const region = regionProblem(secrets[2] ?? "");
    if (region !== undefined) problems.push(`--secrets-provider: region ${region}`);
  }
  return problems;
}

/** The commands, in order. Pure: the tests check exactly what would run. */
export function migrationSteps(plan: MigrationPlan): Step[] {
  const checkpoint = (stack: string) => `${plan.checkpointDir}/${stack}.checkpoint.json`;
  if (isPulumiCloud(plan.backendUrl)) return pulumiCloudSteps(plan, checkpoint);
  return [
    plan.from === undefined
      ? { why: "use the local backend, where the stacks are now", args: ["login", "--local"] }
      : { why: "use the bucket, where the stacks are now", args: ["login", plan.from] },
    ...plan.stacks.flatMap((stack): Step[] => [
      {
        why: `${stack}: re-encrypt its secrets with the KMS key (rewrites Pulumi.${stack}.yaml: commit it)`,
        args: ["stack", "change-secrets-provider", "--stack", stack, plan.secretsProvider],
      },
      {
        why: `${stack}: export its state (secrets stay ciphertext)`,
        args: ["stack", "export", "--stack", stack, "--file", checkpoint(stack)],
      },
    ]),
    { why: "switch to the S3 backend", args: ["login", plan.backendUrl] },
    ...plan.stacks.flatMap((stack): Step[] => [
      {
        why: `${stack}: create it in the bucket with the same secrets provider`,
        args: ["stack", "init", stack, "--secrets-provider", plan.secretsProvider],
      },
      {
        why: `${stack}: import the exported state`,
        args: ["stack", "import", "--stack", stack, "--file", checkpoint(stack)],
      },
      {
        why: `${stack}: prove nothing changed (fails if the program and the imported state disagree)`,
        args: ["preview", "--stack", stack, "--expect-no-changes"],
      },
    ]),
  ];
}

/**
 * Into Pulumi Cloud: exported with KMS ciphertext as into the bucket, imported into a stack that
 * starts on the same KMS provider, which then switches to the service's own key (`default`).
 */
function pulumiCloudSteps(plan: MigrationPlan, checkpoint: (stack: string) => string): Step[] {
  const qualified = (stack: string) => `${plan.organization ?? ""}/${stack}`;
  return [
    plan.from === undefined
      ? { why: "use the local backend, where the stacks are now", args: ["login", "--local"] }
      : { why: "use the bucket, where the stacks are now", args: ["login", plan.from] },
    ...plan.stacks.flatMap((stack): Step[] => [
      {
        why: `${stack}: re-encrypt its secrets with the KMS key (rewrites Pulumi.${stack}.yaml: commit it)`,
        args: ["stack", "change-secrets-provider", "--stack", stack, plan.secretsProvider],
      },
      {
        why: `${stack}: export its state (secrets stay ciphertext)`,
        args: ["stack", "export", "--stack", stack, "--file", checkpoint(stack)],
      },
    ]),
    { why: "switch to Pulumi Cloud", args: ["login", plan.backendUrl] },
    ...plan.stacks.flatMap((stack): Step[] => [
      {
        why: `${stack}: create it in ${plan.organization ?? ""} with the KMS provider the export is encrypted with`,
        args: ["stack", "init", qualified(stack), "--secrets-provider", plan.secretsProvider],
      },
      {
        why: `${stack}: import the exported state`,
        args: ["stack", "import", "--stack", qualified(stack), "--file", checkpoint(stack)],
      },
      {
        why: `${stack}: re-encrypt with Pulumi Cloud's own key, so the stack no longer needs the KMS key (rewrites Pulumi.${stack}.yaml: commit it)`,
        args: ["stack", "change-secrets-provider", "--stack", qualified(stack), "default"],
      },
      {
        why: `${stack}: prove nothing changed (fails if the program and the imported state disagree)`,
        args: ["preview", "--stack", qualified(stack), "--expect-no-changes"],
      },
    ]),
  ];
}

/** One argument, quoted for a POSIX shell when needed (`?` in the URLs would glob). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A shell-safe rendering of one pulumi command, for printing. */
export function shellLine(args: readonly string[]): string {
  return ["pulumi", ...args].map(shellQuote).join(" ");
}

/** Runs `pulumi <args>` and returns its exit status. */
export type Runner = (args: readonly string[]) => number;

const runPulumi: Runner = (args) => {
  const result = spawnSync("pulumi", [...args], { stdio: "inherit" });
  if (result.error !== undefined) {
    console.error(`migrate-state: cannot run pulumi: ${result.error.message} (is the Pulumi CLI installed?)`);
    return 127;
  }
  return result.status ?? 1;
};

/** The command. Returns the exit code; `runner` and `log` are replaceable for tests. */
export function migrateStateCommand(
  argv: string[],
  runner: Runner = runPulumi,
  log: (line: string) => void = console.log,
): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string", multiple: true },
      "backend-url": { type: "string" },
      "secrets-provider": { type: "string" },
      "checkpoint-dir": { type: "string" },
      organization: { type: "string" },
      from: { type: "string" },
      execute: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    log(MIGRATE_HELP);
    return 0;
  }
  const plan: MigrationPlan = {
    stacks: values.stack ?? [],
    backendUrl: values["backend-url"] ?? "",
    secretsProvider: values["secrets-provider"] ?? "",
    checkpointDir: values["checkpoint-dir"] ?? ".cache/migrate-state",
    ...(values.organization === undefined ? {} : { organization: values.organization }),
    ...(values.from === undefined ? {} : { from: values.from }),
  };
  const problems = planProblems(plan);
  if (problems.length > 0) {
    log(["migrate-state: nothing was run:", ...problems.map((p) => `  - ${p}`), "", MIGRATE_HELP].join("\n"));
    return 2;
  }
  const steps = migrationSteps(plan);
  if (values.execute !== true) {
    log(`# ${steps.length} commands; run them yourself, or again with --execute`);
    log(`mkdir -p ${shellQuote(plan.checkpointDir)}`);
    for (const step of steps) log(`# ${step.why}\n${shellLine(step.args)}`);
    return 0;
  }
  mkdirSync(plan.checkpointDir, { recursive: true });
  for (const [i, step] of steps.entries()) {
    log(`[${i + 1}/${steps.length}] ${step.why}\n$ ${shellLine(step.args)}`);
    const status = runner(step.args);
    if (status !== 0) {
      log(
        `migrate-state: step ${i + 1} failed (exit ${status}); later steps were not run. Fix it and rerun from there.`,
      );
      return 1;
    }
  }
  log(
    `migrate-state: done. Keep the local copies until CI works against ${plan.backendUrl}; then delete ${plan.checkpointDir}.`,
  );
  return 0;
}

if (require.main === module) {
  try {
    process.exit(migrateStateCommand(process.argv.slice(2)));
  } catch (error) {
    console.error(`migrate-state: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
