/**
 * Engines managing themselves (`argocd.selfManagement`, `flux.selfManagement`): Pulumi installs the
 * release once with the install the hand-off files are written from, then ignores every change to
 * it and leaves it running on destroy; the files and the pointer objects are what the engines read.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { ArgoCd } from "../../components/argocd/argocd";
import { Flux } from "../../components/flux/flux";
import { engineRelease } from "../../components/shared/helm";
import {
  argoCdRootObjects,
  argoCdSelfApplication,
  argoCdSelfProject,
  type ArgoCdSettings,
} from "../../core/argocd/argocd";
import { argoCdHandoffFiles, argoCdInstall } from "../../core/argocd/self-management";
import { fluxRootObjects, type FluxSettings } from "../../core/flux/flux";
import { fluxHandoffFiles, fluxInstall } from "../../core/flux/self-management";
import { RELEASE_DEFAULTS } from "../../core/shared/release";
import {
  HANDED_OFF_RELEASE_INPUTS,
  isHandoffFile,
  releaseOwnerEngineNote,
  selfManagementPathProblem,
  selfManagementSchema,
  type EngineInstall,
} from "../../core/shared/self-management";
import { CHARTS } from "../../core/shared/versions";
import { parseStackConfig, PROJECT, SECRET_KEYS } from "../../stacks/config";
import { stackHandoff } from "../../stacks/handoff";
import { handoffCommand } from "../../cli/handoff";
import { ARGOCD, FLUX, REPO } from "../support/fixtures";
import {
  findResource,
  mockRuntime,
  resourcesOfType,
  testProvider,
  type MockRuntime,
} from "../support/harness";
import { REPO_ROOT } from "../support/paths";
import { validateKubernetesObject } from "../support/validate";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nTEST\n-----END OPENSSH PRIVATE KEY-----\n";
const ARGOCD_SELF: ArgoCdSettings = {
  ...ARGOCD,
  selfManagement: { path: "bootstrap/argocd", name: "argocd", releaseOwner: "pulumi", importRelease: false },
};
const FLUX_SELF: FluxSettings = {
  ...FLUX,
  selfManagement: {
    path: "flux-system",
    name: "flux-system",
    interval: "10m",
    releaseOwner: "pulumi",
    importRelease: false,
  },
};

/** Config errors of a stack with these sections, as `pulumi up` and `config` print them. */
function stackErrors(sections: Record<string, unknown>): string[] {
  const config: Record<string, string> = {
    [`${PROJECT}:repo`]: JSON.stringify({ url: "git@github.com:acme/manifests.git" }),
    [`${PROJECT}:${SECRET_KEYS.repoSshPrivateKey}`]: "k",
    ...Object.fromEntries(
      Object.entries(sections).map(([k, v]) => [
        `${PROJECT}:${k}`,
        typeof v === "string" ? v : JSON.stringify(v),
      ]),
    ),
  };
  const result = parseStackConfig(config, new Set([`${PROJECT}:${SECRET_KEYS.repoSshPrivateKey}`]));
  return result.ok ? [] : result.errors;
}

/** The release inputs that make the install: what the engine must render identically. */
function installOf(inputs: Record<string, unknown>): EngineInstall {
  return {
    releaseName: inputs.name as string,
    chart: { chart: inputs.chart as string, repo: (inputs.repositoryOpts as { repo: string }).repo },
    version: inputs.version as string,
    namespace: inputs.namespace as string,
    values: inputs.values as Record<string, unknown>,
  };
}

