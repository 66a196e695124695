/**
 * Several stacks in one project: which stack owns which GitHub object, the CI model both stacks
 * must agree on, and the secrets provider every stack CI runs must name (core/github/stacks.ts,
 * cli/stack-set.ts). `pulumi up` sees one stack; `config`, `synth` and these tests see them all.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { resolveStackConfig } from "../../cli/config";
import { stackNames, stackSetErrors } from "../../cli/stack-set";
import { readStackFile } from "../../cli/synth";
import {
  type AccountStackView,
  type ClusterStackView,
  stackFileSecretsProblem,
  stackSetProblems,
} from "../../core/github/stacks";
import { parseGithubSettings, type GithubEnabledSettings } from "../../core/github/settings";
import { parseStackConfig } from "../../stacks/config";
import { REPO_ROOT } from "../support/paths";
import { runCli } from "../support/harness";

const github = (patch: Record<string, unknown> = {}): GithubEnabledSettings => {
  const parsed = parseGithubSettings({
    enabled: true,
    owner: "acme",
    sourceRepository: "homelab-infra",
    manifestRepository: { name: "homelab-manifests" },
    ci: { catalog: "examples/homelab/catalog.yaml", reviewers: { users: [1] } },
    ...patch,
  });
  assert.ok(parsed.enabled);
  return parsed;
};

const URL = "git@github.com:acme/homelab-manifests.git";
const cluster = (stack: string, patch: Partial<ClusterStackView> = {}): ClusterStackView => ({
  kind: "cluster",
  stack,
  github: github(),
  repo: { url: URL, catalog: "examples/homelab/catalog.yaml" },
  accountStack: "organization/gitops-bootstrap/account",
  ...patch,
});
const account = (ci: Partial<AccountStackView["ci"]> = {}): AccountStackView => ({
  kind: "account",
  stack: "account",
  ci: {
    repository: "acme/homelab-infra",
    defaultBranch: "main",
    model: "environments",
    deployEnvironment: "production",
    previewEnvironment: "preview",
    ...ci,
  },
});
/** A further cluster as docs/operations.md writes it: the prod stack owns the repository and CI. */
const edge = (patch: Partial<ClusterStackView> = {}): ClusterStackView =>
  cluster("edge", {
    github: github({
      manifestRepository: { name: "homelab-manifests", manage: false },
      deployKeys: { ciWriteKey: false },
      ci: { enabled: false },
    }),
    repo: { url: URL, catalog: "examples/homelab/edge.catalog.yaml" },
    ...patch,
  });
const messages = (views: Parameters<typeof stackSetProblems>[1]) =>
  stackSetProblems("gitops-bootstrap", views).map((p) => p.message);
const prodListing = (stacks: string[]) =>
  cluster("prod", { github: github({ ci: { ...github().ci, stacks } }) });

