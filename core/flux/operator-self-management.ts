/**
 * The Flux Operator managing its own install (`fluxOperator.selfManagement`): the two releases
 * Pulumi installs (flux-operator, flux-instance), and the objects through which Flux takes both
 * over, all from the same {@link EngineInstall}s.
 *
 * As with `flux.selfManagement` (./self-management.ts), helm-controller adopts each Helm release
 * Pulumi installed by upgrading it under the same name and storage namespace. The charts are OCI
 * artifacts, so each HelmRelease reads its chart through an OCIRepository (`chartRef`, with the
 * layer selector helm-controller documents for a Helm chart: fluxcd/helm-controller,
 * docs/spec/v2/helmreleases.md, "OCIRepository reference example"), tagged with the pinned version.
 *
 * The pointer is a Kustomization in the same directory (as `flux bootstrap`'s `flux-system`
 * Kustomization, which applies the directory holding it): the operator's root is the FluxInstance's
 * sync, which kustomize patches can change but not add to, and neither chart renders extra objects,
 * so nothing Pulumi declares can carry it (docs/engines.md, "Hand-off"). It is applied once by hand.
 */
import {
  FLUX_OPERATOR_RELEASE,
  FLUX_INSTANCE_RELEASE,
  fluxInstanceValues,
  fluxOperatorValues,
} from "./operator";
import type { FluxOperatorSettings } from "./operator";
import { handoffPointerKustomization, type FluxSelfManagement } from "./flux";
import { fluxHelmRelease, handoffObjectFiles } from "./self-management";
import type { ManifestRepo } from "../repository/repository";
import type { EngineInstall, HandoffFile } from "../shared/self-management";
import { CHARTS } from "../shared/versions";
import { HELM_CHART_LAYER } from "./oci";

/** The flux-operator and flux-instance releases as Pulumi installs them, in install order. */
export function fluxOperatorInstalls(
  settings: FluxOperatorSettings,
  repo: ManifestRepo,
  versions: { operator: string; instance: string },
): { operator: EngineInstall; instance: EngineInstall } {
  return {
    operator: {
      releaseName: FLUX_OPERATOR_RELEASE,
      chart: { chart: CHARTS.fluxOperator.chart, repo: CHARTS.fluxOperator.repo },
      version: versions.operator,
      namespace: settings.namespace,
      values: fluxOperatorValues(settings),
    },
    instance: {
      releaseName: FLUX_INSTANCE_RELEASE,
      chart: { chart: CHARTS.fluxInstance.chart, repo: CHARTS.fluxInstance.repo },
      version: versions.instance,
      namespace: settings.namespace,
      values: fluxInstanceValues(settings, repo),
    },
  };
}

/** The OCIRepository of an install's chart at its exact version (named after the release). */
export function fluxOciRepository(install: EngineInstall, self: Pick<FluxSelfManagement, "interval">) {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "OCIRepository",
    metadata: { name: install.releaseName, namespace: install.namespace },
    spec: {
      interval: self.interval,
      url: `${install.chart.repo}/${install.chart.chart}`,
      ref: { tag: install.version },
      layerSelector: { mediaType: HELM_CHART_LAYER, operation: "copy" },
    },
  };
}

/**
 * The ServiceAccounts the hand-off's objects run as on a multitenant instance, whose controllers
 * default to `cluster.tenantDefaultServiceAccount` (no rights) for an object naming none: the
 * controllers' own, as the operator sets `kustomize-controller` on its sync Kustomization
 * (controlplaneio-fluxcd/flux-operator, internal/builder/profiles.go, profileClusterMultitenant).
 * Undefined otherwise: the controllers then act as themselves anyway.
 */
export function handoffServiceAccounts(settings: Pick<FluxOperatorSettings, "cluster">) {
  return settings.cluster.multitenant
    ? { kustomization: "kustomize-controller", helmRelease: "helm-controller" }
    : undefined;
}

/** The HelmRelease taking over an install, its chart from {@link fluxOciRepository}. */
export function fluxOciHelmRelease(
  install: EngineInstall,
  self: Pick<FluxSelfManagement, "interval">,
  options: { dependsOn?: readonly string[]; serviceAccountName?: string | undefined } = {},
) {
  return fluxHelmRelease(install, self, {
    chart: { chartRef: { kind: "OCIRepository", name: install.releaseName } },
    ...(options.dependsOn === undefined ? {} : { dependsOn: options.dependsOn }),
    ...(options.serviceAccountName === undefined ? {} : { serviceAccountName: options.serviceAccountName }),
  });
}

/**
 * The pointer: the Kustomization applying `self.path` (this very file among them) from the
 * instance's root GitRepository. No pruning, and orphaned on deletion, as the flux engine's: a
 * deleted HelmRelease would uninstall the operator or Flux.
 */
export function fluxOperatorSelfKustomization(settings: FluxOperatorSettings, self: FluxSelfManagement) {
  const serviceAccountName = handoffServiceAccounts(settings)?.kustomization;
  return handoffPointerKustomization(
    {
      namespace: settings.namespace,
      root: settings.root,
      sourceName: settings.sync.name,
      ...(serviceAccountName === undefined ? {} : { serviceAccountName }),
    },
    self,
  );
}

/**
 * The files of the operator's own directory: the pointer Kustomization, an OCIRepository and a
 * HelmRelease per release (the instance's after the operator's: it needs the FluxInstance CRD),
 * and the `kustomization.yaml` listing them.
 */
export function fluxOperatorHandoffFiles(
  installs: { operator: EngineInstall; instance: EngineInstall },
  settings: FluxOperatorSettings,
  self: FluxSelfManagement,
  stack: string,
): HandoffFile[] {
  const { operator, instance } = installs;
  const serviceAccountName = handoffServiceAccounts(settings)?.helmRelease;
  return handoffObjectFiles(
    [
      fluxOperatorSelfKustomization(settings, self),
      fluxOciRepository(operator, self),
      fluxOciHelmRelease(operator, self, { serviceAccountName }),
      fluxOciRepository(instance, self),
      fluxOciHelmRelease(instance, self, { dependsOn: [operator.releaseName], serviceAccountName }),
    ],
    stack,
  );
}
