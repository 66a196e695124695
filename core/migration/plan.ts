/**
 * From what Terraform knows to what the stacks adopt: the account stack's `aws` settings (names
 * and `adopt` IDs), the cluster stack's `adopt` and naming settings, the release's values and the
 * live root Application for the diffs, and every resource that cannot be adopted, with the reason
 * and what to do instead (`terragrunt state rm`, never `destroy`).
 */
import { parseAllDocuments } from "yaml";
import { isAdministratorPolicy, type StateBucketPart } from "../aws/settings";
import { isMap, type Values } from "../shared/values";
import { SENSITIVE } from "./diff";
import { firstBlock, isSensitive, stringAttribute, type TerraformResource } from "./terraform-state";

/** A setting to write: its path under `config:` of a stack file, its value, and whether it names. */
export interface SettingWrite {
  /** `["gitops-bootstrap:aws", "adopt", "stateBucket"]`. */
  path: string[];
  value: unknown;
  /**
   * A naming key (not under `adopt`) with the stack's default when unset: written only when the
   * default differs, so a file that relies on the default stays as it is.
   */
  default?: unknown;
  /** The Terraform address the value comes from, for messages. */
  from: string;
  /** A list the user may extend: entries already there stay, missing ones are added. */
  union?: boolean;
}

/** A resource `migrate` does not adopt, with why and what to do. */
export interface CannotAdopt {
  address: string;
  file: string;
  reason: string;
  action: string;
}

export interface MigrationPlan {
  account: SettingWrite[];
  cluster: SettingWrite[];
  /** Every adopted Terraform address with the setting and ID it became. */
  adopted: Array<{ address: string; setting: string; id: string }>;
  cannotAdopt: CannotAdopt[];
  /** The argo-cd release as Terraform set it, when the state has one. */
  release?: { namespace: string; name: string; chartVersion?: string; values: Values; valuesNote?: string };
  /** The root Application as Terraform's kubernetes_manifest declared it. */
  liveRoot?: Values;
}

export interface PlanOptions {
  /** Which stacks are written (their modules must be in the state). */
  account: boolean;
  cluster: boolean;
  /** The state bucket's name, when the state holds several buckets. */
  stateBucket?: string;
  /** The CI role's name, when the state holds several roles. */
  deployRole?: string;
  /** The managed policies the account stack keeps on the deploy role (ci.deployPolicyArns). */
  deployPolicyArns: readonly string[];
}

/** A missing module: the inputs are partial. */
export class PartialStateError extends Error {}

const AWS = "gitops-bootstrap:aws";
const ADOPT = "gitops-bootstrap:adopt";
const ARGOCD = "gitops-bootstrap:argocd";

/** The bucket configuration types and the part of `adopt.stateBucketConfiguration` each is. */
const BUCKET_PARTS: Record<string, StateBucketPart> = {
  aws_s3_bucket_ownership_controls: "ownershipControls",
  aws_s3_bucket_public_access_block: "publicAccessBlock",
  aws_s3_bucket_versioning: "versioning",
  aws_s3_bucket_server_side_encryption_configuration: "encryption",
  aws_s3_bucket_lifecycle_configuration: "lifecycle",
  aws_s3_bucket_policy: "policy",
};

const stateRm = (address: string) => `terragrunt state rm '${address}' (in its module; never destroy)`;

/** Splits a Helm `--set` name into its path: dots separate keys, `\.` is a dot inside a key. */
function setPath(name: string): string[] {
  return name.split(/(?<!\\)\./).map((part) => part.replace(/\\\./g, "."));
}

function setAt(values: Values, path: readonly string[], value: unknown): void {
  let node = values;
  path.forEach((key, i) => {
    if (i === path.length - 1) node[key] = value;
    else {
      if (!isMap(node[key])) node[key] = {};
      node = node[key] as Values;
    }
  });
}

/** `theirs` over `ours`, as Helm merges values files (maps key by key); keeps {@link SENSITIVE}. */
function mergeOver(ours: Values, theirs: Values): Values {
  const merged: Values = { ...ours };
  for (const [key, value] of Object.entries(theirs)) {
    const mine = merged[key];
    merged[key] = isMap(mine) && isMap(value) ? mergeOver(mine, value) : value;
  }
  return merged;
}

/**
 * A `set` entry's value as Helm reads it: `type: string` keeps the text; otherwise `--set` typing
 * applies (helm/helm, pkg/strvals/parser.go, typedVal): true, false, null and integers are typed.
 */