describe("stack files of one project (core/github/stacks)", () => {
  it("a copy of the prod stack would create the same repository and CI settings: both refused, naming the fix", () => {
    const problems = stackSetProblems("gitops-bootstrap", [cluster("prod"), cluster("edge"), account()]);
    assert.deepEqual(
      problems.map((p) => [p.stacks, p.message]),
      [
        [
          ["prod", "edge"],
          "gitops-bootstrap:github.manifestRepository.manage: Pulumi.prod.yaml and Pulumi.edge.yaml would both manage the manifest repository acme/homelab-manifests, and the second `pulumi up` would fail on it (or take it over): keep it in the stack that owns the repository and set manage: false in the others (they add only their own deploy keys)",
        ],
        [
          ["prod", "edge"],
          "gitops-bootstrap:github.ci.enabled: Pulumi.prod.yaml and Pulumi.edge.yaml would both write the Actions variables, secrets and environments of acme/homelab-infra, and the second `pulumi up` would fail on it (or take it over): keep CI in one stack, list every stack in its github.ci.stacks, and set ci.enabled: false (and deployKeys.ciWriteKey: false) in the others",
        ],
      ],
    );
  });

  it("GitHub names are case-insensitive: Acme/Homelab-Manifests is the same repository", () => {
    const shouting = cluster("edge", {
      github: github({
        owner: "Acme",
        manifestRepository: { name: "Homelab-Manifests" },
        ci: { enabled: false },
      }),
    });
    assert.equal(messages([cluster("prod"), shouting]).length, 1);
  });

  it("a further cluster that references the repository and leaves CI to prod passes", () => {
    assert.deepEqual(messages([prodListing(["prod", "edge"]), edge(), account()]), []);
  });

  it("clusters of different repositories do not clash", () => {
    const other = cluster("lab", {
      github: github({ sourceRepository: "lab-infra", manifestRepository: { name: "lab-manifests" } }),
      repo: { url: "git@github.com:acme/lab-manifests.git" },
      accountStack: undefined,
    });
    assert.deepEqual(messages([cluster("prod"), other]), []);
  });

  it("a CI stack whose catalog lies outside the published directory is refused", () => {
    const outside = edge({ repo: { url: URL, catalog: "clusters/edge/catalog.yaml" } });
    assert.deepEqual(messages([prodListing(["prod", "edge"]), outside]), [
      "gitops-bootstrap:repo.catalog: Pulumi.edge.yaml reads clusters/edge/catalog.yaml, outside examples/homelab/, the directory publish-manifests mirrors into the manifest repository (Pulumi.prod.yaml: github.ci.catalog examples/homelab/catalog.yaml): move the catalog into examples/homelab/ with its own output path (e.g. clusters/edge/bootstrap)",
    ]);
  });

  it("a CI stack reading another manifest repository is refused: CI publishes to one", () => {
    const elsewhere = edge({ repo: { url: "git@github.com:acme/other.git" } });
    assert.deepEqual(messages([prodListing(["prod", "edge"]), elsewhere]), [
      "gitops-bootstrap:repo.url: Pulumi.edge.yaml reads git@github.com:acme/other.git, but Pulumi.prod.yaml, whose github.ci.stacks lists edge, publishes to acme/homelab-manifests only: set repo.url to git@github.com:acme/homelab-manifests.git, or remove edge from ci.stacks",
    ]);
  });

  it("the cluster stack's CI model must be the account stack's", () => {
    assert.deepEqual(
      messages([
        cluster("prod"),
        account({ model: "branches", deployEnvironment: "", previewEnvironment: "" }),
      ]),
      [
        "gitops-bootstrap:github.ci.model: Pulumi.prod.yaml has environments, but the account stack Pulumi.account.yaml has aws.ci.model branches: set both to the same model (environments needs required reviewers: public repositories, or GitHub Enterprise; branches is for GitHub Free)",
      ],
    );
    const branches = cluster("prod", {
      github: github({ ci: { catalog: "examples/homelab/catalog.yaml", model: "branches" } }),
    });
    assert.deepEqual(
      messages([branches, account({ model: "branches", deployEnvironment: "", previewEnvironment: "" })]),
      [],
    );
  });

  it("the account stack's environment names, repository and branch must be the ones CI uses", () => {
    assert.deepEqual(
      messages([
        cluster("prod"),
        account({ deployEnvironment: "prod", repository: "acme/infra", defaultBranch: "trunk" }),
      ]),
      [
        'gitops-bootstrap:aws.accountStack: Pulumi.account.yaml: the AWS deploy role trusts the GitHub environment "prod", but the workflows run in "production" (the environment gitops-bootstrap:github creates): set the account stack\'s environment to "production"',
        "gitops-bootstrap:github.sourceRepository: Pulumi.prod.yaml writes CI settings into acme/homelab-infra, but the account stack's roles trust acme/infra (Pulumi.account.yaml: aws.ci.repository): name the same repository in both",
        "gitops-bootstrap:github.ci.defaultBranch: Pulumi.prod.yaml has main, but the account stack's deploy role trusts trunk (Pulumi.account.yaml: aws.ci.defaultBranch): set both to the source repository's default branch",
      ],
    );
  });

  it("an account stack of another project is not compared", () => {
    const foreign = cluster("prod", { accountStack: "organization/other-project/account" });
    assert.deepEqual(messages([foreign, account({ model: "branches" })]), []);
  });
});

