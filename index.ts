// gitops-bootstrap: one Pulumi stack per cluster, plus one account stack per AWS account.
// Config errors stop the run before anything is registered.
import * as pulumi from "@pulumi/pulumi";
import { accountProviders, buildAccount, isAccountStackConfig, loadAccountConfig } from "./stacks/account";
import { buildCluster } from "./stacks/cluster";
import { loadStackConfig, loadStackSecrets } from "./stacks/config";

function buildStack(): Record<string, unknown> {
  if (isAccountStackConfig(pulumi.runtime.allConfig())) {
    const settings = loadAccountConfig();
    return { ...buildAccount(settings, accountProviders(settings)) };
  }
  return { ...buildCluster(loadStackConfig(), loadStackSecrets()) };
}

// The stack outputs: the account's (backend URL, secrets provider, role ARNs) or the cluster's
// (engine, namespace, root app, repository URL).
export = buildStack();
