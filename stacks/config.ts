/**
 * The stack config schema: everything a cluster stack reads from `Pulumi.<stack>.yaml`.
 *
 * `parseStackConfig` is pure (raw config strings in, a typed config or every error out) so the
 * malformed-config tests need no Pulumi runtime, and the offline commands load no Pulumi SDK;
 * `loadStackConfig` (stacks/load-config.ts) reads the running stack's config with Pulumi.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { argoCdValuesProblems, type ArgoCdSettings } from "../core/argocd/argocd";
import { argoCdSelfManagementProblems } from "../core/argocd/self-management";
import { argoCdSettingsSchema } from "../core/argocd/settings";
import { hubProblems } from "../core/argocd/hub";
import { hubSettingsSchema } from "../core/argocd/hub-settings";
import { clusterAwsSettingsSchema } from "../core/aws/settings";
import { bootstrapTarget, CatalogError, parseCatalog, type CatalogDocument } from "../core/catalog/catalog";
import { fluxValuesProblems } from "../core/flux/flux";
import {
  fluxOperatorRepoProblems,
  fluxOperatorSelfManagementProblems,
  fluxOperatorValuesProblems,
} from "../core/flux/operator";
import { fluxOperatorSettingsSchema } from "../core/flux/operator-settings";
import { fluxSettingsSchema } from "../core/flux/settings";
import { repoUrlProblem } from "../core/github/github";
import { githubSettingsSchema } from "../core/github/settings";
import { repositorySettingsSchema } from "../core/repository/settings";
import { readTextFile } from "../core/shared/files";
import { shortenQuoted, unknownKeyMessage } from "../core/shared/messages";
import { HOSTNAME } from "../core/shared/names";
import { releaseOwnerProblems, selfManagementPathProblem } from "../core/shared/self-management";
import { knownKeys, plainIssueText } from "../core/shared/schema";
import { isMap, unknownValueKeys } from "../core/shared/values";
import { chartKeys, chartsSettingsSchema, type ChartKey } from "../core/shared/versions";
import { tailscaleSettingsSchema } from "../core/tailscale/settings";
import {
  homeContext,
  homeSchema,
  pulumiCloudProblems,
  pulumiCloudSettingsSchema,
} from "../core/cloud/settings";
import { clusterAdoptProblems, clusterAdoptSettingsSchema } from "../core/migration/settings";
import { SECRETS_SECRET_KEYS, secretsProblems } from "../core/secrets/problems";
import { secretsSettingsSchema } from "../core/secrets/settings";

/** The Pulumi project name: the namespace of every config key. */
export const PROJECT = "gitops-bootstrap";

/**
 * Argo CD settings as the pure builders take them: the stack's `argocd`, with whether an OIDC client
 * secret exists (Argo CD's oidc.config refers to it). One function for the program, the config
 * check and `handoff`, so the values all three compute are the same.
 */
export function argoCdSettingsOf(
  config: Pick<StackConfig, "argocd">,
  hasClientSecret: boolean,
): ArgoCdSettings {
  const { oidc, ...rest } = config.argocd;
  return oidc === undefined ? rest : { ...rest, oidc: { ...oidc, hasClientSecret } };
}

/** Config keys that hold secrets: set with `pulumi config set --secret`, read with `requireSecret`. */
export const SECRET_KEYS = {
  /** Private half of the read-only deploy key the engine reads the manifest repo with. */
  repoSshPrivateKey: "repoSshPrivateKey",
  /** Token the engine reads an https manifest repository with (instead of a deploy key). */
  repoToken: "repoToken",
  /** OIDC client secret for Argo CD SSO (omit for a public client with PKCE). */
  argocdOidcClientSecret: "argocdOidcClientSecret",
  // The secret-zero part's keys (core/secrets/problems.ts).
  ...SECRETS_SECRET_KEYS,
} as const;

const fq = (key: string) => `${PROJECT}:${key}`;

