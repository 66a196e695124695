/**
 * Files that must never appear in an error: a private key in OpenSSH's file format (random key
 * material, never a real key) and a binary file, and the check that an output shows none of them.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";

/** A real-looking OpenSSH private key: the format's header and magic, random bytes after. */
export function fakeOpenSshPrivateKey(): string {
  const body = Buffer.concat([Buffer.from("openssh-key-v1\0"), randomBytes(380)]).toString("base64");
  const lines = body.match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** The bytes of a binary file: an ELF header, then random bytes (NULs included). */
export function binaryFile(): Buffer {
  return Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]), randomBytes(400)]);
}

/** Asserts that `output` holds no 12 characters in a row of the key's body. */
export function assertShowsNoKey(output: string, key: string): void {
  const body = key.split("\n").filter((line) => line !== "" && !line.startsWith("-----"));
  assert.ok(body.length > 3, "the key has a body");
  for (const line of body) {
    for (let i = 0; i + 12 <= line.length; i++) {
      const piece = line.slice(i, i + 12);
      assert.ok(!output.includes(piece), `the output shows part of the key (${piece}):\n${output}`);
    }
  }
}

/** Asserts that `output` quotes nothing of a binary file: no escaped control bytes, no ELF magic. */
export function assertShowsNoBinary(output: string): void {
  assert.ok(!/\\u00|\\x7f|ELF/.test(output), `the output quotes the binary file:\n${output}`);
}
