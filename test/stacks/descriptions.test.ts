/**
 * The docs a user reads at the prompt (`pulumi config` shows Pulumi.yaml's descriptions) and in
 * the repository must say what the code does: every settable key is named, every stated default is
 * the schema's, and nothing claims work is "in progress".
 */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { argoCdSettingsSchema } from "../../core/argocd/settings";
import { hubSettingsSchema } from "../../core/argocd/hub-settings";
import { awsSettingsSchema } from "../../core/aws/settings";
import { pulumiCloudSettingsSchema } from "../../core/cloud/settings";
import { fluxOperatorSettingsSchema } from "../../core/flux/operator-settings";
import { fluxSettingsSchema } from "../../core/flux/settings";
import { githubEnabledSchema } from "../../core/github/settings";
import { repositorySettingsSchema } from "../../core/repository/settings";
import { chartsSettingsSchema } from "../../core/shared/versions";
import { tailscaleEnabledSchema } from "../../core/tailscale/settings";
import { secretsSettingsSchema } from "../../core/secrets/settings";
import { REPO_ROOT } from "../support/paths";

const descriptions = (
  parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
    config: Record<string, { description?: string }>;
  }
).config;

/**
 * The `key (default: value)` pairs of a description, with their nesting: "`root` {name (default:
 * x)}" yields `root.name` → x; a "; why" after the value is prose. Descriptions keep that one form.
 */
export function describedDefaults(description: string): Map<string, string> {
  const found = new Map<string, string>();
  const stack: string[] = [];
  let last = "";
  const token = /`?([A-Za-z][A-Za-z0-9]*)`?(?: \(default: ([^);]*)[^)]*\))?|(\{)|(\})|\(([^)]*)\)/g;
  for (const m of description.matchAll(token)) {
    if (m[3] !== undefined) stack.push(last);
    else if (m[4] !== undefined) stack.pop();
    else if (m[1] !== undefined) {
      last = m[1];
      if (m[2] !== undefined) found.set([...stack, m[1]].join("."), m[2]);
    }
  }
  return found;
}

/** The value at a dotted path of a parsed config object, as the description would spell it. */
function spelled(value: unknown, path: string): string | undefined {
  let node = value;
  for (const key of path.split(".")) node = (node as Record<string, unknown> | undefined)?.[key];
  if (node === undefined) return undefined;
  return Array.isArray(node) ? (node.length === 0 ? "[]" : node.join(", ")) : String(node);
}

/** Every object key of a schema, dotted, found by unwrapping defaults, optionals and pipes. */
function schemaKeys(schema: z.ZodType, prefix = ""): string[] {
  let s = schema;
  for (;;) {
    const def = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === "object") break;
    const inner = (def.innerType ?? def.in) as z.ZodType | undefined;
    if (inner === undefined) return [];
    s = inner;
  }
  const shape = (s as z.ZodObject).shape as Record<string, z.ZodType>;
  return Object.entries(shape).flatMap(([key, child]) => [
    `${prefix}${key}`,
    ...schemaKeys(child, `${prefix}${key}.`),
  ]);
}

const SECTIONS: Array<[string, z.ZodType, unknown]> = [
  ["repo", repositorySettingsSchema, { url: "git@github.com:acme/manifests.git" }],
  ["charts", chartsSettingsSchema, {}],
  // selfManagement is off by default; set, its own defaults are the ones described.
  ["argocd", argoCdSettingsSchema, { selfManagement: { path: "bootstrap/argocd" } }],
  ["flux", fluxSettingsSchema, { selfManagement: { path: "flux-system" } }],
  ["fluxOperator", fluxOperatorSettingsSchema, { selfManagement: { path: "bootstrap/flux-operator" } }],
  // A spoke's own defaults are described once it is set.
  ["hub", hubSettingsSchema, { spoke: { server: "https://spoke.example.com" } }],
  // aws is off by default; set, its own defaults are the ones described.
  [
    "pulumiCloud",
    pulumiCloudSettingsSchema,
    { deployments: { aws: { roleArn: "arn:aws:iam::123456789012:role/pulumi-deployments" } } },
  ],
  // Both parts are off by default; set, their own defaults are the ones described.
  ["secrets", secretsSettingsSchema, { sopsAge: {}, externalSecrets: { provider: "doppler" } }],
];

describe("Pulumi.yaml descriptions", () => {
  for (const [section, schema, minimal] of SECTIONS) {
    const description = descriptions[`gitops-bootstrap:${section}`]?.description ?? "";

    it(`${section}: every default it states is the schema's`, () => {
      const parsed = schema.parse(minimal);
      const stated = describedDefaults(description);
      assert.ok(stated.size > 0, `no "(default: …)" in the ${section} description`);
      for (const [path, value] of stated) {
        // A default in words ("GitHub's published host keys") is computed, not a literal to compare.
        if (/\s/.test(value)) continue;
        assert.equal(value, spelled(parsed, path), `${section}.${path}: the description says ${value}`);
      }
    });

    it(`${section}: names every key a stack may set`, () => {
      for (const key of schemaKeys(schema)) {
        const leaf = key.split(".").pop() ?? key;
        assert.match(description, new RegExp(`\\b${leaf}\\b`), `${section}.${key} is not described`);
      }
    });
  }

  // Sections whose defaults need a full enabled object: every key they accept must be named.
  const NAMED_ONLY: Array<[string, z.ZodType]> = [
    ["github", githubEnabledSchema],
    ["tailscale", tailscaleEnabledSchema],
    ["aws", awsSettingsSchema],
  ];
  for (const [section, schema] of NAMED_ONLY) {
    it(`${section}: names every key a stack may set`, () => {
      const description = descriptions[`gitops-bootstrap:${section}`]?.description ?? "";
      for (const key of schemaKeys(schema)) {
        const leaf = key.split(".").pop() ?? key;
        assert.match(description, new RegExp(`\\b${leaf}\\b`), `${section}.${key} is not described`);
      }
    });
  }

  it("reads the nesting of a description (so a wrong default cannot hide in a sub-object)", () => {
    assert.deepEqual(
      [
        ...describedDefaults(
          "`a` (default: 1), `b` {c (default: x; because), d {e (default: [])}}, `f` (default: y)",
        ),
      ],
      [
        ["a", "1"],
        ["b.c", "x"],
        ["b.d.e", "[]"],
        ["f", "y"],
      ],
    );
  });
});

describe("docs say what exists", () => {
  const files = [
    join(REPO_ROOT, "README.md"),
    ...readdirSync(join(REPO_ROOT, "docs")).map((f) => join(REPO_ROOT, "docs", f)),
  ];
  it("claim nothing is in progress", () => {
    for (const file of files) {
      assert.doesNotMatch(readFileSync(file, "utf8"), /\(in progress\)|\bin progress;/i, file);
    }
  });
  it("state no test count, which goes stale with every test added", () => {
    assert.doesNotMatch(readFileSync(join(REPO_ROOT, "README.md"), "utf8"), /\b\d+ (mocha )?tests\b/);
  });
});