describe("the secrets provider of a stack CI runs", () => {
  it("needs secretsprovider and encryptedkey in the stack file, and says which command writes them", () => {
    assert.equal(
      stackFileSecretsProblem("edge", {
        secretsprovider: "awskms://k?region=eu-west-1",
        encryptedkey: "AQID",
      }),
      undefined,
    );
    assert.equal(
      stackFileSecretsProblem("edge", { encryptedkey: "AQID", config: {} }),
      'Pulumi.edge.yaml has no secretsprovider: CI\'s pulumi would ask for a passphrase. Run `pulumi stack change-secrets-provider --stack edge "$(pulumi stack output --stack account secretsProvider)"` (or `pulumi stack init edge --secrets-provider …` for a new stack) and commit Pulumi.edge.yaml',
    );
    assert.match(
      stackFileSecretsProblem("edge", { config: {} }) ?? "",
      /has no secretsprovider and encryptedkey/,
    );
  });
});

describe("the committed stack files", () => {
  it("are the ones these tests expect", () => {
    assert.deepEqual(stackNames(REPO_ROOT), ["account", "homelab", "prod"]);
  });

  for (const stack of stackNames(REPO_ROOT)) {
    it(`Pulumi.${stack}.yaml: no GitHub object another stack creates, the same CI model as the account stack`, () => {
      assert.deepEqual(stackSetErrors(REPO_ROOT, stack, readStackFile), []);
    });
  }

  it("every stack CI runs names its secrets provider (CI has no passphrase)", () => {
    const ciStacks = stackNames(REPO_ROOT).flatMap((stack) => {
      const file = readStackFile(REPO_ROOT, stack);
      const parsed = parseStackConfig(file.config, new Set(file.secretKeys), { projectDir: REPO_ROOT });
      if (!parsed.ok || !parsed.config.github.enabled || !parsed.config.github.ci.enabled) return [];
      return parsed.config.github.ci.stacks ?? [stack];
    });
    assert.deepEqual(ciStacks, ["prod"]);
    for (const stack of ciStacks) {
      const document = parse(readFileSync(join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as Record<
        string,
        unknown
      >;
      assert.equal(stackFileSecretsProblem(stack, document), undefined);
    }
  });
});

/** A scratch project: the code linked, the stack files and examples copied so a test may add to them. */
function scratchProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "gitops-stack-set-"));
  for (const entry of [
    "index.ts",
    "core",
    "components",
    "stacks",
    "cli",
    "schemas",
    "node_modules",
    "package.json",
    "tsconfig.json",
  ])
    symlinkSync(join(REPO_ROOT, entry), join(dir, entry));
  for (const entry of [
    "Pulumi.yaml",
    "Pulumi.prod.yaml",
    "Pulumi.account.yaml",
    "Pulumi.homelab.yaml",
    "examples",
  ])
    cpSync(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
  return dir;
}

/** The ```sh block of docs/operations.md that adds the edge cluster, and the files its heredocs write. */
function documentedEdgeFiles(): Record<string, string> {
  const doc = readFileSync(join(REPO_ROOT, "docs", "operations.md"), "utf8");
  const block = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? "")
    .find((b) => b.includes("cat > Pulumi.edge.yaml"));
  assert.ok(block !== undefined, "docs/operations.md shows how to add the edge cluster");
  return Object.fromEntries(
    [...block.matchAll(/cat > (\S+) <<'EOF'\n([\s\S]*?)\nEOF\n/g)].map((m) => [
      m[1] ?? "",
      `${m[2] ?? ""}\n`,
    ]),
  );
}