describe("self-management: the engines' Helm releases", () => {
  let runtime: MockRuntime;
  beforeEach(async () => {
    runtime = await mockRuntime();
  });

  it("Argo CD: installs with the install the hand-off writes, then ignores every input and is kept on destroy", async () => {
    const engine = new ArgoCd("argocd", {
      provider: testProvider(),
      settings: ARGOCD_SELF,
      repo: REPO,
      sshPrivateKey: pulumi.secret(KEY),
    });
    await runtime.settle();
    const release = findResource(runtime, "kubernetes:helm.sh/v3:Release", "argocd");
    assert.deepEqual(installOf(release.inputs), engine.install);
    assert.deepEqual(engine.install, argoCdInstall(ARGOCD_SELF, REPO, CHARTS.argoCd.version));
    assert.equal(release.options.retainOnDelete, true);
    assert.deepEqual(release.options.ignoreChanges, [...HANDED_OFF_RELEASE_INPUTS]);
    const values = parse(
      argoCdHandoffFiles([engine.install], "s").find((f) => f.name === "values.yaml")!.content,
    );
    assert.deepEqual(values, release.inputs.values);
  });

  it("Flux: installs with the install the hand-off writes, then ignores every input and is kept on destroy", async () => {
    const engine = new Flux("flux", {
      provider: testProvider(),
      settings: FLUX_SELF,
      repo: REPO,
      sshPrivateKey: pulumi.secret(KEY),
    });
    await runtime.settle();
    const release = findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux");
    assert.deepEqual(installOf(release.inputs), engine.install);
    assert.equal(release.options.retainOnDelete, true);
    assert.deepEqual(release.options.ignoreChanges, [...HANDED_OFF_RELEASE_INPUTS]);
    const helmRelease = parse(
      fluxHandoffFiles([engine.install], FLUX_SELF.selfManagement!, "s").find(
        (f) => f.name === "helmrelease-flux.yaml",
      )!.content,
    ) as {
      spec: { releaseName: string; storageNamespace: string; values: unknown; chart: { spec: unknown } };
    };
    assert.deepEqual(helmRelease.spec.values, release.inputs.values);
    assert.equal(helmRelease.spec.releaseName, release.inputs.name);
    assert.equal(helmRelease.spec.storageNamespace, release.inputs.namespace);
    assert.deepEqual(helmRelease.spec.chart.spec, {
      chart: "flux2",
      version: release.inputs.version,
      sourceRef: { kind: "HelmRepository", name: "flux" },
      interval: "10m",
    });
  });

  it("leaves the release Pulumi's (no ignoreChanges, no retainOnDelete) without selfManagement", async () => {
    new Flux("flux", {
      provider: testProvider(),
      settings: FLUX,
      repo: REPO,
      sshPrivateKey: pulumi.secret(KEY),
    });
    await runtime.settle();
    assert.deepEqual(findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux").options, {});
  });

  it("ignores every input a release can have, whatever the release options", async () => {
    const install = fluxInstall(FLUX, CHARTS.flux2.version);
    const variants = [
      RELEASE_DEFAULTS,
      { ...RELEASE_DEFAULTS, atomic: true },
      { ...RELEASE_DEFAULTS, wait: false },
    ];
    variants.forEach((release, i) =>
      engineRelease(`r${i}`, { install, release, handedOff: true }, { provider: testProvider(`p${i}`) }),
    );
    await runtime.settle();
    const inputs = new Set(
      variants.flatMap((_, i) =>
        Object.keys(findResource(runtime, "kubernetes:helm.sh/v3:Release", `r${i}`).inputs),
      ),
    );
    // compat is the SDK's own marker, not an input the program sets.
    inputs.delete("compat");
    assert.deepEqual(
      [...inputs].filter((key) => !HANDED_OFF_RELEASE_INPUTS.includes(key)),
      [],
    );
    assert.ok(inputs.has("atomic") && inputs.has("skipAwait"), "the variants set the conditional inputs");
  });
});

describe("self-management: releaseOwner, who declares the engine's release", () => {
  let runtime: MockRuntime;
  beforeEach(async () => {
    runtime = await mockRuntime();
  });
  const argocd = (self: Partial<NonNullable<ArgoCdSettings["selfManagement"]>>) =>
    new ArgoCd("argocd", {
      provider: testProvider(),
      settings: { ...ARGOCD_SELF, selfManagement: { ...ARGOCD_SELF.selfManagement!, ...self } },
      repo: REPO,
      sshPrivateKey: pulumi.secret(KEY),
    });
  const flux = (self: Partial<NonNullable<FluxSettings["selfManagement"]>>) =>
    new Flux("flux", {
      provider: testProvider(),
      settings: { ...FLUX_SELF, selfManagement: { ...FLUX_SELF.selfManagement!, ...self } },
      repo: REPO,
      sshPrivateKey: pulumi.secret(KEY),
    });

  it("defaults to pulumi, without import: a fresh cluster's first up installs the engine", () => {
    assert.deepEqual(selfManagementSchema("argocd").parse({ path: "bootstrap/argocd" }), {
      path: "bootstrap/argocd",
      name: "argocd",
      releaseOwner: "pulumi",
      importRelease: false,
    });
  });

  it("pulumi: declares the release with ignoreChanges and retainOnDelete, and no import", async () => {
    const engine = flux({});
    await runtime.settle();
    const release = findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux");
    assert.equal(engine.release !== undefined, true);
    assert.deepEqual(release.options, {
      retainOnDelete: true,
      ignoreChanges: [...HANDED_OFF_RELEASE_INPUTS],
    });
  });

  for (const [engineName, make, filesOf] of [
    ["Argo CD", argocd, (install: EngineInstall) => argoCdHandoffFiles([install], "s")],
    ["Flux", flux, (install: EngineInstall) => fluxHandoffFiles([install], FLUX_SELF.selfManagement!, "s")],
  ] as const) {
    it(`${engineName}, engine: declares no Helm release, and hands off exactly what the release was installed with`, async () => {
      make({});
      await runtime.settle();
      const installed = resourcesOfType(runtime, "kubernetes:helm.sh/v3:Release");
      assert.equal(installed.length, 1);
      const installedWith = installOf(installed[0]!.inputs);

      runtime = await mockRuntime();
      const engine = make({ releaseOwner: "engine" });
      await runtime.settle();
      assert.equal(engine.release, undefined);
      assert.deepEqual(resourcesOfType(runtime, "kubernetes:helm.sh/v3:Release"), []);
      // The namespace and the repository Secret stay the stack's.
      assert.deepEqual(
        runtime.registrations.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.type),
        ["kubernetes:core/v1:Namespace", "kubernetes:core/v1:Secret"],
      );
      assert.deepEqual(engine.install, installedWith);
      // As documents: the recorded inputs come back with their keys sorted.
      const documents = (install: EngineInstall) =>
        filesOf(install).map((file) => [file.name, parse(file.content) as unknown]);
      assert.deepEqual(documents(engine.install), documents(installedWith));
    });
  }

  it("importRelease: adopts the release under <namespace>/<name>, with the handed-off options", async () => {
    argocd({ importRelease: true });
    await runtime.settle();
    assert.deepEqual(findResource(runtime, "kubernetes:helm.sh/v3:Release", "argocd").options, {
      retainOnDelete: true,
      ignoreChanges: [...HANDED_OFF_RELEASE_INPUTS],
      import: "argocd/argocd",
    });
  });

  it("refuses to import a release Pulumi would own (no ignoreChanges would let the adoption through)", () => {
    assert.throws(
      () =>
        engineRelease(
          "r",
          { install: fluxInstall(FLUX, CHARTS.flux2.version), importRelease: true },
          { provider: testProvider() },
        ),
      /importRelease needs handedOff/,
    );
  });

  it("engine: the note synth and preview print says what it does, and what a fresh cluster needs", () => {
    const note = releaseOwnerEngineNote("flux", fluxInstall(FLUX, CHARTS.flux2.version));
    assert.match(
      note,
      /^flux\.selfManagement\.releaseOwner is engine: this stack declares no Helm release for flux \(flux2 in flux-system\)/,
    );
    assert.match(note, /drops it from the state without uninstalling it/);
    assert.match(note, /its first up needs releaseOwner: pulumi/);
    assert.match(note, /releaseOwner: pulumi with importRelease: true/);
  });
});

