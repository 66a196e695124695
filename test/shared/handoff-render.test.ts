/**
 * The hand-off directories rendered by the real tools the engines use: `kubectl kustomize` (with
 * kustomize's helm inflation, as Argo CD's repo-server runs it) and `helm template`.
 *
 * The argo-cd chart archive cannot be downloaded here, and we never commit a chart's files: set
 * ARGO_CD_CHART_DIR to the unpacked chart of the pinned version, with its dependencies
 * (`helm pull argo/argo-cd --version <pin> --untar` gives exactly that), to run the Argo CD case;
 * without it that case is reported as pending, never passed.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { readStackFile } from "../../cli/stack-file";
import { CHARTS } from "../../core/shared/versions";
import { parseStackConfig } from "../../stacks/config";
import { stackHandoff, type Handoff } from "../../stacks/handoff";
import { REPO_ROOT } from "../support/paths";
import { ensureTools } from "../support/tools";

/** The hand-off of an example stack, as `handoff` writes it. */
function exampleHandoff(stack: string): Handoff {
  const file = readStackFile(REPO_ROOT, stack, join(REPO_ROOT, "examples", stack, `Pulumi.${stack}.yaml`));
  const parsed = parseStackConfig(file.config, new Set(file.secretKeys), { projectDir: REPO_ROOT });
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.errors.join("\n"));
  const handoff = stackHandoff(parsed.config, stack, false);
  assert.ok(handoff !== undefined);
  return handoff;
}

function writeFiles(dir: string, handoff: Handoff): void {
  mkdirSync(dir, { recursive: true });
  for (const file of handoff.files) writeFileSync(join(dir, file.name), file.content);
}

/** Objects of a multi-document YAML stream, keyed by apiVersion, kind, namespace and name. */
function objects(yaml: string): Map<string, unknown> {
  const found = new Map<string, unknown>();
  for (const doc of parseAllDocuments(yaml)) {
    const object = doc.toJS() as {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace?: string };
    } | null;
    if (object === null) continue;
    found.set(
      `${object.apiVersion} ${object.kind} ${object.metadata.namespace ?? ""} ${object.metadata.name}`,
      object,
    );
  }
  return found;
}

describe("hand-off directories, rendered by the real tools", () => {
  let work = "";
  before(() => {
    work = mkdtempSync(join(tmpdir(), "gitops-handoff-render-"));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("Flux: kubectl kustomize renders exactly the HelmRepository and HelmRelease written", function () {
    this.timeout(300_000);
    const { kubectl } = ensureTools();
    const handoff = exampleHandoff("flux-homelab");
    const dir = join(work, "flux");
    writeFiles(dir, handoff);
    const run = spawnSync(kubectl, ["kustomize", dir], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const written = objects(
      handoff.files
        .filter((f) => f.name !== "kustomization.yaml")
        .map((f) => f.content)
        .join("---\n"),
    );
    assert.equal(written.size, 2);
    assert.deepEqual(objects(run.stdout), written);
  });

  it("Argo CD: kustomize's helm inflation of the directory renders what helm template of the chart renders", function () {
    this.timeout(300_000);
    const chartDir = process.env.ARGO_CD_CHART_DIR;
    if (chartDir === undefined || chartDir === "") this.skip();
    const chart = parse(readFileSync(join(chartDir, "Chart.yaml"), "utf8")) as {
      name: string;
      version: string;
    };
    const handoff = exampleHandoff("applicationset-homelab");
    const [install] = handoff.installs;
    assert.ok(install !== undefined);
    assert.deepEqual(
      [chart.name, chart.version],
      [install.chart.chart, install.version],
      "ARGO_CD_CHART_DIR holds another chart",
    );
    assert.equal(install.version, CHARTS.argoCd.version);
    const { helm, kubectl } = ensureTools();

    const dir = join(work, "argocd");
    writeFiles(dir, handoff);
    // kustomize's chart home (charts/<name>-<version>/<name>): found there, nothing is downloaded.
    const home = join(dir, "charts", `${install.chart.chart}-${install.version}`, install.chart.chart);
    cpSync(chartDir, home, { recursive: true });
    const kustomized = spawnSync(kubectl, ["kustomize", "--enable-helm", "--helm-command", helm, dir], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(kustomized.status, 0, kustomized.stderr);

    // What Helm renders for the release Pulumi installs: the same release name, namespace and values.
    const values = join(work, "values.yaml");
    writeFileSync(values, handoff.files.find((f) => f.name === "values.yaml")!.content);
    const templated = spawnSync(
      helm,
      [
        "template",
        install.releaseName,
        chartDir,
        "--namespace",
        install.namespace,
        "--include-crds",
        "-f",
        values,
      ],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    assert.equal(templated.status, 0, templated.stderr);

    const fromKustomize = objects(kustomized.stdout);
    const fromHelm = objects(templated.stdout);
    assert.ok(fromHelm.size > 20, `only ${fromHelm.size} objects`);
    assert.deepEqual([...fromKustomize.keys()].sort(), [...fromHelm.keys()].sort());
    for (const [key, object] of fromHelm) assert.deepEqual(fromKustomize.get(key), object, key);
    assert.ok(existsSync(home));
  });
});
