/**
 * Hub and spoke in a cluster stack (docs/hub-and-spoke.md): `hub.spoke` makes the identity a hub's
 * Argo CD uses here and exports what the hub needs; `hub.spokes` registers spoke stacks with this
 * stack's Argo CD.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HubClusters, SpokeIdentity } from "../components/argocd/hub";
import {
  accountIdOfArn,
  spokeRegistration,
  spokeServer,
  spokeTailscalePolicy,
  type SpokeCredentials,
  type SpokeRegistration,
} from "../core/argocd/hub";
import type { PolicyFragment } from "../core/tailscale/ci-access";
import { rfc1123LabelProblem } from "../core/shared/names";
import { formatConfigErrors, type StackConfig } from "./config";

/** The stack outputs of a spoke, for its hub (names from core/argocd/hub.ts SPOKE_OUTPUTS). */
export interface SpokeOutputs {
  /** Who the spoke is and where its API server is, with its labels and annotations: in the clear. */
  hubSpoke: pulumi.Output<SpokeRegistration>;
  /** access: token: the bearer token and CA, a secret. */
  hubSpokeCredentials?: pulumi.Output<SpokeCredentials>;
  /** access: tailscale: the fragment to merge into the tailnet policy file for the hub's tags. */
  hubTailscalePolicy?: PolicyFragment;
}

/**
 * The spoke part, when `hub.spoke` is set. `aws` is the account stack's outputs when the spoke
 * names one: its region and account become GitOps Bridge's aws_region and aws_account_id.
 */
export function buildSpoke(
  config: StackConfig,
  provider: k8s.Provider,
  aws: { region: pulumi.Input<string>; deployRoleArn: pulumi.Input<string> } | undefined,
): SpokeOutputs | undefined {
  const spoke = config.hub.spoke;
  if (spoke === undefined) return undefined;
  const name = spoke.name ?? pulumi.getStack();
  const nameProblem = rfc1123LabelProblem(name);
  if (spoke.name === undefined && nameProblem !== undefined) {
    throw new pulumi.RunError(
      formatConfigErrors(pulumi.getStack(), [
        `gitops-bootstrap:hub.spoke.name: defaults to the stack name ${JSON.stringify(name)}, which ${nameProblem}; set hub.spoke.name`,
      ]),
    );
  }
  // Config validation (hubProblems) guarantees a server.
  const server = spokeServer(spoke, config.kubernetes.tailscaleHost) ?? "";
  const identity = new SpokeIdentity("hub-spoke", { provider, settings: spoke });
  const awsFacts =
    aws === undefined
      ? pulumi.output({})
      : pulumi.all([aws.region, aws.deployRoleArn]).apply(([region, arn]) => {
          const accountId = accountIdOfArn(arn);
          return { region, ...(accountId === undefined ? {} : { accountId }) };
        });
  return {
    hubSpoke: awsFacts.apply((facts) => spokeRegistration(spoke, name, server, facts)),
    ...(identity.credentials === undefined ? {} : { hubSpokeCredentials: identity.credentials }),
    ...(spoke.access === "tailscale"
      ? { hubTailscalePolicy: spokeTailscalePolicy(spoke, config.tailscale) }
      : {}),
  };
}

/** The hub part, when `hub.spokes` lists any (engine argocd: config validation checks it). */
export function buildHub(
  config: StackConfig,
  provider: k8s.Provider,
  namespace: pulumi.Output<string>,
): HubClusters | undefined {
  if (config.hub.spokes.length === 0) return undefined;
  const { addonsRepo } = config.hub;
  return new HubClusters("hub", {
    provider,
    spokes: config.hub.spokes,
    addonsRepo: {
      url: addonsRepo.url ?? config.repo.url,
      basepath: addonsRepo.basepath,
      path: addonsRepo.path ?? config.repo.path,
      revision: addonsRepo.revision ?? config.repo.revision,
    },
    namespace,
  });
}