describe("self-management: the stack with releaseOwner: engine (synth of examples/flux-homelab)", () => {
  const work = mkdtempSync(join(tmpdir(), "gitops-release-owner-"));
  after(() => rmSync(work, { recursive: true, force: true }));
  type Resource = {
    type: string;
    name: string;
    custom: boolean;
    dependsOn: string[];
    inputs: Record<string, unknown>;
  };
  const synth = (config: string, out: string) => {
    const file = join(work, out, "Pulumi.flux-homelab.yaml");
    mkdirSync(join(work, out));
    writeFileSync(file, config);
    // From the TypeScript sources (cli/bin.js runs the compiled CLI).
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(REPO_ROOT, "cli", "main.ts"),
        "synth",
        "--stack",
        "flux-homelab",
        "--config-file",
        file,
        "--out",
        join(work, out, "out"),
      ],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    const read = (name: string) => readFileSync(join(work, out, "out", name), "utf8");
    const handoff = readdirSync(join(work, out, "out", "handoff", "flux-system")).sort();
    return {
      stderr: run.stderr,
      resources: JSON.parse(read("resources.json")) as Resource[],
      outputs: read("outputs.json"),
      helm: readdirSync(join(work, out, "out", "helm")).sort(),
      handoff: Object.fromEntries(handoff.map((f) => [f, read(join("handoff", "flux-system", f))])),
    };
  };
  let pulumiOwned: ReturnType<typeof synth>;
  let engineOwned: ReturnType<typeof synth>;
  before(function () {
    this.timeout(240_000);
    const example = readFileSync(
      join(REPO_ROOT, "examples", "flux-homelab", "Pulumi.flux-homelab.yaml"),
      "utf8",
    );
    // The example ends with its selfManagement block.
    assert.match(example, /\n {4}selfManagement:\n {6}path: flux-system\n {6}name: flux-system\n$/);
    pulumiOwned = synth(example, "pulumi");
    engineOwned = synth(`${example}      releaseOwner: engine\n`, "engine");
  });
  const release = (resources: Resource[], name: string) =>
    resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === name);

  it("declares no flux release, and says so", () => {
    assert.deepEqual(pulumiOwned.helm, ["flux.yaml", "gitops-root.yaml"]);
    assert.deepEqual(engineOwned.helm, ["gitops-root.yaml"]);
    assert.equal(release(engineOwned.resources, "flux"), undefined);
    assert.match(
      engineOwned.stderr,
      /flux\.selfManagement\.releaseOwner is engine: this stack declares no Helm release for flux/,
    );
    assert.doesNotMatch(pulumiOwned.stderr, /releaseOwner/);
  });

  it("renders the same root, after the namespace and Git Secret instead of the release", () => {
    const root = release(engineOwned.resources, "root")!;
    assert.deepEqual(root.inputs, release(pulumiOwned.resources, "root")!.inputs);
    assert.deepEqual(root.dependsOn, [
      "gitops:engine:Flux$kubernetes:core/v1:Namespace::flux-namespace",
      "gitops:engine:Flux$kubernetes:core/v1:Secret::flux-git",
    ]);
    assert.deepEqual(release(pulumiOwned.resources, "root")!.dependsOn, [
      "gitops:engine:Flux$kubernetes:core/v1:Namespace::flux-namespace",
      "gitops:engine:Flux$kubernetes:helm.sh/v3:Release::flux",
    ]);
    assert.equal(engineOwned.outputs, pulumiOwned.outputs);
  });

  it("hands off the same files, holding the values the release was installed with", () => {
    assert.deepEqual(engineOwned.handoff, pulumiOwned.handoff);
    const helmRelease = parse(engineOwned.handoff["helmrelease-flux.yaml"]!) as {
      spec: { values: unknown; chart: { spec: { version: string } } };
    };
    const installed = release(pulumiOwned.resources, "flux")!;
    assert.deepEqual(helmRelease.spec.values, installed.inputs.values);
    assert.equal(helmRelease.spec.chart.spec.version, installed.inputs.version);
  });
});

