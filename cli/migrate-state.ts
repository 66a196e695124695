/**
 * `npm run migrate-state`: moves stacks from the local backend, where the account stack had to
 * start (its bucket did not exist yet), into the S3 backend that stack created.
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

Options:
  --stack <name>             a stack to move (repeatable; the account stack first)
  --backend-url <url>        the S3 backend, s3://<bucket>?region=<region>
  --secrets-provider <url>   the KMS secrets provider, awskms://<keyId>?region=<region>
  --checkpoint-dir <dir>     where exported checkpoints go (default: .cache/migrate-state)
  --execute                  run the commands instead of printing them
  -h, --help                 this text`;

export interface MigrationPlan {
  stacks: string[];
  backendUrl: string;
  secretsProvider: string;
  checkpointDir: string;
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
  const backend = /^s3:\/\/([^/?]+)\?region=([^&]+)$/.exec(plan.backendUrl);
  if (backend === null) {
    problems.push(
      `--backend-url: ${JSON.stringify(plan.backendUrl)} must be s3://<bucket>?region=<region> (pulumi stack output backendUrl in the account stack)`,
    );
  } else {
    const bucket = bucketNameProblem(backend[1] ?? "");
    if (bucket !== undefined) problems.push(`--backend-url: bucket ${bucket}`);
    const region = regionProblem(backend[2] ?? "");
    if (region !== undefined) problems.push(`--backend-url: region ${region}`);
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
  return [
    { why: "use the local backend, where the stacks are now", args: ["login", "--local"] },
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