/**
 * Whether a secret key holds a value. Pulumi injects Pulumi.yaml's empty default into every stack,
 * and `config.getSecret` wraps that "" as a secret like any other value: so unset, the empty
 * default and an empty (or blank) secret all mean "none". `raw` is Pulumi's config with secrets
 * decrypted; only the value's emptiness is looked at, never printed.
 */
export function hasSecretValue(
  raw: Readonly<Record<string, string>>,
  name: keyof typeof SECRET_KEYS,
): boolean {
  return (raw[fq(SECRET_KEYS[name])] ?? "").trim() !== "";
}

// ---- sections ------------------------------------------------------------------------------

const kubernetesSchema = z
  .object({
    /** kubeconfig context; defaults to the kubeconfig's current context. */
    context: z
      .string()
      .min(1, { error: "must not be empty; remove it to use the current context" })
      .optional(),
    /** Path to a kubeconfig file; defaults to $KUBECONFIG or ~/.kube/config. */
    kubeconfig: z.string().min(1, { error: "must not be empty; remove it to use $KUBECONFIG" }).optional(),
    /**
     * MagicDNS name of the Tailscale operator's API server proxy. `tailscale configure kubeconfig
     * <name>` makes a context of that name, which the provider then uses, on a laptop and in CI.
     */
    tailscaleHost: z
      .string()
      .regex(HOSTNAME, { error: "must be the proxy's MagicDNS name, such as k8s-prod.tail1234.ts.net" })
      .refine((host) => host.includes("."), {
        error:
          "must be the full MagicDNS name (such as k8s-prod.tail1234.ts.net): it names the kubeconfig context",
      })
      .optional(),
  })
  .strict()
  .superRefine((kubernetes, ctx) => {
    if (kubernetes.tailscaleHost !== undefined && kubernetes.context !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["context"],
        message:
          "is set together with kubernetes.tailscaleHost, whose kubeconfig context is the host's name; remove one of them",
      });
    }
  });

