// gitops-bootstrap: one Pulumi stack per cluster. Config errors stop the run before anything is registered.
import { buildCluster } from "./stacks/cluster";
import { loadStackConfig, loadStackSecrets } from "./stacks/config";

const cluster = buildCluster(loadStackConfig(), loadStackSecrets());

export const engine = cluster.engine;
export const namespace = cluster.namespace;
export const rootApp = cluster.rootApp;
export const repoUrl = cluster.repoUrl;
