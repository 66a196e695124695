/**
 * Component-test harness: a fresh Pulumi mock runtime per test that records every registration
 * (with parent, provider, dependsOn and resource options) and throws on any unmocked invoke.
 *
 *   const runtime = await mockRuntime();
 *   new ArgoCd("argocd", args);
 *   await runtime.settle();
 *   const release = findResource(runtime, "kubernetes:helm.sh/v3:Release", "argocd");
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  revealSecrets,
  SecretInput,
  startMockRuntime,
  type MockRuntime,
  type MockRuntimeOptions,
  type Registration,
} from "../../cli/mock-runtime";

export { revealSecrets, SecretInput, type MockRuntime, type Registration };

/** The repository root, where `npm test` runs. */
import { REPO_ROOT } from "./paths";

export { REPO_ROOT };

/** Starts a fresh mock runtime (project gitops-bootstrap, stack test unless given). */
export function mockRuntime(options: Partial<MockRuntimeOptions> = {}): Promise<MockRuntime> {
  return startMockRuntime({ project: "gitops-bootstrap", stack: "test", ...options });
}

/** Every registration of a type. */
export function resourcesOfType(runtime: MockRuntime, type: string): Registration[] {
  return runtime.registrations.filter((r) => r.type === type);
}

/** The one registration with this type and name; fails listing what was registered. */
export function findResource(runtime: MockRuntime, type: string, name: string): Registration {
  const found = runtime.registrations.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    const seen = runtime.registrations.map((r) => `${r.type}::${r.name}`).join("\n  ");
    throw new Error(`expected one ${type}::${name}, found ${found.length}; registered:\n  ${seen}`);
  }
  return found[0] as Registration;
}

/** The value of an Output, awaited (never assert inside `apply`). */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** A Kubernetes provider for tests. */
export function testProvider(name = "k8s"): k8s.Provider {
  return new k8s.Provider(name, { context: "test" });
}

/**
 * Runs `npx gitops-bootstrap <args>` the way a user does: a fresh process running `cli/bin.js`,
 * the compiled code in cli/dist (test/cli/build.test.ts fails when it is stale), in `cwd`, with
 * `env` added to the environment.
 */
export function runCli(
  args: string[],
  cwd = REPO_ROOT,
  env: NodeJS.ProcessEnv = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(REPO_ROOT, "cli", "bin.js"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
}