describe("self-management: what the engines read", () => {
  it("Argo CD: a kustomization inflating the pinned chart with the install's values, valid objects pointing at it", async () => {
    const install = argoCdInstall(ARGOCD_SELF, REPO, "9.0.5");
    const files = argoCdHandoffFiles([install], "prod");
    assert.deepEqual(
      files.map((f) => f.name),
      ["kustomization.yaml", "values.yaml"],
    );
    for (const file of files) assert.ok(isHandoffFile(file.content), file.name);
    const kustomization = parse(files[0]!.content) as { helmCharts: unknown[] };
    assert.match(
      files[0]!.content,
      /^# yaml-language-server: \$schema=https:\/\/json\.schemastore\.org\/kustomization\.json\n/,
    );
    assert.deepEqual(kustomization.helmCharts, [
      {
        name: "argo-cd",
        repo: "https://argoproj.github.io/argo-helm",
        version: "9.0.5",
        releaseName: "argocd",
        namespace: "argocd",
        includeCRDs: true,
        valuesFile: "values.yaml",
      },
    ]);
    assert.deepEqual(parse(files[1]!.content), install.values);

    const objects = argoCdRootObjects(ARGOCD_SELF, REPO);
    assert.equal(objects.length, argoCdRootObjects(ARGOCD, REPO).length + 2);
    for (const object of objects) await validateKubernetesObject(object);
    const self = ARGOCD_SELF.selfManagement!;
    const project = argoCdSelfProject(ARGOCD_SELF, REPO, self);
    const application = argoCdSelfApplication(ARGOCD_SELF, REPO, self);
    assert.deepEqual(objects.slice(-2), [project, application]);
    assert.equal(project.kind, "AppProject");
    assert.deepEqual(project.spec.sourceRepos, [REPO.url]);
    assert.deepEqual(project.spec.destinations, [
      { server: "https://kubernetes.default.svc", namespace: "argocd" },
    ]);
    assert.deepEqual(application.metadata, { name: "argocd", namespace: "argocd" }, "no resources finalizer");
    assert.deepEqual(application.spec.source, {
      repoURL: REPO.url,
      targetRevision: "main",
      path: "bootstrap/argocd",
    });
    assert.equal(application.spec.project, "argocd");
    assert.deepEqual(application.spec.syncPolicy.automated, { prune: true, selfHeal: false });
  });

  it("Flux: a HelmRepository and a HelmRelease taking over the release, valid, and a Kustomization that never prunes them", async () => {
    const self = FLUX_SELF.selfManagement!;
    const install = fluxInstall(FLUX_SELF, "2.18.3");
    const files = fluxHandoffFiles([install], self, "homelab");
    assert.deepEqual(
      files.map((f) => f.name),
      ["kustomization.yaml", "helmrepository-flux.yaml", "helmrelease-flux.yaml"],
    );
    assert.deepEqual((parse(files[0]!.content) as { resources: string[] }).resources, [
      "helmrepository-flux.yaml",
      "helmrelease-flux.yaml",
    ]);
    for (const file of files.slice(1)) {
      assert.ok(isHandoffFile(file.content), file.name);
      assert.match(
        file.content,
        /^# yaml-language-server: \$schema=https:\/\/raw\.githubusercontent\.com\/datreeio\//,
      );
      await validateKubernetesObject(parse(file.content) as object);
    }
    const repository = parse(files[1]!.content) as { spec: { url: string } };
    assert.equal(repository.spec.url, "https://fluxcd-community.github.io/helm-charts");

    const objects = fluxRootObjects(FLUX_SELF, REPO);
    assert.equal(objects.length, fluxRootObjects(FLUX, REPO).length + 1);
    for (const object of objects) await validateKubernetesObject(object);
    const pointer = objects.at(-1) as { metadata: object; spec: Record<string, unknown> };
    assert.deepEqual(pointer.metadata, { name: "flux-system", namespace: "flux-system" });
    assert.equal(pointer.spec.path, "./flux-system");
    assert.equal(pointer.spec.prune, false);
    assert.equal(pointer.spec.deletionPolicy, "Orphan");
    assert.deepEqual(pointer.spec.sourceRef, { kind: "GitRepository", name: "flux-system" });
  });
});

