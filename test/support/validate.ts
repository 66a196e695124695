/**
 * Schema validation of Kubernetes objects with the kubernetes-models packages (ESM-only, hence the
 * dynamic imports), and for the Flux Operator's FluxInstance, which no npm package models, with ajv
 * and a schema of our own derived from its CRD (test/flux/fixtures, scripts/crd-schema.ts). An
 * object of a kind we have no model for is an error, never a silent pass.
 */
import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";

type Model = new (data: object) => { validate(): void };
type Loader = () => Promise<Record<string, unknown>>;

const MODULES: Record<string, Loader> = {
  v1: () => import("kubernetes-models/v1"),
  "rbac.authorization.k8s.io/v1": () => import("kubernetes-models/rbac.authorization.k8s.io/v1"),
  "argoproj.io/v1alpha1": () => import("@kubernetes-models/argo-cd/argoproj.io/v1alpha1"),
  "kustomize.toolkit.fluxcd.io/v1": () => import("@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1"),
  "source.toolkit.fluxcd.io/v1": () => import("@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1"),
  "helm.toolkit.fluxcd.io/v2": () => import("@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2"),
};

/** Validates one object against the schema of its apiVersion and kind; throws naming the object. */
export async function validateKubernetesObject(object: {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
}): Promise<void> {
  const id = `${String(object.apiVersion)}/${String(object.kind)} ${String(object.metadata?.name)}`;
  const derived = DERIVED[`${String(object.apiVersion)}/${String(object.kind)}`];
  if (derived !== undefined) {
    const problems = derivedSchemaProblems(derived, object);
    if (problems.length > 0) throw new Error(`${id}: ${problems.join("; ")}`);
    return;
  }
  const load = MODULES[String(object.apiVersion)];
  if (load === undefined)
    throw new Error(`${id}: no schema model for apiVersion ${String(object.apiVersion)}`);
  const model = (await load())[String(object.kind)] as Model | undefined;
  if (model === undefined) throw new Error(`${id}: no schema model for kind ${String(object.kind)}`);
  try {
    new model(object).validate();
  } catch (error) {
    throw new Error(`${id}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Kinds validated against a schema we derived from their CRD: `apiVersion/kind` → fixture file. */
const DERIVED: Record<string, string> = {
  "fluxcd.controlplane.io/v1/FluxInstance": join(
    __dirname,
    "..",
    "flux",
    "fixtures",
    "fluxinstance-v1.schema.json",
  ),
  "external-secrets.io/v1/ClusterSecretStore": join(
    __dirname,
    "..",
    "secrets",
    "fixtures",
    "clustersecretstore-v1.schema.json",
  ),
};

interface DerivedSchema {
  schema: object;
  celRules: Array<{ path: string; rule: string }>;
}

const at = (object: unknown, path: string): unknown =>
  path
    .split(".")
    .filter((k) => k !== "")
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], object);

/**
 * The CRD's CEL rules, by their text: each checked as the API server would on create. A rule we
 * do not know fails the validation, so a new rule upstream is never skipped unseen.
 */
const CEL_RULES: Record<string, (self: Record<string, unknown>) => boolean> = {
  "self.metadata.name == 'flux'": (self) => at(self, "metadata.name") === "flux",
  "(has(self.objectLevelWorkloadIdentity) && self.objectLevelWorkloadIdentity) || !has(self.multitenantWorkloadIdentity) || !self.multitenantWorkloadIdentity":
    (self) => self.objectLevelWorkloadIdentity === true || self.multitenantWorkloadIdentity !== true,
  "!has(self.provider) || self.provider != 'gcp' || self.kind == 'OCIRepository' || self.kind == 'Bucket'": (
    self,
  ) => self.provider !== "gcp" || self.kind === "OCIRepository" || self.kind === "Bucket",
  "!has(self.provider) || self.provider != 'github' || self.kind == 'GitRepository'": (self) =>
    self.provider !== "github" || self.kind === "GitRepository",
  // external-secrets' ClusterSecretStore (test/secrets/fixtures): which auth fields go together.
  ...externalSecretsCelRules(),
  // A transition rule: only an update has an old object to compare with.
  "self == oldSelf": () => true,
};

/** The CEL rules of external-secrets' ClusterSecretStore CRD, as the API server checks them. */
function externalSecretsCelRules(): Record<string, (self: Record<string, unknown>) => boolean> {
  const has = (self: Record<string, unknown>, key: string) => self[key] !== undefined;
  const count = (self: Record<string, unknown>, keys: string[]) => keys.filter((k) => has(self, k)).length;
  return {
    "!('esoNamespace' in self) && !('esoStoreName' in self) && !('esoStoreKind' in self)": (self) =>
      count(self, ["esoNamespace", "esoStoreName", "esoStoreKind"]) === 0,
    "has(self.auth) || has(self.authRef)": (self) => count(self, ["auth", "authRef"]) > 0,
    "[has(self.auth),has(self.authRef)].filter(x,x==true).size() <= 1": (self) =>
      count(self, ["auth", "authRef"]) <= 1,
    "(has(self.secretRef) && !has(self.oidcConfig)) || (!has(self.secretRef) && has(self.oidcConfig))": (
      self,
    ) => count(self, ["secretRef", "oidcConfig"]) === 1,
    "has(self.serviceAccountCredsSecretRef) || has(self.tokenSecretRef)": (self) =>
      count(self, ["serviceAccountCredsSecretRef", "tokenSecretRef"]) > 0,
    "[has(self.vault),has(self.environment)].filter(x,x==true).size() <= 1": (self) =>
      count(self, ["vault", "environment"]) <= 1,
    "[has(self.caBundle),has(self.caProvider)].filter(x,x==true).size() <= 1": (self) =>
      count(self, ["caBundle", "caProvider"]) <= 1,
    "[has(self.appRole),has(self.tokenSecretRef),has(self.userPass)].filter(x,x==true).size() == 1": (self) =>
      count(self, ["appRole", "tokenSecretRef", "userPass"]) === 1,
    "[has(self.roleId),has(self.roleRef)].filter(x,x==true).size() == 1": (self) =>
      count(self, ["roleId", "roleRef"]) === 1,
    "(has(self.auth) && !has(self.accessToken)) || (!has(self.auth) && has(self.accessToken))": (self) =>
      count(self, ["auth", "accessToken"]) === 1,
    "(has(self.accessToken) && !has(self.oidcConfig)) || (!has(self.accessToken) && has(self.oidcConfig))": (
      self,
    ) => count(self, ["accessToken", "oidcConfig"]) === 1,
    "has(self.token) || (has(self.username) && has(self.password))": (self) =>
      has(self, "token") || (has(self, "username") && has(self, "password")),
    "has(self.value) != has(self.secretRef)": (self) => count(self, ["value", "secretRef"]) === 1,
  };
}

const compiled = new Map<
  string,
  { validate: ReturnType<Ajv["compile"]>; celRules: DerivedSchema["celRules"] }
>();

/** Every way `object` breaks the derived schema or a CEL rule of its CRD (empty: valid). */
export function derivedSchemaProblems(file: string, object: unknown): string[] {
  let entry = compiled.get(file);
  if (entry === undefined) {
    const data = JSON.parse(readFileSync(file, "utf8")) as DerivedSchema;
    // OpenAPI formats (int32, byte, ...) are not JSON schema ones ajv knows: not checked, unlogged.
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    entry = { validate: ajv.compile(data.schema), celRules: data.celRules };
    compiled.set(file, entry);
  }
  const problems =
    entry.validate(object) === true
      ? []
      : (entry.validate.errors ?? []).map(
          (e) =>
            `${e.instancePath || "/"} ${e.message ?? "is invalid"}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
        );
  for (const { path, rule } of entry.celRules) {
    const check = CEL_RULES[rule];
    if (check === undefined) {
      problems.push(`${path}: CEL rule not implemented by test/support/validate.ts: ${rule}`);
      continue;
    }
    const self = path === "." ? object : at(object, path);
    if (self !== undefined && !check(self as Record<string, unknown>))
      problems.push(`${path}: fails ${rule}`);
  }
  return problems;
}
