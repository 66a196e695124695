/**
 * The Flux Operator managing its own install (`fluxOperator.selfManagement`): Pulumi installs both
 * releases once with the installs the hand-off files are written from, then ignores every change to
 * them and leaves them running on destroy; the files are what Flux reads.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { handoffCommand } from "../../cli/handoff";
import { FluxOperator } from "../../components/flux/flux-operator";
import { fluxInstanceValues, fluxOperatorValues, type FluxOperatorSettings } from "../../core/flux/operator";
import { HELM_CHART_LAYER } from "../../core/flux/oci";
import { fluxOperatorHandoffFiles, fluxOperatorInstalls } from "../../core/flux/operator-self-management";
import { fluxOperatorSettingsSchema } from "../../core/flux/operator-settings";
import {
  HANDED_OFF_RELEASE_INPUTS,
  isHandoffFile,
  releaseOwnerEngineNote,
  selfManagementPathProblem,
  type EngineInstall,
} from "../../core/shared/self-management";
import { CHARTS } from "../../core/shared/versions";
import { parseStackConfig, PROJECT, SECRET_KEYS } from "../../stacks/config";
import { stackHandoff } from "../../stacks/handoff";
import { REPO } from "../support/fixtures";
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
const SELF = { path: "bootstrap/flux-operator" };
const VALUES = {
  operator: { values: { web: { enabled: false } } },
  instance: { values: { instance: { cluster: { tenantDefaultServiceAccount: "flux" } } } },
};
const SETTINGS: FluxOperatorSettings = fluxOperatorSettingsSchema.parse({ ...VALUES, selfManagement: SELF });
const VERSIONS = { operator: CHARTS.fluxOperator.version, instance: CHARTS.fluxInstance.version };

interface HelmReleaseFile {
  metadata: { name: string; namespace: string };
  spec: {
    releaseName: string;
    targetNamespace: string;
    storageNamespace: string;
    values: unknown;
    chartRef: { kind: string; name: string };
    chart?: unknown;
    dependsOn?: { name: string }[];
  };
}

/** The HelmRelease the hand-off writes for a release. */
function helmReleaseFile(
  installs: ReturnType<typeof fluxOperatorInstalls>,
  release: string,
): HelmReleaseFile {
  const file = fluxOperatorHandoffFiles(installs, SETTINGS, SETTINGS.selfManagement!, "s").find(
    (f) => f.name === `helmrelease-${release}.yaml`,
  );
  assert.ok(file, `helmrelease-${release}.yaml`);
  return parse(file.content) as HelmReleaseFile;
}

/** The install an OCI release's inputs make (the chart is its full oci:// reference). */
function ociInstallOf(inputs: Record<string, unknown>): EngineInstall {
  const reference = inputs.chart as string;
  const slash = reference.lastIndexOf("/");
  return {
    releaseName: inputs.name as string,
    chart: { chart: reference.slice(slash + 1), repo: reference.slice(0, slash) },
    version: inputs.version as string,
    namespace: inputs.namespace as string,
    values: inputs.values as Record<string, unknown>,
  };
}

/** Config errors of a flux-operator stack with this `fluxOperator` section. */
function stackErrors(fluxOperator: unknown, repo: Record<string, unknown> = {}): string[] {
  const result = parseStackConfig(
    {
      [`${PROJECT}:engine`]: "flux-operator",
      [`${PROJECT}:repo`]: JSON.stringify({ url: "git@github.com:acme/manifests.git", ...repo }),
      [`${PROJECT}:${SECRET_KEYS.repoSshPrivateKey}`]: "k",
      [`${PROJECT}:fluxOperator`]: JSON.stringify(fluxOperator),
    },
    new Set([`${PROJECT}:${SECRET_KEYS.repoSshPrivateKey}`]),
  );
  return result.ok ? [] : result.errors;
}