describe("self-management: stack config", () => {
  const argocd = (selfManagement: unknown, extra: Record<string, unknown> = {}) =>
    stackErrors({ engine: "argocd", argocd: { selfManagement, ...extra } });

  it("accepts a directory outside the root's, and refuses one inside, around or equal to it", () => {
    assert.deepEqual(argocd({ path: "bootstrap/argocd" }), []);
    for (const path of ["manifests/bootstrap", "manifests/bootstrap/argocd", "manifests"]) {
      assert.deepEqual(argocd({ path }), [
        `${PROJECT}:argocd.selfManagement.path: ${selfManagementPathProblem(path, "manifests/bootstrap")}`,
      ]);
    }
    assert.equal(selfManagementPathProblem("manifests/bootstrap-argocd", "manifests/bootstrap"), undefined);
  });

  it("requires the path, saying what it is for", () => {
    assert.deepEqual(argocd({}), [
      `${PROJECT}:argocd.selfManagement.path: is required: the directory of the manifest repository that holds the engine's own install (such as bootstrap/argocd), which \`gitops-bootstrap handoff\` writes`,
    ]);
    assert.deepEqual(stackErrors({ engine: "flux", flux: { selfManagement: { path: "/abs" } } }).length, 1);
  });

  it("refuses Argo CD values without --enable-helm, which its own kustomization needs", () => {
    const values = {
      configs: { cm: { "kustomize.buildOptions": "--load-restrictor LoadRestrictionsNone" } },
    };
    assert.deepEqual(argocd({ path: "bootstrap/argocd" }, { values }), [
      `${PROJECT}:argocd.values: configs.cm["kustomize.buildOptions"] is "--load-restrictor LoadRestrictionsNone", but argocd.selfManagement needs --enable-helm in it: Argo CD inflates its own chart with kustomize's helmCharts; add --enable-helm, or remove argocd.selfManagement`,
    ]);
    assert.deepEqual(argocd(undefined, { values }), [], "without self-management the option is the user's");
  });

  it("refuses a releaseOwner it does not know, and importRelease without releaseOwner: pulumi, naming the key", () => {
    assert.deepEqual(argocd({ path: "bootstrap/argocd", releaseOwner: "helm" }), [
      `${PROJECT}:argocd.selfManagement.releaseOwner: must be pulumi (the stack declares the engine's Helm release: needed for a fresh cluster's first up) or engine (the stack declares none; Pulumi forgets the release and leaves it running)`,
    ]);
    assert.deepEqual(
      stackErrors({
        engine: "flux",
        flux: { selfManagement: { path: "flux-system", releaseOwner: "engine", importRelease: true } },
      }),
      [
        `${PROJECT}:flux.selfManagement.importRelease: is true but flux.selfManagement.releaseOwner is engine: a release the stack does not declare cannot be imported; set releaseOwner: pulumi to take the release back, or drop importRelease`,
      ],
    );
    assert.deepEqual(argocd({ path: "bootstrap/argocd", releaseOwner: "engine" }), []);
    assert.deepEqual(argocd({ path: "bootstrap/argocd", importRelease: "true" }), []);
    assert.deepEqual(argocd({ path: "bootstrap/argocd", importRelease: "yes" }), [
      `${PROJECT}:argocd.selfManagement.importRelease: must be true or false`,
    ]);
  });

  it("refuses a name the root or the apps already use", () => {
    assert.deepEqual(argocd({ path: "bootstrap/argocd", name: "apps" }), [
      `${PROJECT}:argocd.selfManagement.name: is apps, the same as argocd.appsProject.name: it names Argo CD's own Application and its AppProject; choose another name such as argocd`,
    ]);
  });
});

