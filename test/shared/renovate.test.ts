/**
 * Upgrades a bot can open: renovate.json is valid Renovate config, its custom manager finds every
 * chart pin, a chart bump is a one-line change, and synth picks the bumped version up.
 */
import Ajv from "ajv";
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { CHARTS, FLUX_DISTRIBUTION, isOciPin } from "../../core/shared/versions";
import { formatReport, listStacks, synthDiff, type StackDiff } from "../../scripts/synth-diff";
import { REPO_ROOT } from "../support/paths";

interface CustomManager {
  customType: string;
  managerFilePatterns: string[];
  matchStrings: string[];
  datasourceTemplate?: string;
  packageNameTemplate?: string;
  extractVersionTemplate?: string;
}
interface RenovateConfig {
  customManagers: CustomManager[];
  packageRules: Array<Record<string, unknown>>;
  enabledManagers?: string[];
  [key: string]: unknown;
}

const config = JSON.parse(readFileSync(join(REPO_ROOT, "renovate.json"), "utf8")) as RenovateConfig;

/** Renovate's JSON schema ships in its npm package; fetched once (npm pack, pinned) into .cache/tools. */
const RENOVATE = {
  spec: "renovate@44.121.2",
  integrity:
    "sha512-gNsY+POw2UN3B4e8x0B5UK3onH1qF7wMirKGaUnJcSx3+xEWH4n35RS4rvVEtTIIV/BoZoFbsIo7njTb9Mydxg==",
} as const;
const SCHEMA = resolve(REPO_ROOT, ".cache", "tools", "renovate-44.121.2-schema.json");

