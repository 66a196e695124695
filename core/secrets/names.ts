/** Names the secret-zero part and the catalog's Flux decryption share (kept apart: generate loads no settings). */

/**
 * The Secret Flux's kustomize-controller reads age identities from: the name Flux's SOPS guide uses
 * (fluxcd.io, guides/mozilla-sops), where `secrets.sopsAge` places it, and the catalog's
 * `decryption.secretRef` default.
 */
export const SOPS_AGE_SECRET_NAME = "sops-age";