describe("handoff: the files the stack's release installs, written into the manifest repository", () => {
  let work = "";
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "gitops-handoff-"));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const stackFile = (engine: "argocd" | "flux") => {
    const file = join(work, `Pulumi.s.yaml`);
    const section =
      engine === "argocd"
        ? "  gitops-bootstrap:argocd:\n    selfManagement: { path: bootstrap/argocd }\n"
        : "  gitops-bootstrap:flux:\n    selfManagement: { path: flux-system }\n";
    writeFileSync(
      file,
      `config:\n  gitops-bootstrap:engine: ${engine}\n  gitops-bootstrap:repo: { url: "git@github.com:acme/manifests.git" }\n  gitops-bootstrap:repoSshPrivateKey: { secure: x }\n${section}`,
    );
    return file;
  };
  const quietly = (argv: string[]) => {
    const { log, error } = console;
    console.log = console.error = () => undefined;
    try {
      return handoffCommand(argv);
    } finally {
      Object.assign(console, { log, error });
    }
  };
  const run = (engine: "argocd" | "flux", ...extra: string[]) =>
    quietly(["--stack", "s", "--config-file", stackFile(engine), "--root", join(work, "repo"), ...extra]);

  it("writes what stackHandoff builds, is idempotent, and --check says when it is stale", () => {
    const repo = join(work, "repo");
    mkdirSync(repo);
    assert.equal(run("flux"), 0);
    const parsed = parseStackConfig(
      {
        [`${PROJECT}:engine`]: "flux",
        [`${PROJECT}:repo`]: JSON.stringify({ url: "git@github.com:acme/manifests.git" }),
        [`${PROJECT}:repoSshPrivateKey`]: "k",
        [`${PROJECT}:flux`]: JSON.stringify({ selfManagement: { path: "flux-system" } }),
      },
      new Set([`${PROJECT}:repoSshPrivateKey`]),
    );
    assert.ok(parsed.ok);
    for (const file of stackHandoff(parsed.config, "s", false)!.files)
      assert.equal(readFileSync(join(repo, "flux-system", file.name), "utf8"), file.content, file.name);
    assert.equal(run("flux", "--check"), 0);
    writeFileSync(
      join(repo, "flux-system", "helmrelease-flux.yaml"),
      "# Generated by gitops-bootstrap handoff\nedited: true\n",
    );
    assert.equal(run("flux", "--check"), 1);
    assert.equal(run("flux"), 0);
    assert.equal(run("flux", "--check"), 0);
  });

  it("refuses to replace a file it did not write, and removes only its own stale files", () => {
    const repo = join(work, "repo");
    mkdirSync(join(repo, "flux-system"), { recursive: true });
    writeFileSync(join(repo, "flux-system", "kustomization.yaml"), "resources: [mine.yaml]\n");
    assert.equal(run("flux"), 2);
    assert.equal(
      readFileSync(join(repo, "flux-system", "kustomization.yaml"), "utf8"),
      "resources: [mine.yaml]\n",
    );
    rmSync(join(repo, "flux-system", "kustomization.yaml"));
    writeFileSync(
      join(repo, "flux-system", "helmrelease-old.yaml"),
      "# Generated by gitops-bootstrap handoff\n",
    );
    writeFileSync(join(repo, "flux-system", "notes.md"), "mine\n");
    assert.equal(run("flux"), 0);
    assert.deepEqual(readdirSync(join(repo, "flux-system")).sort(), [
      "helmrelease-flux.yaml",
      "helmrepository-flux.yaml",
      "kustomization.yaml",
      "notes.md",
    ]);
  });

  it("says there is nothing to hand off when selfManagement is off", () => {
    mkdirSync(join(work, "repo"));
    const file = join(work, "Pulumi.s.yaml");
    writeFileSync(
      file,
      `config:\n  gitops-bootstrap:engine: argocd\n  gitops-bootstrap:repo: { url: "git@github.com:acme/manifests.git" }\n  gitops-bootstrap:repoSshPrivateKey: { secure: x }\n`,
    );
    assert.equal(quietly(["--stack", "s", "--config-file", file, "--root", join(work, "repo")]), 1);
  });

  it("writes Argo CD's directory", () => {
    mkdirSync(join(work, "repo"));
    assert.equal(run("argocd"), 0);
    const values = parse(readFileSync(join(work, "repo", "bootstrap", "argocd", "values.yaml"), "utf8")) as {
      configs: { cm: Record<string, unknown> };
    };
    assert.equal(values.configs.cm["kustomize.buildOptions"], "--enable-helm");
  });
});
