/**
 * Deterministic YAML output for every file the project writes.
 *
 * Each document starts with a `# yaml-language-server: $schema=` line where a schema exists, so
 * editors validate what `generate` and `synth` write.
 */
import { stringify } from "yaml";
import { fastStringify } from "./fast-yaml";

/** Kubernetes kinds with a published JSON schema, keyed by `apiVersion/kind`. */
const KIND_SCHEMAS: Readonly<Record<string, string>> = {
  "argoproj.io/v1alpha1/Application":
    "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/argoproj.io/application_v1alpha1.json",
  "argoproj.io/v1alpha1/ApplicationSet":
    "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/argoproj.io/applicationset_v1alpha1.json",
  "argoproj.io/v1alpha1/AppProject":
    "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/argoproj.io/appproject_v1alpha1.json",
  "kustomize.toolkit.fluxcd.io/v1/Kustomization":
    "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/kustomize.toolkit.fluxcd.io/kustomization_v1.json",
  "source.toolkit.fluxcd.io/v1/GitRepository":
    "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/source.toolkit.fluxcd.io/gitrepository_v1.json",
  "source.toolkit.fluxcd.io/v1/HelmRepository":
    "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/source.toolkit.fluxcd.io/helmrepository_v1.json",
  "source.toolkit.fluxcd.io/v1/OCIRepository":
    "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/source.toolkit.fluxcd.io/ocirepository_v1.json",
  "helm.toolkit.fluxcd.io/v2/HelmRelease":
    "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/helm.toolkit.fluxcd.io/helmrelease_v2.json",
  "kustomize.config.k8s.io/v1beta1/Kustomization": "https://json.schemastore.org/kustomization.json",
  "v1/Namespace":
    "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.33.0-standalone-strict/namespace-v1.json",
  "v1/Secret":
    "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.33.0-standalone-strict/secret-v1.json",
  "v1/ConfigMap":
    "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.33.0-standalone-strict/configmap-v1.json",
  "rbac.authorization.k8s.io/v1/ClusterRole":
    "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.33.0-standalone-strict/clusterrole-rbac-v1.json",
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding":
    "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.33.0-standalone-strict/clusterrolebinding-rbac-v1.json",
  "rbac.authorization.k8s.io/v1/Role":
    "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.33.0-standalone-strict/role-rbac-v1.json",
  "rbac.authorization.k8s.io/v1/RoleBinding":
    "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.33.0-standalone-strict/rolebinding-rbac-v1.json",
};

/** The schema URL for a Kubernetes object, or undefined when none is published. */
export function schemaFor(object: { apiVersion?: unknown; kind?: unknown }): string | undefined {
  return KIND_SCHEMAS[`${String(object.apiVersion)}/${String(object.kind)}`];
}

/**
 * Serialises one value as YAML: no line folding, no anchors, so reruns are byte-identical. Plain
 * data takes a fast path that writes exactly what `yaml` does (core/shared/fast-yaml.ts).
 */
export function toYaml(value: unknown): string {
  return fastStringify(value) ?? stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** A YAML document with its `$schema` line first (when `schema` is given). */
export function yamlDocument(value: unknown, schema?: string): string {
  const header = schema === undefined ? "" : `# yaml-language-server: $schema=${schema}\n`;
  return header + toYaml(value);
}

/** A Kubernetes object as a YAML file, with the schema of its kind when one exists. */
export function kubernetesYaml(object: { apiVersion?: unknown; kind?: unknown }): string {
  return yamlDocument(object, schemaFor(object));
}