/** The engines a cluster stack can install. */
export const ENGINE_NAMES = ["argocd", "flux", "flux-operator"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Each engine's settings section, and the charts it installs (keys of `charts`). */
const ENGINE_PARTS: Readonly<Record<EngineName, { section: string; charts: readonly ChartKey[] }>> = {
  argocd: { section: "argocd", charts: ["argoCd"] },
  flux: { section: "flux", charts: ["flux2"] },
  "flux-operator": { section: "fluxOperator", charts: ["fluxOperator", "fluxInstance"] },
};

/** The stack key holding an engine's settings (`fluxOperator` for `flux-operator`). */
export function engineSection(engine: EngineName): string {
  return ENGINE_PARTS[engine].section;
}

const stackSchema = z
  .object({
    stackKind: z
      .literal("cluster", {
        error: 'must be "cluster" here (the account stack has its own file with stackKind: account)',
      })
      .default("cluster"),
    engine: z.enum(ENGINE_NAMES, { error: 'must be "argocd", "flux" or "flux-operator"' }),
    kubernetes: kubernetesSchema.prefault({}),
    repo: repositorySettingsSchema,
    charts: chartsSettingsSchema.prefault({}),
    argocd: argoCdSettingsSchema.prefault({}),
    flux: fluxSettingsSchema.prefault({}),
    fluxOperator: fluxOperatorSettingsSchema.prefault({}),
    aws: clusterAwsSettingsSchema.prefault({}),
    github: githubSettingsSchema.prefault({ enabled: false }),
    tailscale: tailscaleSettingsSchema.prefault({ enabled: false }),
    // Hub and spoke (docs/hub-and-spoke.md).
    hub: hubSettingsSchema.prefault({}),
    // Where the stack lives (docs/pulumi-cloud.md): s3 unless set; pulumiCloud only with pulumi-cloud.
    home: homeSchema,
    pulumiCloud: pulumiCloudSettingsSchema.prefault({}),
    // Issue 13: what the stack takes over from the Terragrunt layer (core/migration/settings.ts).
    adopt: clusterAdoptSettingsSchema.optional(),
    secrets: secretsSettingsSchema.prefault({}),
  })
  .strict();

/** The validated settings of one cluster stack (secrets excluded: read them with `requireSecret`). */
export type StackConfig = z.output<typeof stackSchema>;

/** Top-level keys of the schema, i.e. every `gitops-bootstrap:*` key a stack may set. */
export const CONFIG_KEYS: readonly string[] = [
  ...Object.keys(stackSchema.shape),
  ...Object.values(SECRET_KEYS),
];

// ---- parsing -------------------------------------------------------------------------------

export type ParseResult = { ok: true; config: StackConfig } | { ok: false; errors: string[] };

/**
 * Whether a raw config value means "not set": Pulumi.yaml gives every key an empty default (`""` or
 * `{}`) because Pulumi demands a value for every declared key without one, in every stack.
 */
export function isUnsetConfigValue(raw: string): boolean {
  return raw === "" || raw === "{}";
}

/** Pulumi hands config values over as strings; objects, arrays and booleans arrive as JSON. */
export function decodeValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function issueMessages(issue: z.core.$ZodIssue): Array<{ path: string; message: string }> {
  const at = (path: readonly PropertyKey[]) => path.map(String).join(".");
  if (issue.code === "unrecognized_keys" && at(issue.path) === "aws") {
    return issue.keys.map((key) => ({
      path: at([...issue.path, key]),
      message: `belongs to the account stack (Pulumi.account.yaml, stackKind: account), which owns the state bucket and CI roles; a cluster stack only names it with aws.accountStack`,
    }));
  }
  if (issue.code === "unrecognized_keys") {
    const known = knownKeys(stackSchema, issue.path);
    return issue.keys.map((key) => ({
      path: at([...issue.path, key]),
      message: unknownKeyMessage(key, known),
    }));
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    const message = /is required/.test(issue.message)
      ? issue.message.replace(/^.*?is required/, "is required")
      : "is required";
    return [{ path: at(issue.path), message }];
  }
  return [{ path: at(issue.path), message: issue.message }];
}

export interface ParseOptions {
  /** Directory `repo.catalog` is relative to. Defaults to the current directory (where `pulumi up` runs). */
  projectDir?: string;
  /** Reads and parses a catalog file. Defaults to reading it from disk. */
  readCatalog?: (file: string) => CatalogDocument;
}

/**
 * Validates raw stack config (keys fully qualified, values as Pulumi passes them) and reports
 * every problem at once, each naming its key and the fix. Keys outside the project are ignored.
 */
export function parseStackConfig(
  raw: Record<string, string>,
  secretKeys: ReadonlySet<string>,
  options: ParseOptions = {},
): ParseResult {
  const errors: string[] = [];
  const input: Record<string, unknown> = {};
  const secretNames = new Set<string>(Object.values(SECRET_KEYS));

  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith(`${PROJECT}:`)) continue;
    const name = key.slice(PROJECT.length + 1);
    if (CONFIG_KEYS.includes(name) && isUnsetConfigValue(value) && !secretKeys.has(key)) continue;
    if (secretNames.has(name)) {
      // An empty secret means none (hasSecretValue); only a real value kept in clear is refused.
      if (!secretKeys.has(key) && value.trim() !== "") {
        errors.push(
          `${key}: is stored in plain text; remove it with \`pulumi config rm ${name}\` and set it again with \`pulumi config set --secret ${name} < file\``,
        );
      }
      continue;
    }
    input[name] = decodeValue(value);
  }

  // Checked on the raw input, so it is reported even when other keys fail to parse.
  const githubOn = [true, "true"].includes(
    (input.github as { enabled?: unknown } | undefined)?.enabled as never,
  );
  const hasSecret = (name: keyof typeof SECRET_KEYS) =>
    secretKeys.has(fq(SECRET_KEYS[name])) && hasSecretValue(raw, name);
  const repoUrl = (input.repo as { url?: unknown } | undefined)?.url;
  const https = typeof repoUrl === "string" && repoUrl.startsWith("https://");
  errors.push(
    ...(https
      ? tokenProblems(githubOn, hasSecret("repoSshPrivateKey"), hasSecret("repoToken"))
      : deployKeyProblems(githubOn, hasSecret("repoSshPrivateKey"), hasSecret("repoToken"))),
  );

  // Misspelt chart values keys, from the raw input: reported even when other keys fail to parse.
  for (const [section, chart] of [
    ["argocd", "argoCd"],
    ["flux", "flux2"],
    ["fluxOperator.operator", "fluxOperator"],
    ["fluxOperator.instance", "fluxInstance"],
  ] as const) {
    const part = section
      .split(".")
      .reduce<unknown>((node, key) => (isMap(node) ? node[key] : undefined), input);
    const values = isMap(part) ? part.values : undefined;
    if (isMap(values)) {
      for (const message of unknownValueKeys(values, chartKeys(chart)))
        errors.push(`${fq(`${section}.values`)}: ${message}`);
    }
  }

  // The secret-zero part against the engine and its secret keys: checked on its own section, so
  // it is reported even when other keys fail to parse.
  const secrets = secretsSettingsSchema.safeParse(input.secrets ?? {});
  if (secrets.success) {
    const accountStack = (input.aws as { accountStack?: unknown } | undefined)?.accountStack;
    for (const problem of secretsProblems(secrets.data, {
      engine: String(input.engine),
      hasAccountStack: accountStack !== undefined,
      has: hasSecret,
      ...(hasSecret("sopsAgeKey") ? { sopsAgeKey: raw[fq(SECRET_KEYS.sopsAgeKey)] } : {}),
    }))
      errors.push(`${fq(problem.key)}: ${problem.message}`);
  }

  const result = stackSchema.safeParse(input, { reportInput: true, error: plainIssueText });
  if (!result.success) {
    for (const issue of result.error.issues) {
      for (const { path, message } of issueMessages(issue)) errors.push(`${fq(path)}: ${message}`);
    }
  }

  if (result.success) {
    const config = result.data;
    for (const [engine, { section }] of Object.entries(ENGINE_PARTS)) {
      if (engine === config.engine || input[section] === undefined) continue;
      errors.push(
        `${fq(section)}: is set but ${fq("engine")} is ${config.engine}; remove the ${section} section or set engine to ${engine}`,
      );
    }
    if (config.github.enabled) {
      const why = repoUrlProblem(config.repo.url, config.github.owner, config.github.manifestRepository.name);
      if (why !== undefined) errors.push(`${fq("repo.url")}: ${why}`);
    }
    if (
      config.engine !== "argocd" &&
      /^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$/.test(config.repo.revision)
    ) {
      errors.push(
        `${fq("repo.revision")}: ${config.repo.revision} looks like a tag, but Flux reads a bare name as a branch; write refs/tags/${config.repo.revision} (or refs/heads/${config.repo.revision} if it really is a branch)`,
      );
    }
    if (hasSecret("argocdOidcClientSecret") && config.argocd.oidc === undefined) {
      errors.push(
        `${fq(SECRET_KEYS.argocdOidcClientSecret)}: is set but ${fq("argocd.oidc")} is not; configure OIDC or remove the secret`,
      );
    }
    // The engine's raw chart values: keys the pinned chart has, none that a typed setting writes.
    const argocd = argoCdSettingsOf(config, hasSecret("argocdOidcClientSecret"));
    const valuesProblems =
      config.engine === "argocd"
        ? [
            ...argoCdValuesProblems(argocd, config.repo, chartKeys("argoCd")),
            ...argoCdSelfManagementProblems(argocd, config.repo),
          ]
        : config.engine === "flux"
          ? fluxValuesProblems(config.flux, chartKeys("flux2"))
          : [
              ...fluxOperatorRepoProblems(config.repo),
              ...fluxOperatorValuesProblems(config.fluxOperator, config.repo, {
                operator: chartKeys("fluxOperator"),
                instance: chartKeys("fluxInstance"),
              }),
            ];
    for (const problem of valuesProblems) errors.push(`${fq(problem.key)}: ${problem.message}`);
    // importRelease adopts a release the stack declares (releaseOwner: pulumi).
    for (const problem of config.engine === "argocd"
      ? releaseOwnerProblems(config.argocd.selfManagement, "argocd")
      : config.engine === "flux"
        ? releaseOwnerProblems(config.flux.selfManagement, "flux")
        : [
            ...releaseOwnerProblems(config.fluxOperator.selfManagement, "fluxOperator"),
            ...fluxOperatorSelfManagementProblems(config.fluxOperator),
          ])
      errors.push(`${fq(problem.key)}: ${problem.message}`);
    for (const problem of clusterAdoptProblems(
      config.adopt,
      config.engine,
      config.engine === "argocd" ? argocd : undefined,
      config.repo,
    ))
      errors.push(`${fq(problem.key)}: ${problem.message}`);
    errors.push(...otherEngineCharts(config, input), ...ciFileProblems(config, options));
    for (const problem of hubProblems(config)) errors.push(`${fq(problem.key)}: ${problem.message}`);
    for (const problem of pulumiCloudProblems(homeContext(config, input.pulumiCloud !== undefined)))
      errors.push(`${fq(problem.key)}: ${problem.message}`);
    errors.push(...secretsNamespaceProblems(config));

    const withCatalog = rootPathFromCatalog(config, options);
    if (Array.isArray(withCatalog)) errors.push(...withCatalog);
    else {
      // The root's directory is known only now (the catalog's output, with repo.catalog).
      const self =
        config.engine === "argocd"
          ? config.argocd.selfManagement
          : config.engine === "flux"
            ? config.flux.selfManagement
            : config.fluxOperator.selfManagement;
      const overlap =
        self === undefined ? undefined : selfManagementPathProblem(self.path, withCatalog.repo.path);
      const section = engineSection(config.engine);
      if (overlap !== undefined) errors.push(`${fq(`${section}.selfManagement.path`)}: ${overlap}`);
      if (errors.length === 0) return { ok: true, config: withCatalog };
    }
  }
  return { ok: false, errors: [...new Set(errors.map(shortenQuoted))].sort() };
}