function setValue(value: unknown, type: unknown): unknown {
  if (typeof value !== "string" || type === "string") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  if (value === "null") return null;
  if (/^(0|-?[1-9]\d*)$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  return value;
}

/** Every leaf of a tree replaced by {@link SENSITIVE}; keys stay (they are not secret). */
function sensitiveLeaves(node: unknown): unknown {
  if (isMap(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, sensitiveLeaves(v)]));
  return SENSITIVE;
}

/**
 * The values a helm_release set: its `values` YAML documents merged in order, then `set` and
 * `set_sensitive` entries. A value Terraform marks sensitive becomes {@link SENSITIVE}.
 */
export function releaseValues(resource: TerraformResource): { values: Values; note?: string } {
  let values: Values = {};
  let note: string | undefined;
  const documents = Array.isArray(resource.values.values) ? resource.values.values : [];
  documents.forEach((text, i) => {
    if (typeof text !== "string") return;
    const docs = parseAllDocuments(text);
    if (docs.some((d) => d.errors.length > 0)) {
      note = `${resource.address} values[${i}] is not valid YAML: it is left out of the diff`;
      return;
    }
    const parsed = docs[0]?.toJS() as unknown;
    if (!isMap(parsed)) return;
    const secret = isSensitive(resource.sensitiveValues, ["values", i]);
    values = mergeOver(values, (secret ? sensitiveLeaves(parsed) : parsed) as Values);
  });
  for (const key of ["set", "set_sensitive"]) {
    const entries = resource.values[key];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: unknown, i) => {
      if (!isMap(entry) || typeof entry.name !== "string") return;
      const secret = key === "set_sensitive" || isSensitive(resource.sensitiveValues, [key, i, "value"]);
      setAt(values, setPath(entry.name), secret ? SENSITIVE : setValue(entry.value, entry.type));
    });
  }
  return { values, ...(note === undefined ? {} : { note }) };
}

function pick(
  resources: readonly TerraformResource[],
  type: string,
  wanted: string | undefined,
  nameOf: (r: TerraformResource) => string | undefined,
  what: string,
  flag: string,
): TerraformResource | undefined {
  const all = resources.filter((r) => r.type === type);
  if (wanted !== undefined) {
    const found = all.find((r) => nameOf(r) === wanted);
    if (found === undefined) {
      throw new PartialStateError(
        `${flag} ${wanted}: no ${type} of that name in the state files (they hold ${all.map(nameOf).join(", ") || "none"}); fix the name or add the module's state file`,
      );
    }
    return found;
  }
  if (all.length > 1) {
    throw new PartialStateError(
      `the state files hold ${all.length} ${type} (${all.map(nameOf).join(", ")}); say which is the ${what} with ${flag} <name>`,
    );
  }
  return all[0];
}

/** The migration plan of the resources read from every state file. */
export function migrationPlan(resources: readonly TerraformResource[], options: PlanOptions): MigrationPlan {
  const plan: MigrationPlan = { account: [], cluster: [], adopted: [], cannotAdopt: [] };
  const used = new Set<TerraformResource>();
  const adopt = (r: TerraformResource, setting: string, id: string) => {
    used.add(r);
    plan.adopted.push({ address: r.address, setting, id });
  };

  if (options.account) accountPart(resources, options, plan, adopt);
  if (options.cluster) Object.assign(plan, clusterPart(resources, plan, adopt));

  for (const r of resources) {
    if (used.has(r) || plan.cannotAdopt.some((c) => c.address === r.address && c.file === r.file)) continue;
    const accountType = r.type.startsWith("aws_");
    const written = accountType ? options.account : options.cluster;
    plan.cannotAdopt.push({
      address: r.address,
      file: r.file,
      reason: !written
        ? `not migrated now (${accountType ? "--account-stack-file" : "--cluster-stack-file"} not given)`
        : r.type === "aws_dynamodb_table"
          ? "the Terraform S3 backend's lock table: Pulumi's S3 backend locks inside the bucket and needs none"
          : `this program does not manage a ${r.type} (${reasonFor(r.type)})`,
      action: written
        ? `${stateRm(r.address)}; the object stays as it is, outside both tools, until you delete or keep it by hand`
        : "leave it in the Terragrunt state until that stack is migrated",
    });
  }
  return plan;
}

function reasonFor(type: string): string {
  if (type.startsWith("kubernetes_") || type === "helm_release")
    return "apps belong in the manifest repository, which Argo CD syncs";
  return "the account stack makes only the state bucket and key, the GitHub OIDC provider and the CI roles";
}

