/**
 * Argo CD managing its own install (`argocd.selfManagement`): the install Pulumi runs, and the
 * files through which Argo CD takes it over, both from one {@link EngineInstall}.
 *
 * The files are what seed 001 keeps in `bootstrap/`: a kustomization whose `helmCharts` inflates the
 * argo-cd chart with a values file. Argo CD renders it with `kustomize build --enable-helm`, passing
 * the cluster's Kubernetes version and API versions to helm (argoproj/argo-cd,
 * util/kustomize/kustomize.go, `parseKustomizeBuildOptions`), as `helm install` sees them; with the
 * same chart, version, release name, namespace and values the objects are the ones Helm installed.
 */
import type { ManifestRepo } from "../repository/repository";
import {
  handoffMarkerLine,
  withHandoffMarker,
  type EngineInstall,
  type HandoffFile,
} from "../shared/self-management";
import { formatValuesPath, valueAt, type ValuesProblem } from "../shared/values";
import { CHARTS } from "../shared/versions";
import { kubernetesYaml, yamlDocument } from "../shared/yaml";
import { ARGOCD_RELEASE_NAME, argoCdValues, type ArgoCdSettings } from "./argocd";

/** The argo-cd release as Pulumi installs it, and as Argo CD takes it over with `argocd.selfManagement`. */
export function argoCdInstall(settings: ArgoCdSettings, repo: ManifestRepo, version: string): EngineInstall {
  return {
    releaseName: ARGOCD_RELEASE_NAME,
    chart: { chart: CHARTS.argoCd.chart, repo: CHARTS.argoCd.repo },
    version,
    namespace: settings.namespace,
    values: argoCdValues(settings, repo),
  };
}

/** Name of the values file next to the kustomization. */
export const ARGOCD_VALUES_FILE = "values.yaml";

/**
 * The files of Argo CD's own directory: `kustomization.yaml` (kustomize's HelmChartInflationGenerator
 * with the chart, version, release name and namespace of the install) and `values.yaml` (the
 * install's values). `includeCRDs`: `helm install` installs a chart's crds/ directory, so the render
 * must too.
 */
export function argoCdHandoffFiles(installs: readonly EngineInstall[], stack: string): HandoffFile[] {
  const marker = `${handoffMarkerLine(stack)}\n`;
  const valuesFile = (install: EngineInstall) =>
    installs.length === 1 ? ARGOCD_VALUES_FILE : `values-${install.releaseName}.yaml`;
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    helmCharts: installs.map((install) => ({
      name: install.chart.chart,
      repo: install.chart.repo,
      version: install.version,
      releaseName: install.releaseName,
      namespace: install.namespace,
      includeCRDs: true,
      valuesFile: valuesFile(install),
    })),
  };
  return [
    { name: "kustomization.yaml", content: withHandoffMarker(kubernetesYaml(kustomization), stack) },
    ...installs.map((install) => ({
      name: valuesFile(install),
      content: `# Values of the ${install.chart.chart} chart ${install.version}, release ${install.releaseName} in ${install.namespace}.\n${marker}${yamlDocument(install.values)}`,
    })),
  ];
}

/**
 * What is wrong with `argocd.selfManagement` for these settings: Argo CD inflates the chart only
 * with `--enable-helm` in `kustomize.buildOptions` (our default; `argocd.values` may replace it),
 * and the pointer's names must not collide with the root's.
 */
export function argoCdSelfManagementProblems(settings: ArgoCdSettings, repo: ManifestRepo): ValuesProblem[] {
  const self = settings.selfManagement;
  if (self === undefined) return [];
  const problems: ValuesProblem[] = [];
  const path = ["configs", "cm", "kustomize.buildOptions"];
  const options = valueAt(argoCdValues(settings, repo), path);
  if (typeof options !== "string" || !options.split(/\s+/).includes("--enable-helm")) {
    problems.push({
      key: "argocd.values",
      message: `${formatValuesPath(path)} is ${JSON.stringify(options ?? null)}, but argocd.selfManagement needs --enable-helm in it: Argo CD inflates its own chart with kustomize's helmCharts; add --enable-helm, or remove argocd.selfManagement`,
    });
  }
  const taken: Array<readonly [string, string]> = [
    [settings.root.name, "argocd.root.name"],
    [settings.root.project, "argocd.root.project"],
    ...(settings.appsProject.enabled
      ? [[settings.appsProject.name, "argocd.appsProject.name"] as const]
      : []),
    ["default", "Argo CD's own default project"],
  ];
  for (const [name, what] of taken) {
    if (self.name === name)
      problems.push({
        key: "argocd.selfManagement.name",
        message: `is ${name}, the same as ${what}: it names Argo CD's own Application and its AppProject; choose another name such as argocd`,
      });
  }
  return problems;
}
