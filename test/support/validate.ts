/**
 * Schema validation of Kubernetes objects with the kubernetes-models packages (ESM-only, hence the
 * dynamic imports). An object of a kind we have no model for is an error, never a silent pass.
 */
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