function accountPart(
  resources: readonly TerraformResource[],
  options: PlanOptions,
  plan: MigrationPlan,
  adopt: (r: TerraformResource, setting: string, id: string) => void,
): void {
  const bucket = pick(
    resources,
    "aws_s3_bucket",
    options.stateBucket,
    (r) => stringAttribute(r, "bucket"),
    "state bucket",
    "--state-bucket",
  );
  const bucketName = bucket === undefined ? undefined : stringAttribute(bucket, "bucket");
  if (bucket === undefined || bucketName === undefined) {
    throw new PartialStateError(
      "no aws_s3_bucket in the state files: the bootstrap module's state (the state bucket, OIDC provider and CI role) is missing; add its file with --state, or leave out --account-stack-file",
    );
  }
  const w = (path: string[], value: unknown, from: string, fallback?: unknown) =>
    plan.account.push({
      path: [AWS, ...path],
      value,
      from,
      ...(fallback === undefined ? {} : { default: fallback }),
    });
  w(["stateBucket", "name"], bucketName, bucket.address);
  w(["adopt", "stateBucket"], bucketName, bucket.address);
  adopt(bucket, "aws.adopt.stateBucket", bucketName);

  const parts: StateBucketPart[] = [];
  let sseKey: string | undefined;
  for (const r of resources) {
    const part = BUCKET_PARTS[r.type];
    if (part === undefined) continue;
    if (stringAttribute(r, "bucket") !== bucketName) {
      plan.cannotAdopt.push({
        address: r.address,
        file: r.file,
        reason: `configures bucket ${stringAttribute(r, "bucket") ?? "?"}, not the state bucket ${bucketName}`,
        action: stateRm(r.address),
      });
      continue;
    }
    parts.push(part);
    adopt(r, `aws.adopt.stateBucketConfiguration: ${part}`, bucketName);
    if (part === "encryption") {
      const rule = firstBlock(r.values.rule);
      const byDefault = firstBlock(rule?.apply_server_side_encryption_by_default);
      const key = byDefault?.kms_master_key_id;
      if (typeof key === "string" && key !== "") sseKey = key;
    }
  }
  if (parts.length > 0) w(["adopt", "stateBucketConfiguration"], [...new Set(parts)].sort(), bucket.address);

  const keys = resources.filter((r) => r.type === "aws_kms_key");
  const stateKey =
    keys.find(
      (k) =>
        sseKey !== undefined && [stringAttribute(k, "arn"), stringAttribute(k, "key_id")].includes(sseKey),
    ) ?? (sseKey === undefined && keys.length === 1 ? keys[0] : undefined);
  const keyId = stateKey === undefined ? undefined : stringAttribute(stateKey, "key_id");
  if (stateKey !== undefined && keyId !== undefined) {
    w(["adopt", "stateKey"], keyId, stateKey.address);
    adopt(stateKey, "aws.adopt.stateKey", keyId);
  }
  for (const k of keys.filter((k) => k !== stateKey)) {
    plan.cannotAdopt.push({
      address: k.address,
      file: k.file,
      reason:
        "a KMS key that does not encrypt the state bucket: the account stack has one key, the state key",
      action: `${stateRm(k.address)}; never schedule its deletion while anything it encrypted is kept`,
    });
  }

  const provider = resources.find(
    (r) =>
      r.type === "aws_iam_openid_connect_provider" &&
      /token\.actions\.githubusercontent\.com$/.test(stringAttribute(r, "url") ?? ""),
  );
  const providerArn = provider === undefined ? undefined : stringAttribute(provider, "arn");
  if (provider !== undefined && providerArn !== undefined) {
    w(["adopt", "oidcProvider"], providerArn, provider.address);
    adopt(provider, "aws.adopt.oidcProvider", providerArn);
  }

  const role = pick(
    resources,
    "aws_iam_role",
    options.deployRole,
    (r) => stringAttribute(r, "name"),
    "CI role",
    "--deploy-role",
  );
  const roleName = role === undefined ? undefined : stringAttribute(role, "name");
  if (role === undefined || roleName === undefined) return;
  w(["ci", "roleNames", "deploy"], roleName, role.address, "gitops-bootstrap-ci-deploy");
  w(["adopt", "deployRole"], roleName, role.address);
  adopt(role, "aws.adopt.deployRole", roleName);

  const attachments: string[] = [];
  for (const r of resources.filter((r) => r.type === "aws_iam_role_policy_attachment")) {
    const arn = stringAttribute(r, "policy_arn") ?? "";
    if (stringAttribute(r, "role") !== roleName) continue;
    if (options.deployPolicyArns.includes(arn)) {
      attachments.push(arn);
      adopt(r, "aws.adopt.deployRolePolicyAttachments", `${roleName}/${arn}`);
    } else {
      plan.cannotAdopt.push({
        address: r.address,
        file: r.file,
        reason: isAdministratorPolicy(arn)
          ? `${arn} is refused for the deploy role (docs/aws.md): the first pulumi up of the account stack detaches it`
          : `${arn} is not in aws.ci.deployPolicyArns: the first pulumi up of the account stack detaches it`,
        action: `${stateRm(r.address)}${isAdministratorPolicy(arn) ? "" : "; to keep it, add it to aws.ci.deployPolicyArns and run migrate again"}`,
      });
    }
  }
  if (attachments.length > 0) w(["adopt", "deployRolePolicyAttachments"], attachments.sort(), role.address);
  for (const r of resources.filter((r) => r.type === "aws_iam_role_policy")) {
    if (stringAttribute(r, "role") !== roleName) continue;
    plan.cannotAdopt.push({
      address: r.address,
      file: r.file,
      reason: `inline policy ${stringAttribute(r, "name") ?? "?"} of the deploy role: the account stack keeps exactly one inline policy, pulumi-state, and the first pulumi up removes any other`,
      action: stateRm(r.address),
    });
  }
}