describe("adding a second cluster as docs/operations.md says", function () {
  this.timeout(180_000);
  let dir = "";
  before(() => {
    dir = scratchProject();
  });
  after(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("a plain copy of Pulumi.prod.yaml is refused by config and synth of either stack, naming both files", () => {
    cpSync(join(dir, "Pulumi.prod.yaml"), join(dir, "Pulumi.copy.yaml"));
    const refused = (text: string) => {
      assert.match(
        text,
        /gitops-bootstrap:github\.manifestRepository\.manage: Pulumi\.copy\.yaml and Pulumi\.prod\.yaml would both manage/,
      );
      assert.match(
        text,
        /gitops-bootstrap:github\.ci\.enabled: Pulumi\.copy\.yaml and Pulumi\.prod\.yaml would both write/,
      );
    };
    try {
      // `config` (in process: the function the command calls) for either stack ...
      for (const stack of ["copy", "prod"]) {
        const result = resolveStackConfig(dir, stack);
        assert.ok(!result.ok, stack);
        refused(result.errors.join("\n"));
      }
      // ... and `synth`, run as a user runs it: nothing written.
      const run = runCli(
        ["synth", "--stack", "copy", "--project", dir, "--out", join(dir, "out", "copy")],
        dir,
      );
      assert.equal(run.status, 1, run.stdout);
      refused(run.stderr);
      assert.equal(existsSync(join(dir, "out", "copy")), false);
    } finally {
      rmSync(join(dir, "Pulumi.copy.yaml"));
    }
  });

  it("the documented catalog and stack file, with prod listing edge, pass config and synth", () => {
    const files = documentedEdgeFiles();
    assert.deepEqual(Object.keys(files).sort(), ["Pulumi.edge.yaml", "examples/homelab/edge.catalog.yaml"]);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    // Step 3 (`pulumi config set --stack prod --path 'github.ci.stacks[1]' edge`), by hand.
    const prod = join(dir, "Pulumi.prod.yaml");
    writeFileSync(prod, readFileSync(prod, "utf8").replace("stacks: [prod]", "stacks: [prod, edge]"));
    for (const stack of ["edge", "prod", "account"]) {
      const result = resolveStackConfig(dir, stack);
      assert.deepEqual(result.ok ? [] : result.errors, [], stack);
    }
    const synth = runCli(
      ["synth", "--stack", "edge", "--project", dir, "--out", join(dir, "out", "edge")],
      dir,
    );
    assert.equal(synth.status, 0, synth.stderr);
    const resources = JSON.parse(readFileSync(join(dir, "out", "edge", "resources.json"), "utf8")) as Array<{
      type: string;
      inputs: Record<string, unknown>;
    }>;
    assert.deepEqual(
      resources
        .filter((r) => r.type.startsWith("github:index/"))
        .map((r) => [r.type, r.inputs.repository, r.inputs.title]),
      [
        [
          "github:index/repositoryDeployKey:RepositoryDeployKey",
          "homelab-manifests",
          "edge-cluster-readonly",
        ],
      ],
    );
  });

  it("publish-manifests generates the second cluster's catalog into the published directory", () => {
    const workflow = parse(
      readFileSync(join(REPO_ROOT, ".github", "workflows", "publish-manifests.yml"), "utf8"),
    ) as {
      jobs: Record<string, { steps: Array<{ name?: string; run?: string }> }>;
    };
    const step = Object.values(workflow.jobs)
      .flatMap((j) => j.steps)
      .find((s) => s.name === "Generate manifests");
    const temp = join(dir, "runner-temp");
    mkdirSync(temp);
    const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step?.run ?? ""], {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        CATALOG: "examples/homelab/catalog.yaml",
        // prod's catalog is generated the same way; one stack keeps this test short.
        STACKS: '["edge"]',
        RUNNER_TEMP: temp,
      },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(readFileSync(join(temp, "manifest-paths"), "utf8"), "clusters/edge/bootstrap\n");
    const kustomization = parse(
      readFileSync(
        join(dir, "examples", "homelab", "clusters", "edge", "bootstrap", "kustomization.yaml"),
        "utf8",
      ),
    ) as { resources: string[] };
    assert.deepEqual(kustomization.resources, ["cert-manager-app.yaml", "traefik-app.yaml"]);
  });
});