/**
 * The store's Secrets go into a Namespace the secret-zero part makes: never the engine's own,
 * which the engine's component makes (two owners of one Namespace fail on the first up).
 */
function secretsNamespaceProblems(config: StackConfig): string[] {
  const store = config.secrets.externalSecrets;
  if (store === undefined) return [];
  const section = engineSection(config.engine);
  const engineNamespace = (config[section as "argocd" | "flux" | "fluxOperator"] as { namespace: string })
    .namespace;
  const keys: Array<[string, string | undefined]> = [
    ["secrets.externalSecrets.namespace", store.namespace],
    [
      "secrets.externalSecrets.connectNamespace",
      store.provider === "onepassword" ? store.connectNamespace : undefined,
    ],
  ];
  return keys
    .filter(([, namespace]) => namespace === engineNamespace)
    .map(
      ([key]) =>
        `${fq(key)}: is ${engineNamespace}, the engine's namespace (${section}.namespace), which the engine's part makes; use a namespace of its own, such as external-secrets`,
    );
}

/** A chart version for an engine the stack does not run would be ignored: say so instead. */
function otherEngineCharts(config: StackConfig, input: Record<string, unknown>): string[] {
  const charts = input.charts as Record<string, unknown> | undefined;
  if (charts === null || typeof charts !== "object") return [];
  const used = ENGINE_PARTS[config.engine].charts;
  const installs =
    used.length === 1
      ? `the ${used[0]} chart (charts.${used[0]})`
      : `the ${used.join(" and ")} charts (${used.map((c) => `charts.${c}`).join(", ")})`;
  return Object.values(ENGINE_PARTS)
    .flatMap((part) => part.charts)
    .filter((chart) => !used.includes(chart) && charts[chart] !== undefined)
    .map(
      (unused) =>
        `${fq(`charts.${unused}`)}: is set but ${fq("engine")} is ${config.engine}, which installs only ${installs}; remove it`,
    );
}

