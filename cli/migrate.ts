/**
 * `migrate`: reads the Terragrunt layer's state (the JSON of `terraform show -json` per module, or
 * of `terragrunt run-all show -json`) and writes the `adopt` settings of the account stack and the
 * cluster stack, so their first `pulumi up` imports what exists instead of creating it. Prints what
 * it cannot adopt (with what to do instead), the kubectl commands for the root Application, and
 * the first run's effect: the Helm values and the root Application, today against the stack's.
 *
 * Offline and pure apart from the files: no Pulumi SDK, no cloud, no cluster.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { isMap as isYamlMap, parseDocument } from "yaml";
import { ARGOCD_RELEASE_NAME, argoCdRootApplication, argoCdValuesProblems } from "../core/argocd/argocd";
import { argoCdInstall } from "../core/argocd/self-management";
import { finalizerRemovalCommand, helmOwnershipCommands } from "../core/migration/settings";
import { formatDiff, rootDiff, valuesDiff } from "../core/migration/diff";
import { migrationPlan, PartialStateError, type MigrationPlan } from "../core/migration/plan";
import { applyWrites } from "../core/migration/stack-file-writes";
import { readTerraformShow, StateFileError, type TerraformResource } from "../core/migration/terraform-state";
import { readTextFile } from "../core/shared/files";
import { chartKeys, ROOT_CHART } from "../core/shared/versions";
import { parseAccountConfig } from "../stacks/account-config";
import { argoCdSettingsOf, hasSecretValue, parseStackConfig, PROJECT, SECRET_KEYS } from "../stacks/config";
import { readStackFile } from "./stack-file";

export const MIGRATE_HELP = `Usage: npx gitops-bootstrap migrate --state <file>... [--account-stack-file <file>] [--cluster-stack-file <file>] [--dry-run]

Reads the Terragrunt layer's state and writes the adopt settings, so the stacks' first pulumi up
imports what exists instead of creating it (docs/migrating-from-terragrunt.md):
  account stack  gitops-bootstrap:aws: stateBucket.name, ci.roleNames.deploy and adopt
                 (stateBucket, stateBucketConfiguration, stateKey, oidcProvider, deployRole,
                 deployRolePolicyAttachments)
  cluster stack  gitops-bootstrap:adopt (namespace, release, rootObjects) and the names they need
                 (argocd.namespace, argocd.root.name)
Prints every resource it cannot adopt with what to do instead (terragrunt state rm, never destroy),
the kubectl commands for the old root Application, and the first run's effect: the release's
values and the root Application, today against what the stack installs, each difference with the
setting that keeps today's. Values Terraform marks sensitive are never shown.
Every other line and comment of the stack files stays; a value already there that differs is an
error. Any error writes nothing.

Save the state first, in each module directory (after terragrunt init):
  terraform show -json > ../bootstrap.json       (one file per module), or
  terragrunt run-all show -json > state.json     (all modules, from the root)

Options:
  --state <file>               a saved state (repeat for each module)
  --account-stack-file <file>  the account stack's Pulumi.<stack>.yaml (the bootstrap module)
  --cluster-stack-file <file>  the cluster stack's Pulumi.<stack>.yaml (argocd-install, argocd-configure)
  --state-bucket <name>        the state bucket, when the state holds several buckets
  --deploy-role <name>         the CI role, when the state holds several roles
  --project <dir>              project directory holding Pulumi.yaml (default: the current directory)
  --dry-run                    print everything, write nothing
  -h, --help                   this text

Exit codes: 0 written (or printed with --dry-run), 1 a state or stack file is unusable (nothing
written), 2 bad arguments.`;

/** A stack file's name: Pulumi.<stack>.yaml. */
function stackOf(file: string): string | undefined {
  return /^Pulumi\.(.+)\.ya?ml$/.exec(basename(file))?.[1];
}

