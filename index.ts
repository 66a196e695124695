// gitops-bootstrap: one Pulumi stack per cluster, plus one account stack per AWS account.
// Config errors stop the run before anything is registered.
import * as pulumi from "@pulumi/pulumi";
import { accountProviders, buildAccount, isAccountStackConfig, loadAccountConfig } from "./stacks/account";
import { buildCluster } from "./stacks/cluster";
import { loadStackConfig, loadStackSecrets } from "./stacks/load-config";
import { loadProviderKeyProblems } from "./stacks/provider-config";

function buildStack(): Record<string, unknown> {
  // Provider config (`github:token`, `aws:profile`, …) is checked with the stack's own settings.
  const providerProblems = loadProviderKeyProblems();
  if (isAccountStackConfig(pulumi.runtime.allConfig())) {
    const settings = loadAccountConfig(providerProblems);
    return { ...buildAccount(settings, accountProviders(settings)) };
  }
  return { ...buildCluster(loadStackConfig(providerProblems), loadStackSecrets()) };
}

// The stack outputs: the account's (backend URL, secrets provider, role ARNs) or the cluster's
// (engine, namespace, root app, repository URL, and the tailnet policy fragment CI needs).
export = buildStack();