/**
 * The files the CI settings name must exist in the project directory, which the workflows check
 * out as the repository root: a stack the workflows preview and update, and the catalog
 * publish-manifests generates from.
 */
function ciFileProblems(config: StackConfig, options: ParseOptions): string[] {
  if (!config.github.enabled || !config.github.ci.enabled) return [];
  const projectDir = resolve(options.projectDir ?? ".");
  const problems: string[] = [];
  const stacks = config.github.ci.stacks ?? [];
  const missing = stacks.filter((stack) => !existsSync(join(projectDir, `Pulumi.${stack}.yaml`)));
  if (missing.length > 0) {
    const present = readdirSync(projectDir)
      .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .sort();
    for (const stack of missing) {
      problems.push(
        `${fq(`github.ci.stacks.${stacks.indexOf(stack)}`)}: names stack ${JSON.stringify(stack)}, but there is no Pulumi.${stack}.yaml in ${projectDir} (stacks there: ${present.join(", ") || "none"}); fix the name or add the stack file`,
      );
    }
  }
  const catalog = config.github.ci.catalog;
  if (catalog !== undefined) {
    const file = resolve(projectDir, catalog);
    const problem = existsSync(file)
      ? statSync(file).isFile()
        ? undefined
        : "is not a file"
      : "does not exist";
    if (problem !== undefined) {
      problems.push(
        `${fq("github.ci.catalog")}: ${catalog} ${problem} in ${projectDir}, which CI checks out as the repository root; fix the path or create the catalog`,
      );
    }
  }
  return problems;
}