/** The config of `text` (a stack file after the writes), as the engine would hand it over. */
function configOf(projectDir: string, file: string, text: string) {
  const dir = mkdtempSync(join(tmpdir(), "gitops-migrate-"));
  try {
    const copy = join(dir, basename(file));
    writeFileSync(copy, text);
    return readStackFile(projectDir, stackOf(file) ?? "stack", copy);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** ci.deployPolicyArns of the account stack file as it is (the attachments that stay). */
function deployPolicyArns(text: string): string[] {
  const doc = parseDocument(text);
  const config = doc.get("config", true);
  if (!isYamlMap(config)) return [];
  const aws = (config.get(`${PROJECT}:aws`, true) ?? config.get("aws", true)) as unknown;
  const value = isYamlMap(aws) ? (aws.toJSON() as { ci?: { deployPolicyArns?: unknown } }) : {};
  const arns = value.ci?.deployPolicyArns;
  return Array.isArray(arns) ? arns.filter((a): a is string => typeof a === "string") : [];
}

interface StackFileWork {
  file: string;
  text: string;
  next: string;
  written: string[];
}

/** The command. Returns the exit code. */
export function migrateCommand(argv: string[], log: (line: string) => void = console.log): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      state: { type: "string", multiple: true },
      "account-stack-file": { type: "string" },
      "cluster-stack-file": { type: "string" },
      "state-bucket": { type: "string" },
      "deploy-role": { type: "string" },
      project: { type: "string" },
      "dry-run": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    log(MIGRATE_HELP);
    return 0;
  }
  const accountFile = values["account-stack-file"];
  const clusterFile = values["cluster-stack-file"];
  const states = values.state ?? [];
  const usage: string[] = [];
  if (states.length === 0)
    usage.push(
      "--state is required: the saved JSON of terraform show -json (one per module, or one of terragrunt run-all show -json)",
    );
  if (accountFile === undefined && clusterFile === undefined)
    usage.push(
      "give --account-stack-file, --cluster-stack-file or both: the stack files the adopt settings go into (with --dry-run nothing is written)",
    );
  for (const file of [accountFile, clusterFile]) {
    if (file !== undefined && stackOf(file) === undefined)
      usage.push(`${file}: must be a stack file named Pulumi.<stack>.yaml`);
  }
  if (usage.length > 0) {
    log(["migrate: nothing was written:", ...usage.map((u) => `  - ${u}`), "", MIGRATE_HELP].join("\n"));
    return 2;
  }
  const projectDir = resolve(values.project ?? ".");
  const fail = (errors: readonly string[]) => {
    log(["migrate: nothing was written:", ...errors.map((e) => `  - ${e}`)].join("\n"));
    return 1;
  };

  // 1. What Terraform knows.
  const resources: TerraformResource[] = [];
  const errors: string[] = [];
  for (const file of states) {
    const read = readTextFile(file);
    if (!read.ok) {
      errors.push(`${file}: ${read.problem}`);
      continue;
    }
    try {
      resources.push(...readTerraformShow(read.text, file));
    } catch (error) {
      if (!(error instanceof StateFileError)) throw error;
      errors.push(error.message);
    }
  }
  const stackTexts = new Map<string, string>();
  for (const file of [accountFile, clusterFile]) {
    if (file === undefined) continue;
    const read = readTextFile(file);
    if (!read.ok) errors.push(`${file}: ${read.problem}`);
    else stackTexts.set(file, read.text);
  }
  if (errors.length > 0) return fail(errors);

  // 2. What the stacks adopt.
  let plan: MigrationPlan;
  try {
    plan = migrationPlan(resources, {
      account: accountFile !== undefined,
      cluster: clusterFile !== undefined,
      ...(values["state-bucket"] === undefined ? {} : { stateBucket: values["state-bucket"] }),
      ...(values["deploy-role"] === undefined ? {} : { deployRole: values["deploy-role"] }),
      deployPolicyArns: accountFile === undefined ? [] : deployPolicyArns(stackTexts.get(accountFile) ?? ""),
    });
  } catch (error) {
    if (!(error instanceof PartialStateError)) throw error;
    return fail([`${states.join(", ")}: ${error.message}`]);
  }

  // 3. The stack files with the settings, each checked as the program checks it.
  const work: StackFileWork[] = [];
  for (const [file, writes] of [
    [accountFile, plan.account],
    [clusterFile, plan.cluster],
  ] as const) {
    if (file === undefined) continue;
    const text = stackTexts.get(file) ?? "";
    const result = applyWrites(text, file, writes);
    if (!result.ok) errors.push(...result.errors);
    else work.push({ file, text, next: result.text, written: result.written });
  }
  if (errors.length > 0) return fail(errors);

  const report: string[] = [];
  for (const w of work) {
    let stack;
    try {
      stack = configOf(projectDir, w.file, w.next);
    } catch (error) {
      return fail([error instanceof Error ? error.message : String(error)]);
    }
    const secretKeys = new Set(stack.secretKeys);
    if (w.file === accountFile) {
      const parsed = parseAccountConfig(stack.config);
      if (!parsed.ok) return fail(parsed.errors.map((e) => `${w.file} (after migrate's settings): ${e}`));
      continue;
    }
    const parsed = parseStackConfig(stack.config, secretKeys, { projectDir });
    if (!parsed.ok) return fail(parsed.errors.map((e) => `${w.file} (after migrate's settings): ${e}`));
    const config = parsed.config;
    const hasOidc =
      secretKeys.has(`${PROJECT}:${SECRET_KEYS.argocdOidcClientSecret}`) &&
      hasSecretValue(stack.config, "argocdOidcClientSecret");
    const settings = argoCdSettingsOf(config, hasOidc);

    // 4. The first run's effect.
    const release = plan.release;
    if (release !== undefined) {
      const install = argoCdInstall(settings, config.repo, config.charts.argoCd);
      if (release.chartVersion !== undefined && release.chartVersion !== install.version) {
        report.push(
          `argo-cd chart: ${release.chartVersion} -> ${install.version}`,
          `    to keep today's: charts.argoCd: ${release.chartVersion}`,
        );
      }
      if (release.name !== ARGOCD_RELEASE_NAME)
        report.push(
          `release ${release.namespace}/${release.name}: the stack installs ${ARGOCD_RELEASE_NAME}`,
        );
      const refused = (path: string[], value: unknown) => {
        const values = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<
          string,
          unknown
        >;
        return argoCdValuesProblems({ ...settings, values }, config.repo, chartKeys("argoCd"))[0]?.message;
      };
      if (release.valuesNote !== undefined) report.push(release.valuesNote);
      report.push(
        ...formatDiff(
          `Helm values of ${release.namespace}/${release.name}`,
          valuesDiff(release.values, install.values, "argocd.values", refused),
        ),
      );
    }
    if (plan.liveRoot !== undefined) {
      report.push(
        ...formatDiff(
          `root Application ${settings.namespace}/${settings.root.name}`,
          rootDiff(plan.liveRoot, argoCdRootApplication(settings, config.repo), "argocd.root"),
        ),
      );
    }
    const objects = config.adopt?.rootObjects ?? [];
    if (objects.length > 0) {
      report.push(
        "",
        "Before the cluster stack's first pulumi up (docs/migrating-from-terragrunt.md, step 4), with the old root Application kept:",
        `  ${finalizerRemovalCommand(settings.namespace, settings.root.name)}`,
        ...helmOwnershipCommands(objects, settings.namespace, ROOT_CHART.name).map((c) => `  ${c}`),
      );
    }
  }

  // 5. Say it all, then write.
  log(
    `migrate: ${resources.length} Terraform resources read from ${states.length} file${states.length === 1 ? "" : "s"}`,
  );
  log(`Adopted (${plan.adopted.length}):`);
  for (const a of plan.adopted) log(`  ${a.address} -> ${a.setting} (${a.id})`);
  log(`Cannot adopt (${plan.cannotAdopt.length}):`);
  for (const c of plan.cannotAdopt) log(`  ${c.address} (${c.file}): ${c.reason}\n    do: ${c.action}`);
  for (const w of work) {
    log(
      `${w.file}: ${w.written.length === 0 ? "already has every setting" : `${values["dry-run"] === true ? "would set" : "sets"}:`}`,
    );
    for (const line of w.written) log(`  ${line}`);
  }
  for (const line of report) log(line);
  if (values["dry-run"] === true) {
    log("migrate: --dry-run: nothing was written");
    return 0;
  }
  for (const w of work) {
    if (w.next === w.text) continue;
    const staging = join(dirname(w.file), `.${basename(w.file)}.migrate-${process.pid}`);
    writeFileSync(staging, w.next);
    renameSync(staging, w.file);
  }
  log(
    `migrate: wrote ${
      work
        .filter((w) => w.next !== w.text)
        .map((w) => w.file)
        .join(", ") || "nothing (no change)"
    }; remove the adopt settings after the first pulumi up of each stack`,
  );
  return 0;
}

if (require.main === module) {
  try {
    process.exit(migrateCommand(process.argv.slice(2)));
  } catch (error) {
    console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