describe("flux-operator self-management: the two Helm releases", () => {
  let runtime: MockRuntime;
  beforeEach(async () => {
    runtime = await mockRuntime();
  });

  const install = (settings: FluxOperatorSettings) => {
    const engine = new FluxOperator("flux-operator", {
      provider: testProvider(),
      settings,
      repo: REPO,
      sshPrivateKey: pulumi.secret(KEY),
    });
    return engine;
  };

  it("installs both with the installs the hand-off writes, then ignores every input and keeps them on destroy", async () => {
    const engine = install(SETTINGS);
    await runtime.settle();
    assert.deepEqual(engine.installs, fluxOperatorInstalls(SETTINGS, REPO, VERSIONS));
    for (const [name, key] of [
      ["flux-operator", "operator"],
      ["flux-operator-instance", "instance"],
    ] as const) {
      const release = findResource(runtime, "kubernetes:helm.sh/v3:Release", name);
      const installed = engine.installs[key];
      assert.deepEqual(ociInstallOf(release.inputs), installed);
      assert.equal(release.options.retainOnDelete, true);
      assert.deepEqual(release.options.ignoreChanges, [...HANDED_OFF_RELEASE_INPUTS]);
      const helmRelease = helmReleaseFile(engine.installs, installed.releaseName);
      assert.deepEqual(helmRelease.spec.values, release.inputs.values);
      assert.equal(helmRelease.spec.releaseName, release.inputs.name);
      assert.equal(helmRelease.spec.targetNamespace, release.inputs.namespace);
      assert.equal(helmRelease.spec.storageNamespace, release.inputs.namespace);
    }
    assert.deepEqual(engine.installs.operator.values, { web: { enabled: false } });
    assert.deepEqual(engine.installs.instance.values, fluxInstanceValues(SETTINGS, REPO));
  });

  it("leaves both releases Pulumi's without selfManagement", async () => {
    install(fluxOperatorSettingsSchema.parse(VALUES));
    await runtime.settle();
    assert.deepEqual(findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux-operator").options, {});
    assert.deepEqual(
      findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux-operator-instance").options,
      {},
    );
  });

  it("importRelease: adopts both releases under <namespace>/<name>", async () => {
    install({ ...SETTINGS, selfManagement: { ...SETTINGS.selfManagement!, importRelease: true } });
    await runtime.settle();
    const operator = findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux-operator");
    const instance = findResource(runtime, "kubernetes:helm.sh/v3:Release", "flux-operator-instance");
    assert.equal(operator.options.import, "flux-system/flux-operator");
    assert.equal(instance.options.import, "flux-system/flux-instance");
  });

  it("releaseOwner engine: declares neither release, and still knows what they were installed with", async () => {
    const engine = install({
      ...SETTINGS,
      selfManagement: { ...SETTINGS.selfManagement!, releaseOwner: "engine" },
    });
    await runtime.settle();
    assert.equal(engine.operatorRelease, undefined);
    assert.equal(engine.instanceRelease, undefined);
    assert.deepEqual(resourcesOfType(runtime, "kubernetes:helm.sh/v3:Release"), []);
    assert.deepEqual(engine.installs, fluxOperatorInstalls(SETTINGS, REPO, VERSIONS));
    assert.match(
      releaseOwnerEngineNote("fluxOperator", engine.installs.operator),
      /^fluxOperator\.selfManagement\.releaseOwner is engine: this stack declares no Helm release for flux-operator \(flux-operator in flux-system\)/,
    );
  });
});

describe("flux-operator self-management: what Flux reads", () => {
  const installs = fluxOperatorInstalls(SETTINGS, REPO, VERSIONS);
  const files = fluxOperatorHandoffFiles(installs, SETTINGS, SETTINGS.selfManagement!, "homelab");

  it("writes the pointer, an OCIRepository and a HelmRelease per release, and the kustomization listing them", () => {
    const objects = [
      "kustomization-flux-operator.yaml",
      "ocirepository-flux-operator.yaml",
      "helmrelease-flux-operator.yaml",
      "ocirepository-flux-instance.yaml",
      "helmrelease-flux-instance.yaml",
    ];
    assert.deepEqual(
      files.map((f) => f.name),
      ["kustomization.yaml", ...objects],
    );
    assert.deepEqual((parse(files[0]!.content) as { resources: string[] }).resources, objects);
    for (const file of files) assert.ok(isHandoffFile(file.content), file.name);
  });

  it("every object is valid against its schema", async () => {
    for (const file of files.slice(1)) await validateKubernetesObject(parse(file.content) as object);
  });

  it("reads each chart at its pinned tag from its OCI repository, the Helm chart layer only", () => {
    for (const [release, chart] of [
      ["flux-operator", CHARTS.fluxOperator],
      ["flux-instance", CHARTS.fluxInstance],
    ] as const) {
      const repository = parse(files.find((f) => f.name === `ocirepository-${release}.yaml`)!.content) as {
        metadata: object;
        spec: Record<string, unknown>;
      };
      assert.deepEqual(repository.metadata, { name: release, namespace: "flux-system" });
      assert.deepEqual(repository.spec, {
        interval: "10m",
        url: `oci://ghcr.io/controlplaneio-fluxcd/charts/${chart.chart}`,
        ref: { tag: chart.version },
        layerSelector: { mediaType: HELM_CHART_LAYER, operation: "copy" },
      });
      const helmRelease = helmReleaseFile(installs, release);
      assert.deepEqual(helmRelease.spec.chartRef, { kind: "OCIRepository", name: release });
      assert.equal(helmRelease.spec.chart, undefined);
    }
    assert.equal(HELM_CHART_LAYER, "application/vnd.cncf.helm.chart.content.v1.tar+gzip");
  });

  it("installs the instance after the operator, with exactly the values Pulumi installed", () => {
    const operator = helmReleaseFile(installs, "flux-operator");
    const instance = helmReleaseFile(installs, "flux-instance");
    assert.equal(operator.spec.dependsOn, undefined);
    assert.deepEqual(instance.spec.dependsOn, [{ name: "flux-operator" }]);
    assert.deepEqual(operator.spec.values, fluxOperatorValues(SETTINGS));
    assert.deepEqual(instance.spec.values, fluxInstanceValues(SETTINGS, REPO));
  });

  it("the pointer applies the directory from the root GitRepository, never prunes, and orphans on deletion", () => {
    const pointer = parse(files.find((f) => f.name === "kustomization-flux-operator.yaml")!.content) as {
      metadata: object;
      spec: Record<string, unknown>;
    };
    assert.deepEqual(pointer.metadata, { name: "flux-operator", namespace: "flux-system" });
    assert.equal(pointer.spec.path, "./bootstrap/flux-operator");
    assert.equal(pointer.spec.prune, false);
    assert.equal(pointer.spec.deletionPolicy, "Orphan");
    assert.equal(pointer.spec.retryInterval, SETTINGS.root.retryInterval);
    assert.deepEqual(pointer.spec.sourceRef, { kind: "GitRepository", name: SETTINGS.sync.name });
  });
});

describe("flux-operator self-management: a multitenant instance", () => {
  it("runs the pointer and the HelmReleases as the controllers' own ServiceAccounts, not the tenants' default", async () => {
    const settings = fluxOperatorSettingsSchema.parse({
      ...VALUES,
      cluster: { multitenant: true },
      selfManagement: SELF,
    });
    const files = fluxOperatorHandoffFiles(
      fluxOperatorInstalls(settings, REPO, VERSIONS),
      settings,
      settings.selfManagement!,
      "s",
    );
    const spec = (name: string) =>
      (parse(files.find((f) => f.name === name)!.content) as { spec: Record<string, unknown> }).spec;
    assert.equal(spec("kustomization-flux-operator.yaml").serviceAccountName, "kustomize-controller");
    assert.equal(spec("helmrelease-flux-operator.yaml").serviceAccountName, "helm-controller");
    assert.equal(spec("helmrelease-flux-instance.yaml").serviceAccountName, "helm-controller");
    for (const file of files.slice(1)) await validateKubernetesObject(parse(file.content) as object);
    // Not multitenant: none, the controllers act as themselves.
    const plain = fluxOperatorHandoffFiles(
      fluxOperatorInstalls(SETTINGS, REPO, VERSIONS),
      SETTINGS,
      SETTINGS.selfManagement!,
      "s",
    );
    for (const file of plain) assert.doesNotMatch(file.content, /serviceAccountName/, file.name);
  });
});

describe("flux-operator self-management: stack config", () => {
  it("defaults: name flux-operator, interval 10m, releaseOwner pulumi, no import; off without the key", () => {
    assert.deepEqual(SETTINGS.selfManagement, {
      path: "bootstrap/flux-operator",
      name: "flux-operator",
      interval: "10m",
      releaseOwner: "pulumi",
      importRelease: false,
    });
    assert.equal(fluxOperatorSettingsSchema.parse({}).selfManagement, undefined);
    assert.deepEqual(stackErrors({ selfManagement: SELF }), []);
  });

  it("requires the path, and refuses one overlapping the root's, naming the key", () => {
    assert.deepEqual(stackErrors({ selfManagement: {} }), [
      `${PROJECT}:fluxOperator.selfManagement.path: is required: the directory of the manifest repository that holds the engine's own install (such as bootstrap/argocd), which \`gitops-bootstrap handoff\` writes`,
    ]);
    assert.deepEqual(stackErrors({ selfManagement: { path: "manifests/bootstrap/flux" } }), [
      `${PROJECT}:fluxOperator.selfManagement.path: ${selfManagementPathProblem("manifests/bootstrap/flux", "manifests/bootstrap")}`,
    ]);
  });

  it("refuses importRelease without releaseOwner: pulumi, and the root Kustomization's name", () => {
    assert.deepEqual(
      stackErrors({ selfManagement: { ...SELF, releaseOwner: "engine", importRelease: true } }),
      [
        `${PROJECT}:fluxOperator.selfManagement.importRelease: is true but fluxOperator.selfManagement.releaseOwner is engine: a release the stack does not declare cannot be imported; set releaseOwner: pulumi to take the release back, or drop importRelease`,
      ],
    );
    assert.deepEqual(stackErrors({ selfManagement: { ...SELF, name: "flux-system" } }), [
      `${PROJECT}:fluxOperator.selfManagement.name: is flux-system, the name of the root Kustomization (fluxOperator.sync.name); the pointer would replace the root: choose another name, such as flux-operator`,
    ]);
    assert.deepEqual(
      stackErrors({ selfManagement: { ...SELF, name: "flux-system" }, sync: { name: "root" } }),
      [],
    );
    assert.deepEqual(stackErrors({ selfManagement: { ...SELF, interval: "often" } }).length, 1);
  });
});

describe("handoff: the Flux Operator's directory", () => {
  let work = "";
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "gitops-handoff-operator-"));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const quietly = (argv: string[]) => {
    const { log, error } = console;
    const said: string[] = [];
    console.log = console.error = (line: string) => void said.push(line);
    try {
      return { code: handoffCommand(argv), said };
    } finally {
      Object.assign(console, { log, error });
    }
  };
  const run = (section: string, ...extra: string[]) => {
    const file = join(work, "Pulumi.s.yaml");
    writeFileSync(
      file,
      `config:\n  gitops-bootstrap:engine: flux-operator\n  gitops-bootstrap:repo: { url: "git@github.com:acme/manifests.git" }\n  gitops-bootstrap:repoSshPrivateKey: { secure: x }\n${section}`,
    );
    return quietly(["--stack", "s", "--config-file", file, "--root", join(work, "repo"), ...extra]);
  };
  const section = "  gitops-bootstrap:fluxOperator:\n    selfManagement: { path: bootstrap/flux-operator }\n";

  it("writes what stackHandoff builds, and --check finds it up to date", () => {
    const repo = join(work, "repo");
    mkdirSync(repo);
    assert.equal(run(section).code, 0);
    const parsed = parseStackConfig(
      {
        [`${PROJECT}:engine`]: "flux-operator",
        [`${PROJECT}:repo`]: JSON.stringify({ url: "git@github.com:acme/manifests.git" }),
        [`${PROJECT}:repoSshPrivateKey`]: "k",
        [`${PROJECT}:fluxOperator`]: JSON.stringify({ selfManagement: SELF }),
      },
      new Set([`${PROJECT}:repoSshPrivateKey`]),
    );
    assert.ok(parsed.ok);
    const handoff = stackHandoff(parsed.config, "s", false)!;
    assert.equal(handoff.key, "fluxOperator.selfManagement");
    assert.deepEqual(
      handoff.installs.map((i) => i.releaseName),
      ["flux-operator", "flux-instance"],
    );
    const dir = join(repo, "bootstrap", "flux-operator");
    assert.deepEqual(readdirSync(dir).sort(), handoff.files.map((f) => f.name).sort());
    for (const file of handoff.files) assert.equal(readFileSync(join(dir, file.name), "utf8"), file.content);
    assert.equal(run(section, "--check").code, 0);
  });

  it("says to apply the pointer once, naming its file", () => {
    mkdirSync(join(work, "repo"));
    const { code, said } = run(section);
    assert.equal(code, 0);
    assert.ok(
      said.includes(
        "handoff: once the directory is pushed, apply its pointer Kustomization once: kubectl apply -f bootstrap/flux-operator/kustomization-flux-operator.yaml (it then applies its own directory)",
      ),
      said.join("\n"),
    );
  });

  it("names the fluxOperator key when selfManagement is off", () => {
    mkdirSync(join(work, "repo"));
    const { code, said } = run("");
    assert.equal(code, 1);
    assert.match(said.join("\n"), /does not set gitops-bootstrap:fluxOperator\.selfManagement/);
  });
});