/**
 * An https repository is read with the `repoToken` secret: required, and neither a deploy key nor
 * the GitHub part (which generates an SSH deploy key) goes with it.
 */
function tokenProblems(githubOn: boolean, hasKey: boolean, hasToken: boolean): string[] {
  const token = fq(SECRET_KEYS.repoToken);
  return [
    ...(hasToken
      ? []
      : [
          `${token}: is required for an https repo.url: a token that may read the manifest repository (GitHub: a fine-grained token with Contents: read); set it with \`pulumi config set --secret ${SECRET_KEYS.repoToken}\`, or use the repository's SSH URL with a deploy key`,
        ]),
    ...(hasKey
      ? [
          `${fq(SECRET_KEYS.repoSshPrivateKey)}: is set but repo.url is an https URL, read with ${token}; remove it with \`pulumi config rm ${SECRET_KEYS.repoSshPrivateKey}\`, or use the SSH URL`,
        ]
      : []),
    ...(githubOn
      ? [
          `${fq("github")}: generates an SSH deploy key, but repo.url is an https URL read with ${token}; use the repository's SSH URL, or switch github off`,
        ]
      : []),
  ];
}

/** The deploy key comes from config, or from the GitHub part that generates it: exactly one. */
function deployKeyProblems(githubOn: boolean, hasKey: boolean, hasToken = false): string[] {
  if (hasToken) {
    return [
      `${fq(SECRET_KEYS.repoToken)}: is set but repo.url is an SSH URL, read with a deploy key; remove it with \`pulumi config rm ${SECRET_KEYS.repoToken}\`, or use the repository's https URL`,
      ...deployKeyProblems(githubOn, hasKey),
    ];
  }
  const key = fq(SECRET_KEYS.repoSshPrivateKey);
  if (githubOn && hasKey) {
    return [
      `${key}: is set but ${fq("github")} generates the read-only deploy key; remove it with \`pulumi config rm ${SECRET_KEYS.repoSshPrivateKey}\``,
    ];
  }
  if (!githubOn && !hasKey) {
    return [
      `${key}: is required: the private half of the manifest repository's read-only deploy key; set it with \`pulumi config set --secret ${SECRET_KEYS.repoSshPrivateKey} < ~/.ssh/manifests_deploy_key\`, or switch on ${fq("github")} to generate it`,
    ];
  }
  return [];
}

