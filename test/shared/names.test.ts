import { strict as assert } from "node:assert";
import { isRfc1123Label, rfc1123LabelProblem } from "../../core/shared/names";

describe("core/shared/names", () => {
  for (const good of ["a", "metallb-system", "x1", "a".repeat(63)]) {
    it(`accepts ${JSON.stringify(good.length > 10 ? `${good.slice(0, 8)}…` : good)}`, () => {
      assert.ok(isRfc1123Label(good));
    });
  }
  const bad: Array<[string, RegExp]> = [
    ["", /empty/],
    ["Upper", /RFC 1123/],
    ["-lead", /RFC 1123/],
    ["trail-", /RFC 1123/],
    ["dot.ted", /RFC 1123/],
    ["a".repeat(64), /64 characters/],
  ];
  for (const [value, why] of bad) {
    it(`rejects ${JSON.stringify(value.slice(0, 10))} saying why`, () => {
      assert.match(rfc1123LabelProblem(value) ?? "", why);
    });
  }
});
