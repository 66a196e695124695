import { strict as assert } from "node:assert";
import {
  annotationKeyProblem,
  annotationsSizeProblem,
  isRfc1123Label,
  labelKeyProblem,
  labelValueProblem,
  rfc1123LabelProblem,
} from "../../core/shared/names";

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

describe("core/shared/names: labels and annotations, as the API server checks them", () => {
  for (const key of ["app", "app.kubernetes.io/name", "example.com/Tier_1", "a".repeat(63)]) {
    it(`accepts the label key ${JSON.stringify(key.slice(0, 24))}`, () =>
      assert.equal(labelKeyProblem(key), undefined));
  }
  const badKeys: Array<[string, string]> = [
    ["", "has an empty name"],
    ["a/b/c", "has more than one '/': use name or prefix/name, such as example.com/tier"],
    ["/name", "has an empty prefix before '/'"],
    [
      "Example.com/name",
      "has a prefix that is not a DNS subdomain (lower-case letters, digits, '-' and '.', such as example.com)",
    ],
    [`${"p".repeat(254)}/name`, "has a prefix of 254 characters; at most 253"],
    ["example.com/", "has an empty name"],
    [
      "-name",
      "has a name part that is not letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters",
    ],
    ["a".repeat(64), "has a name part of 64 characters; at most 63"],
  ];
  for (const [key, why] of badKeys) {
    it(`refuses the label key ${JSON.stringify(key.slice(0, 24))}`, () =>
      assert.equal(labelKeyProblem(key), why));
  }
  it("accepts empty and name-like label values, refuses others", () => {
    for (const value of ["", "v1.2.3", "My_Value", "x".repeat(63)])
      assert.equal(labelValueProblem(value), undefined);
    assert.equal(labelValueProblem("x".repeat(64)), "is 64 characters long; a label value has at most 63");
    assert.match(labelValueProblem("two words") ?? "", /^is not a label value: empty, or letters, digits/);
    assert.match(labelValueProblem("trailing-") ?? "", /^is not a label value/);
  });
  it("reads annotation keys without regard to case, and caps annotations at 256 KiB", () => {
    assert.equal(annotationKeyProblem("Example.COM/Owner"), undefined);
    assert.match(annotationKeyProblem("nginx ingress/x") ?? "", /prefix that is not a DNS subdomain/);
    assert.equal(annotationsSizeProblem({ a: "x".repeat(1000) }), undefined);
    assert.equal(
      annotationsSizeProblem({ a: "x".repeat(256 * 1024) }),
      "are 262145 bytes in total; the API server accepts at most 262144",
    );
  });
});
