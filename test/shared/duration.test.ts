import { strict as assert } from "node:assert";
import { fluxDurationProblem, goDurationNanos } from "../../core/shared/duration";

const S = 1_000_000_000n;

describe("core/shared/duration", () => {
  describe("reads durations as Go's time.ParseDuration does", () => {
    const valid: Array<[string, bigint]> = [
      ["1.5h", 5400n * S],
      ["1h30m", 5400n * S],
      ["300ms", 300_000_000n],
      ["2h45m", 9900n * S],
      ["-1.5h", -5400n * S],
      ["+10m", 600n * S],
      ["0", 0n],
      ["0s", 0n],
      [".5h", 1800n * S],
      ["1.h", 3600n * S],
      ["1ns", 1n],
      ["1us", 1000n],
      ["1\u00b5s", 1000n],
      ["1\u03bcs", 1000n],
      ["9223372036854775807ns", 9223372036854775807n],
    ];
    for (const [text, nanos] of valid) {
      it(`${text} is ${nanos} ns`, () => assert.equal(goDurationNanos(text), nanos));
    }
    for (const text of ["", "1", "h", "10 minutes", "1d", "1x", ".s", "-", "9223372036854775808ns"]) {
      it(`refuses ${JSON.stringify(text)}`, () => assert.equal(goDurationNanos(text), undefined));
    }
  });

  describe("Flux intervals: a positive duration in the form Flux's CRDs accept", () => {
    for (const good of ["1.5h", "1h30m", "300ms", "2h45m", "10m", "30s"]) {
      it(`accepts ${good}`, () => assert.equal(fluxDurationProblem(good), undefined));
    }
    it("refuses zero, saying an interval must be longer than 0", () => {
      assert.equal(
        fluxDurationProblem("0s"),
        "must be longer than 0: Flux reconciles again after this long; use a duration such as 30s, 10m, 1.5h or 1h30m (units ms, s, m, h)",
      );
    });
    it("refuses a Go duration Flux's pattern does not accept (units us, ns; a sign)", () => {
      assert.match(
        fluxDurationProblem("500us") ?? "",
        /^is a Go duration, but Flux's CRD accepts only .* ms, s, m or h/,
      );
      assert.match(fluxDurationProblem("-5m") ?? "", /^must be longer than 0/);
    });
    it("refuses text that is no duration", () => {
      assert.match(fluxDurationProblem("10 minutes") ?? "", /^must be a Go duration such as 30s, 10m, 1\.5h/);
    });
  });
});
