/** The folder tree is the architecture: these tests keep it that way as domains grow. */
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint } from "eslint";
import { REPO_ROOT } from "../support/paths";

const folders = (dir: string) =>
  readdirSync(join(REPO_ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

describe("layout: one folder per domain", () => {
  const domains = folders("core");

  it("names the same domains in core/, components/ and test/", () => {
    assert.deepEqual(domains, [
      "argocd",
      "aws",
      "catalog",
      "cloud",
      "flux",
      "github",
      "migration",
      "repository",
      "secrets",
      "shared",
      "tailscale",
    ]);
    for (const folder of folders("components")) assert.ok(domains.includes(folder), `components/${folder}`);
    const tests = folders("test").filter((f) => !["stacks", "cli", "support"].includes(f));
    assert.deepEqual(tests, domains, "every core domain has its tests under the same name");
  });

  it("keeps each domain's settings schema in core/<domain>/settings.ts", () => {
    // Every domain but the catalog (its own file format) and shared (building blocks) is a stack setting.
    for (const domain of domains.filter((d) => d !== "catalog" && d !== "shared")) {
      const text = readFileSync(join(REPO_ROOT, "core", domain, "settings.ts"), "utf8");
      assert.match(text, /export const \w+SettingsSchema\b/, domain);
    }
  });

  it("lints a Pulumi import in core/ as an error (the core stays pure)", async () => {
    const eslint = new ESLint({ cwd: REPO_ROOT });
    const [result] = await eslint.lintText('import * as pulumi from "@pulumi/pulumi";\nvoid pulumi;\n', {
      filePath: join(REPO_ROOT, "core", "argocd", "probe.ts"),
    });
    const messages = (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
    assert.ok(
      messages.some((m) => m.startsWith("no-restricted-imports: ") && m.includes("core/ is pure")),
      messages.join("\n"),
    );
  });
});
