/**
 * Flux managing its own install (`flux.selfManagement`): the install Pulumi runs, and the objects
 * through which Flux takes it over, both from one {@link EngineInstall}.
 *
 * Pulumi installs the flux2 chart with Helm, so Flux takes over the same Helm release: a
 * HelmRepository for the chart's repository and a HelmRelease with the release's name, namespace,
 * storage namespace, chart, version and values. pulumi-kubernetes' helm.v3.Release keeps its release
 * in Helm's Secret storage in the release's namespace (provider/pkg/provider/provider.go, driver
 * "secret" unless configured), where helm-controller looks too (`storageNamespace`, by default the
 * HelmRelease's namespace). helm-controller finds a release in storage that its HelmRelease has no
 * history of, calls it "Unmanaged" and upgrades it, taking it over (fluxcd/helm-controller,
 * internal/reconcile/state.go `DetermineReleaseState`, atomic_release.go); Helm's upgrade accepts
 * the objects, which carry this release's `meta.helm.sh/release-*` annotations.
 */
import { withHandoffMarker, type EngineInstall, type HandoffFile } from "../shared/self-management";
import { CHARTS } from "../shared/versions";
import { kubernetesYaml } from "../shared/yaml";
import { FLUX_RELEASE_NAME, fluxValues, type FluxSelfManagement, type FluxSettings } from "./flux";

/** The flux2 release as Pulumi installs it, and as Flux takes it over with `flux.selfManagement`. */
export function fluxInstall(settings: FluxSettings, version: string): EngineInstall {
  return {
    releaseName: FLUX_RELEASE_NAME,
    chart: { chart: CHARTS.flux2.chart, repo: CHARTS.flux2.repo },
    version,
    namespace: settings.namespace,
    values: fluxValues(settings),
  };
}

/** The HelmRepository the HelmRelease of `install` reads its chart from (named after the release). */
export function fluxHelmRepository(install: EngineInstall, self: FluxSelfManagement) {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "HelmRepository",
    metadata: { name: install.releaseName, namespace: install.namespace },
    spec: { interval: self.interval, url: install.chart.repo },
  };
}

/** How a HelmRelease of {@link fluxHelmRelease} differs from flux2's. */
export interface HelmReleaseOptions {
  /**
   * Where the chart comes from. Defaults to a `chart.spec` of the HelmRepository named after the
   * release; the Flux Operator's OCI charts use a `chartRef` to their OCIRepository instead.
   */
  chart?: Record<string, unknown>;
  /** HelmReleases (same namespace) to install first. Defaults to none. */
  dependsOn?: readonly string[];
  /** The ServiceAccount helm-controller impersonates. Defaults to none: its own. */
  serviceAccountName?: string;
}

/**
 * The HelmRelease that takes over the release Pulumi installed: the same release name, namespace,
 * storage namespace, chart, version and values (inline, so the file says everything).
 */
export function fluxHelmRelease(
  install: EngineInstall,
  self: Pick<FluxSelfManagement, "interval">,
  options: HelmReleaseOptions = {},
) {
  const dependsOn = options.dependsOn ?? [];
  return {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: install.releaseName, namespace: install.namespace },
    spec: {
      interval: self.interval,
      releaseName: install.releaseName,
      targetNamespace: install.namespace,
      storageNamespace: install.namespace,
      ...(options.serviceAccountName === undefined ? {} : { serviceAccountName: options.serviceAccountName }),
      ...(dependsOn.length === 0 ? {} : { dependsOn: dependsOn.map((name) => ({ name })) }),
      ...(options.chart ?? helmRepositoryChart(install, self)),
      values: install.values,
    },
  };
}

/** A HelmRelease's chart from the HelmRepository of {@link fluxHelmRepository}, at the install's version. */
function helmRepositoryChart(install: EngineInstall, self: Pick<FluxSelfManagement, "interval">) {
  return {
    chart: {
      spec: {
        chart: install.chart.chart,
        version: install.version,
        sourceRef: { kind: "HelmRepository", name: install.releaseName },
        interval: self.interval,
      },
    },
  };
}

/** The objects as hand-off files (`<kind>-<name>.yaml`), each with the marker line, and the `kustomization.yaml` listing them. */
export function handoffObjectFiles(
  objects: readonly { apiVersion: string; kind: string; metadata: { name: string } }[],
  stack: string,
): HandoffFile[] {
  const file = (object: object, name: string): HandoffFile => ({
    name,
    content: withHandoffMarker(kubernetesYaml(object), stack),
  });
  const files = objects.map((object) =>
    file(object, `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`),
  );
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: files.map((f) => f.name),
  };
  return [file(kustomization, "kustomization.yaml"), ...files];
}

/**
 * The files of Flux's own directory: one HelmRepository and one HelmRelease per install, and the
 * `kustomization.yaml` listing them (the pointer Kustomization applies exactly these).
 */
export function fluxHandoffFiles(
  installs: readonly EngineInstall[],
  self: FluxSelfManagement,
  stack: string,
): HandoffFile[] {
  return handoffObjectFiles(
    installs.flatMap((install) => [fluxHelmRepository(install, self), fluxHelmRelease(install, self)]),
    stack,
  );
}