function renovateSchema(): Record<string, unknown> {
  if (!existsSync(SCHEMA)) {
    const work = mkdtempSync(join(tmpdir(), "gitops-renovate-"));
    try {
      const packed = JSON.parse(
        execFileSync("npm", ["pack", RENOVATE.spec, "--json", "--pack-destination", work], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        }),
      ) as Array<{ filename: string; integrity: string }>;
      assert.equal(packed[0]?.integrity, RENOVATE.integrity, `${RENOVATE.spec}: not the pinned tarball`);
      execFileSync("tar", [
        "-xzf",
        join(work, packed[0]?.filename ?? ""),
        "-C",
        work,
        "package/renovate-schema.json",
      ]);
      mkdirSync(resolve(SCHEMA, ".."), { recursive: true });
      renameSync(join(work, "package", "renovate-schema.json"), SCHEMA);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return JSON.parse(readFileSync(SCHEMA, "utf8")) as Record<string, unknown>;
}

/** Repository files (relative, `/`-separated) a manager's patterns select, as Renovate matches them. */
function filesMatching(patterns: readonly string[]): string[] {
  const all = readdirSync(REPO_ROOT, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(REPO_ROOT, join(e.parentPath, e.name)).split("\\").join("/"))
    .filter((f) => !/^(node_modules|\.git|\.cache|out)\//.test(f));
  return all.filter((file) =>
    patterns.some((pattern) => {
      const regex = /^\/(.*)\/$/.exec(pattern)?.[1];
      assert.ok(regex !== undefined, `${pattern}: write managerFilePatterns as /regex/`);
      return new RegExp(regex).test(file);
    }),
  );
}

/**
 * A template of a custom manager as Renovate fills it: Handlebars with the match's named groups
 * (renovate 44.121.2, lib/modules/manager/custom/regex/utils.ts `createDependency` compiles each
 * `…Template` with every group of the match); only `{{{group}}}` is used here.
 */
function fill(template: string | undefined, groups: Record<string, string | undefined>): string | undefined {
  if (template === undefined) return undefined;
  return template.replace(/\{\{\{(\w+)\}\}\}/g, (_, name: string) => {
    const value = groups[name];
    assert.ok(value !== undefined, `${template}: no group ${name} in the match`);
    return value;
  });
}

/** What a custom regex manager extracts from the repository: one entry per match. */
function extract(manager: CustomManager) {
  return filesMatching(manager.managerFilePatterns).flatMap((file) => {
    const text = readFileSync(join(REPO_ROOT, file), "utf8");
    return manager.matchStrings.flatMap((source) =>
      [...text.matchAll(new RegExp(source, "g"))].map((m) => ({
        file,
        match: m[0],
        depName: m.groups?.depName,
        packageName: fill(manager.packageNameTemplate, m.groups ?? {}) ?? m.groups?.depName,
        registryUrl: m.groups?.registryUrl,
        currentValue: m.groups?.currentValue,
        datasource: m.groups?.datasource ?? manager.datasourceTemplate,
      })),
    );
  });
}

describe("renovate.json", () => {
  it("uses only options Renovate's schema knows, each with a valid value", function () {
    this.timeout(120_000);
    const schema = renovateSchema();
    const definitions = schema.definitions as Record<
      string,
      { items?: { allOf?: Array<{ properties?: object }> } }
    >;
    const known = (properties: object | undefined) => Object.keys(properties ?? {});
    const top = known(schema.properties as object);
    for (const key of Object.keys(config))
      assert.ok(key === "$schema" || top.includes(key), `unknown top-level option ${key}`);
    const managerKeys = known(definitions.customManagers?.items?.allOf?.[0]?.properties);
    for (const manager of config.customManagers)
      for (const key of Object.keys(manager))
        assert.ok(managerKeys.includes(key), `customManagers: unknown ${key}`);
    assert.ok(
      !managerKeys.includes("fileMatch"),
      "the renamed fileMatch would be refused (so a pass means something)",
    );
    // A package rule matches packages with its own options and sets any other config option for them.
    const matchKeys = known(definitions.packageRules?.items?.allOf?.[0]?.properties);
    assert.ok(matchKeys.includes("matchPackageNames"), "the schema's packageRules options were not found");
    for (const rule of config.packageRules)
      for (const key of Object.keys(rule))
        assert.ok(matchKeys.includes(key) || top.includes(key), `packageRules: unknown ${key}`);

    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
    const validate = ajv.compile(schema);
    assert.equal(validate(config), true, JSON.stringify(validate.errors));
    assert.equal(
      validate({ ...config, customManagers: "no" }),
      false,
      "a broken config fails (so a pass means something)",
    );
  });

  it("leaves Renovate's npm and github-actions managers on (package.json, the workflows' SHA pins)", () => {
    assert.equal(config.enabledManagers, undefined);
    assert.deepEqual(config.extends, ["config:recommended"]);
  });

  it("has custom managers that find every chart pin and the Flux version, each once, and nothing else", () => {
    const found = config.customManagers.flatMap(extract);
    const sortByName = <T extends { depName?: string | undefined }>(list: T[]) =>
      [...list].sort((a, b) => String(a.depName).localeCompare(String(b.depName)));
    assert.deepEqual(
      sortByName(
        found.map(({ file, depName, packageName, registryUrl, currentValue, datasource }) => ({
          file,
          depName,
          packageName,
          registryUrl,
          currentValue,
          datasource,
        })),
      ),
      sortByName([
        // Renovate's helm datasource reads a Helm repository's index; OCI charts are looked up as
        // images by the docker datasource (its helmv3 manager does the same: manager/helmv3/oci.ts).
        ...Object.values(CHARTS).map((pin) => ({
          file: "charts/versions.json",
          depName: pin.chart,
          packageName: isOciPin(pin) ? `${pin.repo.replace(/^oci:\/\//, "")}/${pin.chart}` : pin.chart,
          registryUrl: isOciPin(pin) ? undefined : pin.repo,
          currentValue: pin.version,
          datasource: isOciPin(pin) ? "docker" : "helm",
        })),
        {
          file: "charts/versions.json",
          depName: FLUX_DISTRIBUTION.githubRelease,
          packageName: FLUX_DISTRIBUTION.githubRelease,
          registryUrl: undefined,
          currentValue: FLUX_DISTRIBUTION.version,
          datasource: "github-releases",
        },
      ]),
    );
    assert.deepEqual(
      found.filter((f) => f.datasource === "docker").map((f) => f.packageName),
      [
        "ghcr.io/controlplaneio-fluxcd/charts/flux-operator",
        "ghcr.io/controlplaneio-fluxcd/charts/flux-instance",
      ],
    );
  });

  it("reads the Flux version from fluxcd/flux2's release tags (v2.8.5 → 2.8.5)", () => {
    const manager = config.customManagers.find((m) => m.datasourceTemplate === "github-releases");
    assert.ok(manager?.extractVersionTemplate !== undefined);
    assert.equal(new RegExp(manager.extractVersionTemplate).exec("v2.8.5")?.groups?.version, "2.8.5");
  });

  it("makes a bump of each pin a one-line change", () => {
    for (const manager of config.customManagers) {
      for (const pin of extract(manager)) {
        assert.ok(pin.currentValue !== undefined);
        const before = readFileSync(join(REPO_ROOT, pin.file), "utf8");
        // What Renovate writes: the matched text with the new version in place of the current one.
        const after = before.replace(pin.match, pin.match.replace(`"${pin.currentValue}"`, '"99.0.0"'));
        const changed = before.split("\n").filter((line, i) => line !== after.split("\n")[i]);
        assert.deepEqual(changed, [`    "version": "${pin.currentValue}"`], pin.depName);
      }
    }
  });
});

describe("a chart bump in charts/versions.json", () => {
  it("is what synth installs, and scripts/synth-diff.ts shows it (a copy of the project, argo-cd bumped)", function () {
    this.timeout(180_000);
    const copy = mkdtempSync(join(tmpdir(), "gitops-bump-"));
    try {
      cpSync(REPO_ROOT, copy, {
        recursive: true,
        filter: (src) => !/(^|\/)(node_modules|\.git|\.cache|out)$/.test(relative(REPO_ROOT, src)),
      });
      symlinkSync(join(REPO_ROOT, "node_modules"), join(copy, "node_modules"));
      const pins = join(copy, "charts", "versions.json");
      const text = readFileSync(pins, "utf8");
      writeFileSync(pins, text.replace(`"version": "${CHARTS.argoCd.version}"`, '"version": "9.0.6"'));

      const [prod, ...others] = synthDiff(REPO_ROOT, copy, ["prod"]);
      assert.deepEqual(others, []);
      assert.equal(prod?.status, "changed", prod?.text);
      const changed = (prod?.text ?? "").split("\n").filter((l) => /^[-+][^-+]/.test(l));
      assert.deepEqual(changed, [
        `-# Helm release argocd: chart argo-cd ${CHARTS.argoCd.version}`,
        "+# Helm release argocd: chart argo-cd 9.0.6",
      ]);
      assert.match(
        formatReport([prod as StackDiff]),
        /^### prod \(Pulumi\.prod\.yaml\): changed\n\n```diff\n/,
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("lists every stack synth-diff compares: the root stack files and the examples", () => {
    assert.deepEqual(
      listStacks(REPO_ROOT).map((s) => s.file),
      [
        "Pulumi.account.yaml",
        "Pulumi.homelab.yaml",
        "Pulumi.prod.yaml",
        "examples/applicationset-homelab/Pulumi.applicationset-homelab.yaml",
        "examples/flux-homelab/Pulumi.flux-homelab.yaml",
        "examples/flux-operator-homelab/Pulumi.flux-operator-homelab.yaml",
        "examples/hub-and-spoke/Pulumi.hub.yaml",
        "examples/hub-and-spoke/Pulumi.spoke-a.yaml",
        "examples/hub-and-spoke/Pulumi.spoke-b.yaml",
        "examples/pulumi-cloud/Pulumi.cloud.yaml",
        "examples/secret-zero/Pulumi.secret-zero-account.yaml",
        "examples/secret-zero/Pulumi.secret-zero-argocd.yaml",
        "examples/secret-zero/Pulumi.secret-zero-flux.yaml",
        "examples/terragrunt-homelab/Pulumi.terragrunt-homelab.yaml",
        "examples/waves-health/Pulumi.waves-health.yaml",
      ],
    );
  });
});