function clusterPart(
  resources: readonly TerraformResource[],
  plan: MigrationPlan,
  adopt: (r: TerraformResource, setting: string, id: string) => void,
): Pick<MigrationPlan, "release" | "liveRoot"> {
  const releases = resources.filter((r) => r.type === "helm_release");
  const argocd = releases.find((r) => {
    const chart = stringAttribute(r, "chart") ?? "";
    return chart === "argo-cd" || chart.endsWith("/argo-cd");
  });
  if (argocd === undefined) {
    throw new PartialStateError(
      `no helm_release of the argo-cd chart in the state files: the argocd-install module's state is missing${releases.length > 0 ? ` (releases found: ${releases.map((r) => r.address).join(", ")})` : ""}; add its file with --state, or leave out --cluster-stack-file`,
    );
  }
  const namespace = stringAttribute(argocd, "namespace") ?? "default";
  const name = stringAttribute(argocd, "name") ?? "";
  const w = (path: string[], value: unknown, from: string, fallback?: unknown) =>
    plan.cluster.push({ path, value, from, ...(fallback === undefined ? {} : { default: fallback }) });
  w([ARGOCD, "namespace"], namespace, argocd.address, "argocd");
  w([ADOPT, "release"], `${namespace}/${name}`, argocd.address);
  adopt(argocd, "adopt.release", `${namespace}/${name}`);
  const { values, note } = releaseValues(argocd);
  const version = stringAttribute(argocd, "version");
  const release: NonNullable<MigrationPlan["release"]> = {
    namespace,
    name,
    values,
    ...(version === undefined ? {} : { chartVersion: version }),
    ...(note === undefined ? {} : { valuesNote: note }),
  };

  const ns = resources.find(
    (r) => r.type === "kubernetes_namespace" && firstBlock(r.values.metadata)?.name === namespace,
  );
  // The release's namespace exists whether Terraform made it or the release did (create_namespace):
  // either way the stack must import it, not create it.
  w([ADOPT, "namespace"], namespace, ns?.address ?? `${argocd.address} (the namespace it runs in)`);
  if (ns !== undefined) adopt(ns, "adopt.namespace", namespace);

  const manifests = resources.filter((r) => r.type === "kubernetes_manifest");
  const root = manifests.find((r) => {
    const m = r.values.manifest;
    return isMap(m) && m.kind === "Application" && isMap(m.metadata) && m.metadata.namespace === namespace;
  });
  if (root === undefined) {
    throw new PartialStateError(
      `no kubernetes_manifest of an Application in namespace ${namespace} in the state files: the argocd-configure module's state (the root Application) is missing; add its file with --state, or leave out --cluster-stack-file`,
    );
  }
  const manifest = root.values.manifest as Values;
  const rootName = String((manifest.metadata as Values).name);
  const liveRoot = isSensitive(root.sensitiveValues, ["manifest"]) ? undefined : manifest;
  w([ARGOCD, "root", "name"], rootName, root.address, "bootstrap");
  plan.cluster.push({
    path: [ADOPT, "rootObjects"],
    value: [`Application/${rootName}`],
    from: root.address,
    union: true,
  });
  adopt(root, "adopt.rootObjects", `Application/${rootName}`);
  return { release, ...(liveRoot === undefined ? {} : { liveRoot }) };
}
