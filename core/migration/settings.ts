/**
 * `gitops-bootstrap:adopt` of a cluster stack: what the Terragrunt layer made in the cluster and
 * the stack takes over instead of creating (issue 13). `gitops-bootstrap migrate` writes it from
 * the Terragrunt state.
 *
 * - `namespace`: the engine's Namespace, imported by the Namespace resource (`import`: its name).
 * - `release`: the engine's Helm release, imported as `<namespace>/<release name>`.
 * - `rootObjects`: the objects the root chart renders that already exist (the Terragrunt root
 *   Application). Helm, not Pulumi, takes these over: an install adopts an existing object only
 *   when it carries the label `app.kubernetes.io/managed-by: Helm` and the annotations
 *   `meta.helm.sh/release-name`/`meta.helm.sh/release-namespace` of the release (helm/helm,
 *   pkg/action/validate.go, existingResourceConflict; Helm 3.2 and later). The key is checked
 *   against what the chart renders, and `migrate` and `pulumi preview` print the kubectl commands.
 *
 * Names never come from here: every ID must equal the name the stack uses anyway, so removing
 * `adopt` after the first `pulumi up` renames, and so replaces, nothing.
 */
import { z } from "zod";
import { ARGOCD_RELEASE_NAME, argoCdRootObjects, type ArgoCdSettings } from "../argocd/argocd";
import type { ManifestRepo } from "../repository/repository";
import type { ValuesProblem } from "../shared/values";
import { ROOT_CHART } from "../shared/versions";

/** The fully qualified config key. */
export const CLUSTER_ADOPT_KEY = "gitops-bootstrap:adopt";

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const OBJECT = /^[A-Z][A-Za-z0-9]*\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;

export const clusterAdoptSettingsSchema = z
  .object({
    namespace: z
      .string({ error: "must be a string" })
      .regex(NAME, { error: "must be the engine's namespace name, such as argocd" })
      .optional(),
    release: z
      .string({ error: "must be a string" })
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, {
        error: "must be <namespace>/<release name>, such as argocd/argocd (helm list -A)",
      })
      .optional(),
    rootObjects: z
      .array(
        z.string({ error: "must be a string" }).regex(OBJECT, {
          error: "must be <Kind>/<name>, such as Application/bootstrap",
        }),
        { error: "must be a list such as [Application/bootstrap]" },
      )
      .optional(),
  })
  .strict();

export type ClusterAdopt = z.output<typeof clusterAdoptSettingsSchema>;

/** `<Kind>/<name>` of every object the Argo CD root chart renders. */
export function argoCdRootObjectNames(settings: ArgoCdSettings, repo: ManifestRepo): string[] {
  return argoCdRootObjects(settings, repo).map((o) => `${o.kind}/${o.metadata.name}`);
}

/**
 * What is wrong with `adopt` for this stack: an ID that differs from the name the stack uses
 * (naming both keys and the fix), a release the stack does not declare, a root object the chart
 * does not render. `argocd` is undefined for another engine.
 */
export function clusterAdoptProblems(
  adopt: ClusterAdopt | undefined,
  engine: string,
  argocd: ArgoCdSettings | undefined,
  repo: ManifestRepo,
): ValuesProblem[] {
  if (adopt === undefined) return [];
  if (argocd === undefined || engine !== "argocd") {
    return [
      {
        key: "adopt",
        message: `is set but engine is ${engine}: adopting the Terragrunt layer's resources is built for engine argocd (its argocd-install and argocd-configure modules); remove adopt and import by hand (docs/migrating-from-terragrunt.md)`,
      },
    ];
  }
  const problems: ValuesProblem[] = [];
  if (adopt.namespace !== undefined && adopt.namespace !== argocd.namespace) {
    problems.push({
      key: "adopt.namespace",
      message: `is ${adopt.namespace} but argocd.namespace is ${argocd.namespace}: importing one namespace under another name would replace it; set argocd.namespace: ${adopt.namespace} (the name stays when adopt is removed after the import)`,
    });
  }
  const ours = `${argocd.namespace}/${ARGOCD_RELEASE_NAME}`;
  if (adopt.release !== undefined) {
    const [namespace] = adopt.release.split("/");
    if (adopt.release !== ours) {
      problems.push({
        key: "adopt.release",
        message:
          namespace !== argocd.namespace
            ? `is ${adopt.release} but the stack installs release ${ours} (argocd.namespace is ${argocd.namespace}): set argocd.namespace: ${namespace ?? ""}`
            : `is ${adopt.release} but the stack installs the release as ${ours}: Helm cannot rename a release, so it cannot be adopted; remove adopt.release (a second Argo CD would then be installed beside it, so migrate only a release named ${ARGOCD_RELEASE_NAME})`,
      });
    }
    const self = argocd.selfManagement;
    if (self?.releaseOwner === "engine") {
      problems.push({
        key: "adopt.release",
        message:
          "is set but argocd.selfManagement.releaseOwner is engine: the stack declares no release to import it into; remove adopt.release, or set releaseOwner: pulumi",
      });
    } else if (self?.importRelease === true) {
      problems.push({
        key: "adopt.release",
        message:
          "is set together with argocd.selfManagement.importRelease, which imports the same release: remove one of them",
      });
    }
  }
  const rendered = argoCdRootObjectNames(argocd, repo);
  (adopt.rootObjects ?? []).forEach((object, i) => {
    if (!rendered.includes(object)) {
      problems.push({
        key: `adopt.rootObjects.${i}`,
        message: `is ${object}, which the root chart does not render (it renders ${rendered.join(", ")}): fix the name, or set argocd.root.name so the root chart renders it`,
      });
    }
  });
  return problems;
}

/**
 * The kubectl commands that let the root chart's Helm install take over the existing root objects
 * (`rootObjects`) instead of failing on them: the ownership label and the two annotations Helm
 * checks. The objects themselves are not changed otherwise; Helm then updates them to the chart's.
 */
export function helmOwnershipCommands(
  objects: readonly string[],
  namespace: string,
  releaseName: string,
): string[] {
  return objects.flatMap((object) => {
    const [kind = "", name = ""] = object.split("/");
    const ref = `${kind.toLowerCase()}.argoproj.io/${name}`;
    return [
      `kubectl -n ${namespace} label ${ref} app.kubernetes.io/managed-by=Helm`,
      `kubectl -n ${namespace} annotate ${ref} meta.helm.sh/release-name=${releaseName} meta.helm.sh/release-namespace=${namespace}`,
    ];
  });
}

/** The command that removes the resources finalizer from the old root Application (no cascade). */
export function finalizerRemovalCommand(namespace: string, name: string): string {
  return `kubectl -n ${namespace} patch application.argoproj.io/${name} --type json -p '[{"op":"remove","path":"/metadata/finalizers"}]'`;
}

/**
 * What `pulumi preview` says about `rootObjects`: Helm takes them over only with its ownership
 * metadata, which nothing in the stack can add before the install; the commands add it.
 */
export function rootAdoptionNote(objects: readonly string[], namespace: string): string {
  return [
    `adopt.rootObjects: the root chart's Helm install takes over ${objects.join(", ")} only if each carries Helm's ownership label and annotations (else it fails and changes nothing). Before pulumi up, run:`,
    ...helmOwnershipCommands(objects, namespace, ROOT_CHART.name).map((c) => `  ${c}`),
  ].join("\n");
}
