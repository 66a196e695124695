/**
 * What `gitops-bootstrap handoff` writes for a stack: the files through which its engine manages
 * its own install (`<engine>.selfManagement`), built from the same {@link EngineInstall} the
 * stack's Helm release installs (components/argocd, components/flux). A further engine adds its
 * case here, with its own builder; the writer (cli/handoff.ts) is the same for all.
 */
import { argoCdHandoffFiles, argoCdInstall } from "../core/argocd/self-management";
import { fluxOperatorHandoffFiles, fluxOperatorInstalls } from "../core/flux/operator-self-management";
import { fluxHandoffFiles, fluxInstall } from "../core/flux/self-management";
import type { EngineInstall, HandoffFile } from "../core/shared/self-management";
import {
  argoCdSettingsOf,
  hasSecretValue,
  parseStackConfig,
  PROJECT,
  SECRET_KEYS,
  type StackConfig,
} from "./config";

export interface Handoff {
  /** The stack key that switches it on, for messages (`argocd.selfManagement`). */
  key: string;
  /** Directory of the manifest repository the files go into. */
  path: string;
  /** The releases the stack installs, as the engine takes them over. */
  installs: EngineInstall[];
  files: HandoffFile[];
  /** What to do by hand once the files are pushed, if anything (`handoff` prints it). */
  afterPush?: string;
}

/**
 * The hand-off of a validated stack, or undefined when its engine's `selfManagement` is off.
 * `hasOidcClientSecret`: whether the stack sets `argocdOidcClientSecret` (Argo CD's values refer to
 * it), as the program decides it.
 */
export function stackHandoff(
  config: StackConfig,
  stack: string,
  hasOidcClientSecret: boolean,
): Handoff | undefined {
  if (config.engine === "argocd") {
    const settings = argoCdSettingsOf(config, hasOidcClientSecret);
    const self = settings.selfManagement;
    if (self === undefined) return undefined;
    const installs = [argoCdInstall(settings, config.repo, config.charts.argoCd)];
    return {
      key: "argocd.selfManagement",
      path: self.path,
      installs,
      files: argoCdHandoffFiles(installs, stack),
    };
  }
  if (config.engine === "flux-operator") {
    const settings = config.fluxOperator;
    const self = settings.selfManagement;
    if (self === undefined) return undefined;
    const installs = fluxOperatorInstalls(settings, config.repo, {
      operator: config.charts.fluxOperator,
      instance: config.charts.fluxInstance,
    });
    return {
      key: "fluxOperator.selfManagement",
      path: self.path,
      installs: [installs.operator, installs.instance],
      files: fluxOperatorHandoffFiles(installs, settings, self, stack),
      // Nothing Pulumi declares can hold the pointer (docs/engines.md, Hand-off).
      afterPush: `once the directory is pushed, apply its pointer Kustomization once: kubectl apply -f ${self.path}/kustomization-${self.name}.yaml (it then applies its own directory)`,
    };
  }
  if (config.engine !== "flux") return undefined;
  const self = config.flux.selfManagement;
  if (self === undefined) return undefined;
  const installs = [fluxInstall(config.flux, config.charts.flux2)];
  return {
    key: "flux.selfManagement",
    path: self.path,
    installs,
    files: fluxHandoffFiles(installs, self, stack),
  };
}

/**
 * The hand-off of a stack from its raw config (as `readStackFile` reads it): the validated config
 * and its hand-off (undefined when off), or every config error. Whether an OIDC client secret
 * exists is decided as the program decides it (`loadStackSecrets`): set as a secret, and not empty.
 */
export function stackFileHandoff(
  raw: Record<string, string>,
  secretKeys: ReadonlySet<string>,
  stack: string,
  projectDir: string,
): { ok: true; config: StackConfig; handoff: Handoff | undefined } | { ok: false; errors: string[] } {
  const parsed = parseStackConfig(raw, secretKeys, { projectDir });
  if (!parsed.ok) return parsed;
  const hasOidcSecret =
    secretKeys.has(`${PROJECT}:${SECRET_KEYS.argocdOidcClientSecret}`) &&
    hasSecretValue(raw, "argocdOidcClientSecret");
  return { ok: true, config: parsed.config, handoff: stackHandoff(parsed.config, stack, hasOidcSecret) };
}
