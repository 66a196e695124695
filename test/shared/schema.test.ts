import { strict as assert } from "node:assert";
import { z } from "zod";
import { knownKeys, plainIssueText } from "../../core/shared/schema";
import { onOff } from "../../core/shared/settings-schema";

const on = z.strictObject({
  enabled: z.literal(true),
  tags: z.array(z.string().startsWith("tag:")),
  mode: z.enum(["a", "b"]),
});
const messages = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value, { error: plainIssueText });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("core/shared/schema: on/off sections", () => {
  it("reports a non-boolean enabled together with every other problem of the section", () => {
    assert.deepEqual(messages(onOff(on), { enabled: "yes", tags: ["ci"], mode: "c" }), [
      'enabled: must be true or false, got "yes": set enabled: true to manage this part, false to skip it',
      'tags.0: must start with "tag:", got "ci"',
      'mode: must be one of "a", "b"',
    ]);
  });

  it('reads "true"/"false" as booleans; switched off, keeps the settings but refuses other keys', () => {
    assert.deepEqual(onOff(on).parse({ enabled: "false", tags: ["x"] }), { enabled: false });
    assert.deepEqual(messages(onOff(on), { enabled: false, tagz: [] }), [
      ': unknown key "tagz": did you mean "tags"? remove it, or use one of enabled, tags, mode',
    ]);
  });

  it("uses a given off schema instead (which then checks its own keys)", () => {
    const off = z.strictObject({ enabled: z.literal(false), tags: z.array(z.string()).optional() });
    const schema = onOff(on, off);
    assert.deepEqual(schema.parse({ enabled: false, tags: ["x"] }), { enabled: false, tags: ["x"] });
    assert.deepEqual(messages(schema, { enabled: false, mode: "a" }), [
      ': unknown key "mode": remove it, or use one of enabled, tags',
    ]);
    assert.deepEqual(knownKeys(schema, []), ["enabled", "tags", "mode"]);
  });
});
