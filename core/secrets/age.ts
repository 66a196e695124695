/**
 * age X25519 keys (C2SP age.md, "The X25519 recipient type"): an identity is 32 secret bytes,
 * written as Bech32 with HRP `AGE-SECRET-KEY-` in upper case; its recipient is the X25519 public
 * key of those bytes, Bech32 with HRP `age`. The public key is computed with node:crypto's X25519.
 *
 * The 32 secret bytes come from a @pulumi/tls ED25519 key's seed (see {@link ed25519Seed}): 32
 * bytes from the provider's CSPRNG, kept in state as a secret like any tls key, with no dynamic
 * provider whose code would be serialized into the state.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { bech32Decode, bech32Encode } from "./bech32";

const IDENTITY_HRP = "age-secret-key-";
const RECIPIENT_HRP = "age";

/** The ASN.1 prefix of an X25519 private key in PKCS#8 (RFC 8410): the 32 secret bytes follow. */
const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

/** An age identity (`AGE-SECRET-KEY-1…`) from its 32 secret bytes. */
export function ageIdentity(secret: Uint8Array): string {
  if (secret.length !== 32) throw new Error(`an age X25519 identity is 32 bytes, not ${secret.length}`);
  return bech32Encode(IDENTITY_HRP, secret).toUpperCase();
}

/** The age recipient (`age1…`) of an identity's 32 secret bytes. */
export function ageRecipientOf(secret: Uint8Array): string {
  const key = createPrivateKey({
    key: Buffer.concat([X25519_PKCS8_PREFIX, Buffer.from(secret)]),
    format: "der",
    type: "pkcs8",
  });
  const jwk = createPublicKey(key).export({ format: "jwk" });
  return bech32Encode(RECIPIENT_HRP, Buffer.from(String(jwk.x), "base64url"));
}

/** The 32 secret bytes of an `AGE-SECRET-KEY-1…` string; undefined when it is not one. */
export function parseAgeIdentity(text: string): Uint8Array | undefined {
  if (!text.startsWith("AGE-SECRET-KEY-1")) return undefined;
  const decoded = bech32Decode(text);
  return decoded?.hrp === IDENTITY_HRP && decoded.data.length === 32 ? decoded.data : undefined;
}

/** Whether a string is a well-formed age X25519 recipient (`age1…`, checksum included). */
export function isAgeRecipient(text: string): boolean {
  const decoded = bech32Decode(text);
  return text === text.toLowerCase() && decoded?.hrp === RECIPIENT_HRP && decoded.data.length === 32;
}

/**
 * The identities of an age key file (as `age-keygen` writes it: `#` comment lines, one
 * `AGE-SECRET-KEY-1…` per line), or the 1-based numbers of the lines that are neither. Never
 * returns or prints a line's text: a malformed line may still be most of a secret.
 */
export function parseAgeKeyFile(text: string): { identities: Uint8Array[] } | { badLines: number[] } {
  const identities: Uint8Array[] = [];
  const badLines: number[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const identity = parseAgeIdentity(line);
    if (identity === undefined) badLines.push(index + 1);
    else identities.push(identity);
  });
  return badLines.length > 0 ? { badLines } : { identities };
}

/** The ASN.1 prefix of an Ed25519 private key in PKCS#8 (RFC 8410): the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * The 32-byte seed of an Ed25519 private key in PKCS#8 PEM (tls_private_key's
 * `private_key_pem_pkcs8`): uniformly random bytes, used as the age identity. Throws without
 * quoting the input when it is not such a key.
 */
export function ed25519Seed(pkcs8Pem: string): Uint8Array {
  const body = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(pkcs8Pem)?.[1];
  const der = body === undefined ? undefined : Buffer.from(body.replace(/\s+/g, ""), "base64");
  if (
    der === undefined ||
    der.length !== ED25519_PKCS8_PREFIX.length + 32 ||
    !der.subarray(0, ED25519_PKCS8_PREFIX.length).equals(ED25519_PKCS8_PREFIX)
  )
    throw new Error("not an Ed25519 private key in PKCS#8 PEM (tls PrivateKey, algorithm ED25519)");
  return Uint8Array.from(der.subarray(ED25519_PKCS8_PREFIX.length));
}

/** An Ed25519 PKCS#8 PEM holding the given seed (the inverse of {@link ed25519Seed}). */
export function ed25519Pkcs8Pem(seed: Uint8Array): string {
  const base64 = Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(seed)]).toString("base64");
  return `-----BEGIN PRIVATE KEY-----\n${base64}\n-----END PRIVATE KEY-----\n`;
}

/**
 * The `age.agekey` file Flux reads (one identity a line, each after a comment naming its
 * recipient, as age-keygen writes it), from secret bytes in order.
 */
export function ageKeyFile(secrets: readonly Uint8Array[]): string {
  return secrets
    .map((secret) => `# public key: ${ageRecipientOf(secret)}\n${ageIdentity(secret)}\n`)
    .join("");
}
