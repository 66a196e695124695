/**
 * The compiled CLI in cli/dist is committed (npm ci runs no build): it must be exactly what
 * `npm run build` makes of the current sources, or users and the CLI tests run stale code.
 */
import { strict as assert } from "node:assert";
import { buildOutputs, committedOutputs } from "../../cli/build";

describe("the compiled CLI (cli/dist)", () => {
  it("is exactly what npm run build makes of the sources (run npm run build and commit cli/dist)", async function () {
    this.timeout(120_000);
    const built = await buildOutputs();
    const committed = committedOutputs();
    assert.deepEqual(
      [...committed.keys()],
      [...built.keys()],
      "cli/dist holds other files than the build writes",
    );
    const stale = [...built].filter(([name, text]) => committed.get(name) !== text).map(([name]) => name);
    assert.deepEqual(
      stale,
      [],
      `stale in cli/dist: ${stale.join(", ")}; run npm run build and commit cli/dist`,
    );
  });

  it("builds the same bytes twice (deterministic)", async function () {
    this.timeout(120_000);
    assert.deepEqual(await buildOutputs(), await buildOutputs());
  });
});
