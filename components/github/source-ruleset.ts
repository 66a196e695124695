import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { githubRepositoryNameProblem, sourceBranchRuleset } from "../../core/github/github";

export interface SourceRulesetArgs {
  /** Name of the source repository (where the workflows run), same owner as the provider. Defaults to none (required). */
  repository: string;
  /** Stack name, in the ruleset name so several stacks' rulesets can be told apart. Defaults to none (required). */
  stack: string;
  /** Approvals a pull request into the default branch needs (0 to 10). Defaults to 1. */
  requiredApprovals?: number;
  /** Explicit providers; the ruleset uses `providers.github`. Defaults to none (required). */
  providers: { github: github.Provider };
}

/**
 * A ruleset on the source repository's default branch (`sourceBranchRuleset` in core/github/github.ts):
 * changes only through approved pull requests, no force push, no deletion. The repository itself is
 * not managed here (it holds this program); only the ruleset is.
 */
export class SourceRuleset extends pulumi.ComponentResource {
  /** The ruleset's name on GitHub. */
  public readonly rulesetName: string;

  constructor(name: string, args: SourceRulesetArgs, opts?: pulumi.ComponentResourceOptions) {
    const why = githubRepositoryNameProblem(args.repository);
    if (why !== undefined)
      throw new Error(`SourceRuleset ${name}: gitops-bootstrap:github.sourceRepository: ${why}`);
    const ruleset = sourceBranchRuleset(args.stack, args.requiredApprovals ?? 1);
    super("gitops:github:SourceRuleset", name, {}, opts);
    new github.RepositoryRuleset(
      name,
      {
        ...ruleset,
        conditions: { refName: { ...ruleset.conditions.refName } },
        rules: { ...ruleset.rules, pullRequest: { ...ruleset.rules.pullRequest } },
        repository: args.repository,
      },
      { parent: this, provider: args.providers.github },
    );
    this.rulesetName = ruleset.name;
    this.registerOutputs({ rulesetName: this.rulesetName });
  }
}
