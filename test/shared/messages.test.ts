import { strict as assert } from "node:assert";
import {
  closest,
  excerpt,
  listSome,
  shortenQuoted,
  unknownKeyMessage,
  yamlErrorText,
} from "../../core/shared/messages";
import { assertShowsNoKey, fakeOpenSshPrivateKey } from "../support/leaks";

describe("core/shared/messages", () => {
  it("listSome lists up to the limit, then says how many more", () => {
    const names = Array.from({ length: 12 }, (_, i) => `app-${i}`);
    assert.equal(listSome(names.slice(0, 10)), names.slice(0, 10).join(", "));
    assert.equal(listSome(names), `${names.slice(0, 10).join(", ")} and 2 more`);
    assert.equal(listSome(names, 5), "app-0, app-1, app-2, app-3, app-4 and 7 more");
    assert.equal(listSome([]), "");
  });

  describe("excerpt: no message shows more than a short excerpt of a value", () => {
    it("shows a short single-line value whole, quoted", () => {
      assert.equal(excerpt("metallb-system"), '"metallb-system"');
      assert.equal(excerpt("n".repeat(64)), JSON.stringify("n".repeat(64)));
      assert.equal(excerpt(42), "42");
    });

    it("cuts a long value to its first 32 characters and says how long it is", () => {
      assert.equal(excerpt("x".repeat(5000)), `"${"x".repeat(32)}…" (5000 characters)`);
    });

    it("shows only the start of the first line of a multi-line value (a pasted key)", () => {
      const key = fakeOpenSshPrivateKey();
      const shown = excerpt(key);
      assert.equal(shown, `"-----BEGIN OPENSSH PRIVATE KEY--…" (${key.split("\n").length} lines)`);
      assertShowsNoKey(shown, key);
    });

    it("shortens every long quoted string in a finished message, and only those", () => {
      const key = fakeOpenSshPrivateKey();
      const message = shortenQuoted(`a.b: ${JSON.stringify(key)} must be an RFC 1123 label; "short" stays`);
      assert.equal(
        message,
        `a.b: "-----BEGIN OPENSSH PRIVATE KEY--…" (${key.split("\n").length} lines) must be an RFC 1123 label; "short" stays`,
      );
    });

    it("cuts a YAML parser message to one line of at most 80 characters", () => {
      assert.equal(
        yamlErrorText("Unexpected scalar at node end\n\nfoo: bar\n  ^"),
        "Unexpected scalar at node end",
      );
      assert.equal(
        yamlErrorText(`Block scalar header includes extra characters: ${"k".repeat(200)}`).length,
        78,
      );
    });
  });

  describe("did you mean (one implementation for the stack config and the catalog)", () => {
    it("suggests the closest key within two edits, ignoring case", () => {
      assert.equal(closest("hostName", ["hostname", "namespace"]), "hostname");
      assert.equal(closest("argocdd", ["argocd", "flux"]), "argocd");
      assert.equal(closest("namepsace", ["namespace", "wave"]), "namespace");
      assert.equal(closest("zzz", ["namespace", "wave"]), undefined);
    });

    it("names the key, the suggestion and every allowed key", () => {
      assert.equal(
        unknownKeyMessage("ownr", ["enabled", "owner"]),
        'unknown key "ownr": did you mean "owner"? remove it, or use one of enabled, owner',
      );
      assert.equal(unknownKeyMessage("x", []), 'unknown key "x": remove it');
    });
  });
});
