/**
 * The checks across every stack file of a project (core/github/stacks.ts), for `config` and
 * `synth`: `pulumi up` sees one stack only, so these commands are where two stacks that would
 * create the same GitHub object, or disagree on the CI model, are refused.
 */
import { readdirSync } from "node:fs";
import { trustedEnvironments } from "../core/aws/iam";
import { stackSetProblems, type StackView } from "../core/github/stacks";
import { isAccountStackConfig, parseAccountConfig } from "../stacks/account-config";
import { parseStackConfig } from "../stacks/config";
import type { StackFile } from "./synth";

/** The stacks of a project directory: one per `Pulumi.<stack>.yaml`. */
export function stackNames(projectDir: string): string[] {
  return readdirSync(projectDir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** One stack file as the cross-stack checks see it, or undefined when it does not parse (its own run reports why). */
function view(projectDir: string, stack: string, file: StackFile): StackView | undefined {
  if (isAccountStackConfig(file.config)) {
    const account = parseAccountConfig(file.config);
    if (!account.ok) return undefined;
    const { ci } = account.settings;
    return {
      kind: "account",
      stack,
      ci: {
        repository: ci.repository,
        defaultBranch: ci.defaultBranch,
        model: ci.model,
        ...trustedEnvironments(ci),
      },
    };
  }
  const parsed = parseStackConfig(file.config, new Set(file.secretKeys), { projectDir });
  if (!parsed.ok) return undefined;
  const { github, repo, aws } = parsed.config;
  return {
    kind: "cluster",
    stack,
    ...(github.enabled ? { github } : {}),
    repo: { url: repo.url, ...(repo.catalog === undefined ? {} : { catalog: repo.catalog }) },
    ...(aws.accountStack === undefined ? {} : { accountStack: aws.accountStack }),
  };
}

/**
 * The cross-stack problems that involve `stack`, each naming its key, the files and the fix. Stack
 * files that cannot be read or parsed are left out: their own `config` or `synth` reports them.
 */
export function stackSetErrors(
  projectDir: string,
  stack: string,
  read: (projectDir: string, stack: string) => StackFile,
): string[] {
  let project: string | undefined;
  const views: StackView[] = [];
  for (const name of stackNames(projectDir)) {
    let file: StackFile;
    try {
      file = read(projectDir, name);
    } catch {
      continue;
    }
    project = file.project;
    const parsed = view(projectDir, name, file);
    if (parsed !== undefined) views.push(parsed);
  }
  if (project === undefined) return [];
  return stackSetProblems(project, views)
    .filter((problem) => problem.stacks.includes(stack))
    .map((problem) => problem.message);
}