/**
 * With `repo.catalog`, the root app watches the catalog's `output` (what `generate` writes), so
 * the path is stated once; the catalog must name the same repository, revision and engine
 * namespaces as the stack, or the generated objects would land where the engine does not look.
 * Returns the config with the path filled in, or every disagreement.
 */
function rootPathFromCatalog(config: StackConfig, options: ParseOptions): StackConfig | string[] {
  if (config.repo.catalog === undefined) return config;
  const name = config.repo.catalog;
  const file = resolve(options.projectDir ?? ".", name);
  let catalog: CatalogDocument;
  try {
    if (options.readCatalog !== undefined) catalog = options.readCatalog(file);
    else {
      const read = readTextFile(file);
      if (!read.ok) {
        return [
          `${fq("repo.catalog")}: ${name} ${read.problem}; set it to the catalog YAML file, relative to the project directory`,
        ];
      }
      catalog = parseCatalog(read.text, name);
    }
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error;
    return [`${fq("repo.catalog")}: cannot use ${name}: ${error.message}`];
  }
  const target = bootstrapTarget(catalog);
  const agree: ReadonlyArray<readonly [string, string, string, string]> = [
    ["repo.url", target.repoURL, "repo.url", config.repo.url],
    ["repo.revision", target.revision, "repo.revision", config.repo.revision],
    ...(config.engine === "argocd"
      ? ([
          ["argocd.namespace", catalog.argocd.namespace, "argocd.namespace", config.argocd.namespace],
        ] as const)
      : config.engine === "flux"
        ? ([
            ["flux.namespace", catalog.flux.namespace, "flux.namespace", config.flux.namespace],
            ["flux.gitRepository", catalog.flux.gitRepository, "flux.source.name", config.flux.source.name],
          ] as const)
        : ([
            // The instance's sync GitRepository is the source the generated Kustomizations name.
            [
              "flux.namespace",
              catalog.flux.namespace,
              "fluxOperator.namespace",
              config.fluxOperator.namespace,
            ],
            [
              "flux.gitRepository",
              catalog.flux.gitRepository,
              "fluxOperator.sync.name",
              config.fluxOperator.sync.name,
            ],
          ] as const)),
  ];
  const problems = agree
    .filter(([, theirs, , ours]) => theirs !== ours)
    .map(
      ([catalogKey, theirs, stackKey, ours]) =>
        `${fq("repo.catalog")}: ${name} has ${catalogKey} ${theirs} but ${fq(stackKey)} is ${ours}; set both to the same value${catalogKey === "repo.url" ? " (Argo CD matches credentials by URL)" : ""}`,
    );
  return problems.length > 0 ? problems : { ...config, repo: { ...config.repo, path: target.path } };
}

/** One message listing every config error, for the CLI and `pulumi up` alike. */
export function formatConfigErrors(stack: string, errors: readonly string[]): string {
  const noun = errors.length === 1 ? "error" : "errors";
  return [
    `Stack ${stack}: ${errors.length} config ${noun} (nothing was changed):`,
    ...errors.map((e) => `  - ${shortenQuoted(e)}`),
  ].join("\n");
}
