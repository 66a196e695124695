/**
 * `npx tsx scripts/crd-schema.ts <crd.yaml> --out <file> --source <where>`: writes a JSON schema of
 * our own for one CustomResourceDefinition's served version, derived from its openAPIV3Schema, for
 * tests to validate the objects we build with ajv (test/support/validate.ts) where no npm package
 * ships a model of the kind (the Flux Operator's FluxInstance).
 *
 * What it keeps is structure only: types, properties, required keys, enums, patterns, lengths and
 * item counts; never descriptions, defaults or the status. It is stricter than the API server on
 * purpose: an object with known properties gets `additionalProperties: false`, because the server
 * silently drops (prunes) an unknown field, and a misspelt field we write would be lost unseen. CEL
 * rules (`x-kubernetes-validations`) are not JSON schema: they are listed under `celRules` for the
 * validator to implement by hand. Run it on the CRD at the tag of the pinned chart version; only
 * the derived schema is committed, never the CRD.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { format, resolveConfig } from "prettier";
import { parse } from "yaml";

type Schema = { [key: string]: unknown };

const KEPT = ["type", "enum", "pattern", "maxLength", "minLength", "minItems", "maxItems", "format"] as const;

/** One schema node reduced to its structure, with the CEL rules found below it collected by path. */
export function reduceSchema(node: Schema, path: string, cel: Array<{ path: string; rule: string }>): Schema {
  const out: Schema = {};
  for (const key of KEPT) if (node[key] !== undefined) out[key] = node[key];
  for (const rule of (node["x-kubernetes-validations"] as Array<{ rule: string }> | undefined) ?? [])
    cel.push({ path: path === "" ? "." : path, rule: rule.rule });
  if (node["x-kubernetes-preserve-unknown-fields"] === true) return out;
  const properties = node.properties as Record<string, Schema> | undefined;
  if (properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(properties)
        .filter(([key]) => !(path === "" && key === "status"))
        .map(([key, child]) => [key, reduceSchema(child, `${path}.${key}`, cel)]),
    );
    if (Array.isArray(node.required)) out.required = node.required;
    out.additionalProperties = false;
  } else if (typeof node.additionalProperties === "object" && node.additionalProperties !== null) {
    out.additionalProperties = reduceSchema(node.additionalProperties as Schema, `${path}.*`, cel);
  }
  if (typeof node.items === "object" && node.items !== null)
    out.items = reduceSchema(node.items as Schema, `${path}[]`, cel);
  return out;
}

/** The JSON schema of a CRD's storage version, with where it came from. */
export function crdSchema(crdYaml: string, source: string) {
  const crd = parse(crdYaml) as {
    spec: {
      group: string;
      names: { kind: string };
      versions: Array<{ name: string; storage?: boolean; schema: { openAPIV3Schema: Schema } }>;
    };
  };
  const version = crd.spec.versions.find((v) => v.storage === true) ?? crd.spec.versions[0];
  if (version === undefined) throw new Error("the CRD has no versions");
  const cel: Array<{ path: string; rule: string }> = [];
  const schema = reduceSchema(version.schema.openAPIV3Schema, "", cel);
  // metadata is `type: object` in a CRD: the API server checks it, not the CRD's schema.
  (schema.properties as Record<string, Schema>).metadata = { type: "object" };
  return {
    $comment: `Derived by scripts/crd-schema.ts from ${source}: structure only, stricter than the API server (additionalProperties: false); CEL rules listed in celRules are checked by test/support/validate.ts.`,
    apiVersion: `${crd.spec.group}/${version.name}`,
    kind: crd.spec.names.kind,
    celRules: cel,
    schema,
  };
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { out: { type: "string" }, source: { type: "string" } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (file === undefined || values.out === undefined || values.source === undefined)
    throw new Error("usage: npx tsx scripts/crd-schema.ts <crd.yaml> --out <file> --source <where>");
  const data = crdSchema(readFileSync(file, "utf8"), values.source);
  const options = (await resolveConfig(values.out)) ?? {};
  writeFileSync(values.out, await format(JSON.stringify(data), { ...options, parser: "json" }));
  console.log(`crd-schema: ${data.apiVersion} ${data.kind} → ${relative(process.cwd(), values.out)}`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
