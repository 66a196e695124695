/**
 * examples/hub-and-spoke: two spoke stacks and a hub stack synthesized offline, the hub from the
 * spokes' recorded outputs (which must be what synth of the spokes writes, never invented), and
 * the hub catalog's cluster-generator ApplicationSets rendered by real `kubectl kustomize`.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { generateCommand } from "../../cli/generate";
import { REPO_ROOT } from "../support/paths";
import { ensureTools } from "../support/tools";
import { validateKubernetesObject } from "../support/validate";

const EXAMPLE = join(REPO_ROOT, "examples", "hub-and-spoke");
const RECORDED = join(EXAMPLE, "stack-outputs.yaml");

/** The CLI from the TypeScript sources (cli/dist is rebuilt only after a merge). */
function cli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "cli", "main.ts"), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
}

interface SecretObject {
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  stringData: Record<string, string>;
}

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Whether a label selector matches labels (metav1.LabelSelector semantics, the four operators). */
function matches(selector: Selector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    if (e.operator === "In") return value !== undefined && (e.values ?? []).includes(value);
    if (e.operator === "NotIn") return value === undefined || !(e.values ?? []).includes(value);
    if (e.operator === "Exists") return value !== undefined;
    return value === undefined;
  });
  return byLabel && byExpression;
}

