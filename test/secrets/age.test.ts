/**
 * age keys as age-keygen writes them: Bech32 (BIP-173 vectors), identities and recipients (pairs
 * age-keygen printed, found in public repositories' docs and fixtures), and the tls seed they are
 * made from.
 */
import { strict as assert } from "node:assert";
import { generateKeyPairSync } from "node:crypto";
import {
  ageIdentity,
  ageKeyFile,
  ageRecipientOf,
  ed25519Pkcs8Pem,
  ed25519Seed,
  isAgeRecipient,
  parseAgeIdentity,
  parseAgeKeyFile,
} from "../../core/secrets/age";
import { bech32Decode, bech32Encode } from "../../core/secrets/bech32";
import { AGE_VECTORS } from "./vectors";

describe("Bech32 (BIP-173 test vectors)", () => {
  for (const valid of [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
  ]) {
    it(`accepts ${valid.slice(0, 24)}…`, () => assert.notEqual(bech32Decode(valid), undefined));
  }
  for (const [invalid, why] of [
    ["pzry9x0s0muk", "no separator"],
    ["1pzry9x0s0muk", "empty HRP"],
    ["x1b4n0q5v", "invalid data character"],
    ["li1dgmt3", "too short checksum"],
    ["A1G7SGD8", "checksum calculated with upper-case HRP"],
    ["a12UEL5L", "mixed case"],
    ["a12uel5m", "wrong checksum"],
  ]) {
    it(`refuses ${invalid} (${why})`, () => assert.equal(bech32Decode(invalid as string), undefined));
  }
  it("round-trips bytes, encoding what it decodes", () => {
    const data = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    const text = bech32Encode("age", data);
    assert.deepEqual(bech32Decode(text), { hrp: "age", data });
  });
});

describe("age X25519 keys (C2SP age.md)", () => {
  for (const [identity, recipient] of AGE_VECTORS) {
    it(`derives ${recipient.slice(0, 12)}… from its identity, and writes the identity back unchanged`, () => {
      const secret = parseAgeIdentity(identity);
      assert.ok(secret !== undefined);
      assert.equal(ageRecipientOf(secret), recipient);
      assert.equal(ageIdentity(secret), identity);
      assert.ok(isAgeRecipient(recipient));
    });
  }

  it("refuses an identity with a broken checksum or the wrong prefix", () => {
    const [identity, recipient] = AGE_VECTORS[0] as readonly [string, string];
    assert.equal(parseAgeIdentity(`${identity.slice(0, -1)}A`), undefined);
    assert.equal(parseAgeIdentity(identity.toLowerCase()), undefined);
    assert.equal(parseAgeIdentity(recipient), undefined);
    assert.ok(!isAgeRecipient(recipient.toUpperCase()));
  });

  it("reads an age-keygen file and reports bad lines by number, never by content", () => {
    const [[a], [b]] = AGE_VECTORS as [readonly [string, string], readonly [string, string]];
    const file = `# created: 2026-01-01T00:00:00Z\n# public key: age1...\n${a}\n\n${b}\n`;
    const parsed = parseAgeKeyFile(file);
    assert.ok("identities" in parsed);
    assert.deepEqual(parsed.identities.map(ageIdentity), [a, b]);
    assert.deepEqual(parseAgeKeyFile(`${a}\nAGE-SECRET-KEY-1NOTAKEY\n# ok\nhunter2\n`), { badLines: [2, 4] });
  });

  it("writes age.agekey as age-keygen does: the recipient as a comment above each identity", () => {
    const [identity, recipient] = AGE_VECTORS[1] as readonly [string, string];
    const secret = parseAgeIdentity(identity) as Uint8Array;
    assert.equal(ageKeyFile([secret]), `# public key: ${recipient}\n${identity}\n`);
  });
});

describe("age identities from a tls ED25519 key's seed", () => {
  it("reads the 32-byte seed of an Ed25519 PKCS#8 key, as node (and Go's x509) write it", () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const seed = ed25519Seed(pem);
    assert.equal(seed.length, 32);
    assert.equal(ed25519Pkcs8Pem(seed), pem);
    assert.ok(isAgeRecipient(ageRecipientOf(seed)));
  });

  it("refuses another key type without quoting it", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    assert.throws(
      () => ed25519Seed(pem),
      (error: Error) => /not an Ed25519 private key/.test(error.message) && !error.message.includes("BEGIN"),
    );
  });
});