describe("flux-operator self-management: synth of examples/flux-operator-homelab with selfManagement", () => {
  const work = mkdtempSync(join(tmpdir(), "gitops-operator-synth-"));
  after(() => rmSync(work, { recursive: true, force: true }));
  type Resource = { type: string; name: string; inputs: Record<string, unknown>; options?: unknown };
  let resources: Resource[] = [];
  let handoff: Record<string, string> = {};
  before(function () {
    this.timeout(240_000);
    const example = readFileSync(
      join(REPO_ROOT, "examples", "flux-operator-homelab", "Pulumi.flux-operator-homelab.yaml"),
      "utf8",
    );
    // The example ends inside gitops-bootstrap:fluxOperator (operator.values.web.networkPolicy).
    assert.match(example, /\n {2}gitops-bootstrap:fluxOperator:\n(?: {4}.*\n|\s*#.*\n)+$/);
    const file = join(work, "Pulumi.flux-operator-homelab.yaml");
    writeFileSync(file, `${example}    selfManagement:\n      path: bootstrap/flux-operator\n`);
    const out = join(work, "out");
    // From the TypeScript sources (cli/bin.js runs the compiled CLI).
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(REPO_ROOT, "cli", "main.ts"),
        "synth",
        "--stack",
        "flux-operator-homelab",
        "--config-file",
        file,
        "--out",
        out,
      ],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as Resource[];
    const dir = join(out, "handoff", "bootstrap", "flux-operator");
    handoff = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
  });

  it("writes the hand-off, whose HelmReleases hold exactly the chart, version and values of synth's releases", () => {
    assert.deepEqual(Object.keys(handoff).sort(), [
      "helmrelease-flux-instance.yaml",
      "helmrelease-flux-operator.yaml",
      "kustomization-flux-operator.yaml",
      "kustomization.yaml",
      "ocirepository-flux-instance.yaml",
      "ocirepository-flux-operator.yaml",
    ]);
    for (const [name, release] of [
      ["flux-operator", "flux-operator"],
      ["flux-operator-instance", "flux-instance"],
    ] as const) {
      const installed = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === name);
      assert.ok(installed, name);
      const helmRelease = parse(handoff[`helmrelease-${release}.yaml`]!) as HelmReleaseFile;
      const repository = parse(handoff[`ocirepository-${release}.yaml`]!) as {
        spec: { url: string; ref: { tag: string } };
      };
      assert.deepEqual(helmRelease.spec.values, installed.inputs.values);
      assert.equal(helmRelease.spec.releaseName, installed.inputs.name);
      assert.equal(helmRelease.spec.storageNamespace, installed.inputs.namespace);
      assert.equal(repository.spec.url, installed.inputs.chart);
      assert.equal(repository.spec.ref.tag, installed.inputs.version);
    }
    // The example's own operator values reach the operator's HelmRelease.
    const operator = parse(handoff["helmrelease-flux-operator.yaml"]!) as HelmReleaseFile;
    assert.deepEqual(operator.spec.values, { web: { networkPolicy: { create: false } } });
  });
});