describe("examples/hub-and-spoke (synth offline, generate, kubectl kustomize)", function () {
  this.timeout(300_000);
  let work = "";
  const outputs = new Map<string, unknown>();
  let hubSecrets: SecretObject[] = [];

  before(() => {
    work = mkdtempSync(join(tmpdir(), "gitops-hub-"));
    for (const stack of ["spoke-a", "spoke-b"]) {
      const out = join(work, stack);
      const run = cli([
        "synth",
        "--stack",
        stack,
        "--config-file",
        join(EXAMPLE, `Pulumi.${stack}.yaml`),
        "--out",
        out,
      ]);
      assert.equal(run.status, 0, run.stderr);
      outputs.set(stack, JSON.parse(readFileSync(join(out, "outputs.json"), "utf8")));
    }
    const hub = join(work, "hub");
    const run = cli([
      "synth",
      "--stack",
      "hub",
      "--config-file",
      join(EXAMPLE, "Pulumi.hub.yaml"),
      "--stack-outputs",
      RECORDED,
      "--out",
      hub,
    ]);
    assert.equal(run.status, 0, run.stderr);
    const dir = join(hub, "manifests", "argocd");
    hubSecrets = readdirSync(dir)
      .filter((f) => f.startsWith("secret-cluster-"))
      .sort()
      .map((f) => parse(readFileSync(join(dir, f), "utf8")) as SecretObject);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("records exactly the spokes' synth outputs for the hub (nothing made up)", () => {
    const recorded = parse(readFileSync(RECORDED, "utf8")) as Record<string, unknown>;
    assert.deepEqual(recorded, {
      "acme/gitops-bootstrap/spoke-a": outputs.get("spoke-a"),
      "acme/gitops-bootstrap/spoke-b": outputs.get("spoke-b"),
    });
  });

  it("spoke-a (token) exports its registration in the clear and its credentials only as [secret]", () => {
    const a = outputs.get("spoke-a") as Record<string, Record<string, unknown>>;
    assert.equal(a.hubSpoke?.server, "https://spoke-a.k8s.example.com:6443");
    assert.deepEqual(a.hubSpokeCredentials, { bearerToken: "[secret]", caData: "[secret]" });
    const b = outputs.get("spoke-b") as Record<string, Record<string, unknown>>;
    assert.equal(b.hubSpoke?.server, "https://k8s-spoke-b.tail1234.ts.net");
    assert.equal(b.hubSpokeCredentials, undefined);
    assert.deepEqual((b.hubTailscalePolicy as { tagOwners: unknown }).tagOwners, {
      "tag:argocd-hub": ["autogroup:admin"],
    });
    for (const file of readdirSync(work, { recursive: true }).map(String)) {
      if (!file.endsWith(".json") && !file.endsWith(".yaml")) continue;
      assert.doesNotMatch(readFileSync(join(work, file), "utf8"), /mock ServiceAccount token/, file);
    }
  });

  it("the hub writes one valid cluster Secret per spoke, with GitOps Bridge labels and annotations", async () => {
    assert.deepEqual(
      hubSecrets.map((s) => [s.metadata.name, s.metadata.labels]),
      [
        [
          "cluster-spoke-a",
          {
            "argocd.argoproj.io/secret-type": "cluster",
            cluster_name: "spoke-a",
            enable_media: "true",
            enable_monitoring: "true",
            environment: "staging",
          },
        ],
        [
          "cluster-spoke-b",
          {
            "argocd.argoproj.io/secret-type": "cluster",
            cluster_name: "spoke-b",
            enable_media: "true",
            environment: "production",
          },
        ],
      ],
    );
    assert.deepEqual(hubSecrets[0]?.metadata.annotations, {
      addons_repo_basepath: "",
      addons_repo_path: "apps",
      addons_repo_revision: "main",
      addons_repo_url: "git@github.com:acme/fleet.git",
      cluster_name: "spoke-a",
      environment: "staging",
      ingress_domain: "spoke-a.example.com",
    });
    for (const secret of hubSecrets) {
      assert.deepEqual(secret.stringData, { config: "[secret]", name: "[secret]", server: "[secret]" });
      await validateKubernetesObject(secret as never);
    }
  });

  it("synth of the hub without recorded outputs fails, saying how to give them", () => {
    const run = cli([
      "synth",
      "--stack",
      "hub",
      "--config-file",
      join(EXAMPLE, "Pulumi.hub.yaml"),
      "--out",
      join(work, "hub-bare"),
    ]);
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /Required output 'hubSpoke' does not exist on stack 'acme\/gitops-bootstrap\/spoke-a'/,
    );
    assert.match(run.stderr, /--stack-outputs <file>/);
  });

  it("the hub catalog's ApplicationSets are up to date, render with kubectl kustomize, validate, and select the right spokes", async () => {
    let err = "";
    const code = await generateCommand(
      [
        "--catalog",
        join(EXAMPLE, "catalog.yaml"),
        "--engine",
        "argocd",
        "--mode",
        "applicationsets",
        "--check",
      ],
      { out: () => undefined, err: (t) => (err += t) },
    );
    assert.equal(code, 0, err);
    const { kubectl } = ensureTools();
    const render = spawnSync(kubectl, ["kustomize", join(EXAMPLE, "manifests", "hub")], { encoding: "utf8" });
    assert.equal(render.status, 0, render.stderr);
    const sets = parseAllDocuments(render.stdout).map(
      (d) =>
        d.toJS() as {
          kind: string;
          metadata: { name: string };
          spec: {
            generators: Array<{ matrix: { generators: [unknown, { clusters: { selector: Selector } }] } }>;
            template: { metadata: { name: string }; spec: { destination: { server: string } } };
          };
        },
    );
    assert.deepEqual(
      sets.map((s) => s.metadata.name),
      ["media", "monitoring"],
    );
    const selected = new Map<string, string[]>();
    for (const set of sets) {
      await validateKubernetesObject(set as never);
      assert.equal(set.spec.template.spec.destination.server, "{{ .server }}");
      assert.match(set.spec.template.metadata.name, /^\{\{ \.nameNormalized \}\}-/);
      const { selector } = set.spec.generators[0]?.matrix.generators[1]?.clusters ?? { selector: {} };
      selected.set(
        set.metadata.name,
        hubSecrets
          .filter((s) => matches(selector, s.metadata.labels))
          .map((s) => s.metadata.labels.cluster_name ?? ""),
      );
    }
    assert.deepEqual(Object.fromEntries(selected), {
      media: ["spoke-a", "spoke-b"],
      monitoring: ["spoke-a"],
    });
  });
});
