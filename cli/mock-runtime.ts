/**
 * Pulumi's mock runtime, recording every registration with its resource options.
 *
 * `synth` and the component tests share this recorder. Nothing here applies anything: the mock
 * monitor answers each registration with its own inputs as state, and every provider function
 * (invoke) not listed in `invokes` throws, so a program cannot quietly read fake cloud data.
 *
 * `pulumi.runtime.setMocks` hands its `newResource` callback only type, name and inputs; parent,
 * dependsOn, protect, retainOnDelete and import live on the raw request, so we wrap the mock
 * monitor's `registerResource` to read them before it answers.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { CI_OUTPUT_NAMES, SECRETS_READER_OUTPUT_NAMES } from "../stacks/account-config";

/** Drains the RPC queue; exported by the runtime but marked internal, so absent from its typings. */
const { waitForRPCs } = settings as unknown as { waitForRPCs(): Promise<void> };
const { getMonitor } = settings;

/** The Pulumi wire marker for a secret value (`@pulumi/pulumi/runtime/rpc`'s specialSigKey/SecretSig). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A secret input as the mock monitor received it: the value is kept for assertions, never printed. */
export class SecretInput {
  constructor(public readonly value: unknown) {}
  toJSON(): string {
    return "[secret]";
  }
}

/** Resource options read off the registration request (only those that were set). */
export interface RecordedOptions {
  protect?: boolean;
  retainOnDelete?: boolean;
  import?: string;
  deleteBeforeReplace?: boolean;
  additionalSecretOutputs?: string[];
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
  deletedWith?: string;
}

/** One resource registration, as the engine would have received it. */
export interface Registration {
  urn: string;
  type: string;
  name: string;
  /** True for custom resources, false for components. */
  custom: boolean;
  /** True for multi-language components (helm.v4.Chart, yaml.v2.ConfigFile): rendered by a provider. */
  remote: boolean;
  /** The ID of an existing resource that is only read (StackReference, `Resource.get`), never managed. */
  read?: string;
  parent?: string;
  /** Provider reference `urn::id`, for custom resources with an explicit provider. */
  provider?: string;
  dependsOn: string[];
  /** Inputs with secrets as {@link SecretInput}. */
  inputs: Record<string, unknown>;
  options: RecordedOptions;
}

/** Computes the outputs a provider would add to a resource's state, keyed by type token. */
export type MockState = (name: string, inputs: Record<string, unknown>) => Record<string, unknown>;

const ACCOUNT = "123456789012";

/** An Ed25519 PKCS#8 PEM whose 32-byte seed is "MOCK" and a hash of the name: deterministic. */
function mockEd25519Pem(name: string): string {
  const seed = Buffer.concat([Buffer.from("MOCK"), createHash("sha256").update(name).digest()]).subarray(
    0,
    32,
  );
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64")}\n-----END PRIVATE KEY-----\n`;
}

/**
 * Deterministic stand-ins for provider-computed outputs that our programs read. They are labelled
 * as mocks; nothing consumes them but the recorder.
 */
export const MOCK_STATE: Readonly<Record<string, MockState>> = {
  // A stack reference answers with labelled stand-ins naming the stack and output they come from.
  "pulumi:pulumi:StackReference": (_name, inputs) => ({
    outputs: Object.fromEntries(
      [...CI_OUTPUT_NAMES, ...SECRETS_READER_OUTPUT_NAMES].map((output) => [
        output,
        `[${String(inputs.name)} output ${output}]`,
      ]),
    ),
    // The reader's access key is a secret output of the account stack.
    secretOutputNames: ["secretsReaderAccessKeyId", "secretsReaderSecretAccessKey"],
  }),
  // The token controller fills a ServiceAccount token Secret in; the provider waits for it (hub.spoke).
  "kubernetes:core/v1:Secret": (_name, inputs) =>
    inputs.type === "kubernetes.io/service-account-token"
      ? {
          data: {
            token: Buffer.from("[mock ServiceAccount token]").toString("base64"),
            "ca.crt": Buffer.from("[mock cluster CA]").toString("base64"),
          },
        }
      : {},
  "kubernetes:core/v1:Namespace": (name, inputs) => ({
    metadata: { name, ...(inputs.metadata as object | undefined) },
  }),
  "kubernetes:helm.sh/v3:Release": (name, inputs) => ({
    status: { name: inputs.name ?? name, namespace: inputs.namespace, status: "deployed", revision: 1 },
  }),
  "aws:s3/bucket:Bucket": (name, inputs) => ({
    bucket: inputs.bucket ?? name,
    arn: `arn:aws:s3:::${String(inputs.bucket ?? name)}`,
  }),
  "aws:kms/key:Key": (name) => ({
    keyId: `mock-key-${name}`,
    arn: `arn:aws:kms:mock-region:${ACCOUNT}:key/mock-key-${name}`,
  }),
  "aws:iam/role:Role": (name, inputs) => ({
    arn: `arn:aws:iam::${ACCOUNT}:role/${String(inputs.name ?? name)}`,
  }),
  // IAM names a provider after its URL without the scheme (GitHub's, or Pulumi's api.pulumi.com/oidc).
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (_name, inputs) => ({
    arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`,
  }),
  "tls:index/privateKey:PrivateKey": (name) => ({
    publicKeyOpenssh: `ssh-ed25519 MOCK-PUBLIC-KEY-${name}`,
    privateKeyOpenssh: `MOCK-PRIVATE-KEY-${name}`,
    privateKeyPem: `MOCK-PRIVATE-KEY-${name}`,
    // A well-formed Ed25519 PKCS#8 key whose seed is derived from the name (the age identities
    // are computed from it); labelled by the seed's first bytes, "MOCK".
    privateKeyPemPkcs8: mockEd25519Pem(name),
  }),
  "aws:iam/user:User": (name, inputs) => ({
    arn: `arn:aws:iam::${ACCOUNT}:user${String(inputs.path ?? "/")}${String(inputs.name ?? name)}`,
  }),
  "aws:iam/accessKey:AccessKey": (name) => ({ secret: `MOCK-SECRET-ACCESS-KEY-${name}` }),
};

export interface MockRuntimeOptions {
  project: string;
  stack: string;
  /** Stack config, keys fully qualified (`project:key`), values as Pulumi passes them (strings). */
  config?: Record<string, string>;
  /** Fully qualified keys whose values are secrets. */
  secretKeys?: string[];
  /** Run as a preview (unknowns stay unknown). Defaults to false. */
  preview?: boolean;
  /**
   * Recorded outputs of other stacks, by the name a StackReference gives (`org/project/stack`), as
   * `pulumi stack output --json` or synth's outputs.json prints them: an output holding a
   * `[secret]` leaf is answered as a secret. A stack not listed gets the labelled stand-ins of
   * MOCK_STATE (the account stack's CI outputs). Defaults to none.
   */
  stackOutputs?: Readonly<Record<string, Record<string, unknown>>>;
  /** Invoke results by function token; every other invoke throws. Defaults to none. */
  invokes?: Record<string, (args: Record<string, unknown>) => Record<string, unknown>>;
}

export interface MockRuntime {
  readonly registrations: Registration[];
  /** Waits until every registration the program started has reached the mock monitor. */
  settle(): Promise<void>;
}

/** What synth writes for a secret leaf, and what a recorded output holds in its place. */
const SECRET_PLACEHOLDER = "[secret]";

function holdsSecret(value: unknown): boolean {
  if (value === SECRET_PLACEHOLDER) return true;
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (value !== null && typeof value === "object") return Object.values(value).some(holdsSecret);
  return false;
}

/** A StackReference's state from recorded outputs: those holding a `[secret]` leaf are secret. */
function recordedStackState(outputs: Record<string, unknown>): Record<string, unknown> {
  return {
    outputs,
    secretOutputNames: Object.keys(outputs)
      .filter((name) => holdsSecret(outputs[name]))
      .sort(),
  };
}

/** Rewrites the mock monitor's secret markers into {@link SecretInput}s, recursively. */
export function decodeSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeSecrets);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return new SecretInput(decodeSecrets(record.value));
    if (Object.getPrototypeOf(value) !== Object.prototype) return value;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, decodeSecrets(v)]));
  }
  return value;
}

/** The same value with every secret replaced by its plain value (for assertions only). */
export function revealSecrets(value: unknown): unknown {
  if (value instanceof SecretInput) return revealSecrets(value.value);
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealSecrets(v)]));
  }
  return value;
}

interface ReadRequest {
  getType(): string;
  getName(): string;
  getId(): string;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getRemote(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getImportid(): string;
  getDeletebeforereplace(): boolean;
  getAdditionalsecretoutputsList(): string[];
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getDeletedwith(): string;
}

function recordedOptions(req: RegisterRequest): RecordedOptions {
  const options: RecordedOptions = {};
  if (req.getProtect()) options.protect = true;
  if (req.getRetainondelete()) options.retainOnDelete = true;
  if (req.getImportid()) options.import = req.getImportid();
  if (req.getDeletebeforereplace()) options.deleteBeforeReplace = true;
  if (req.getAdditionalsecretoutputsList().length > 0) {
    options.additionalSecretOutputs = req.getAdditionalsecretoutputsList();
  }
  if (req.getIgnorechangesList().length > 0) options.ignoreChanges = req.getIgnorechangesList();
  if (req.getReplaceonchangesList().length > 0) options.replaceOnChanges = req.getReplaceonchangesList();
  if (req.getDeletedwith()) options.deletedWith = req.getDeletedwith();
  return options;
}

/**
 * Installs Pulumi's mock runtime with the given config and starts recording. Call it before the
 * program is imported; each call replaces the previous runtime, so a test file can start fresh.
 */
export async function startMockRuntime(options: MockRuntimeOptions): Promise<MockRuntime> {
  const registrations: Registration[] = [];
  const inputsByName = new Map<string, Record<string, unknown>>();
  const invokes = options.invokes ?? {};

  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: object } {
        inputsByName.set(`${args.type}::${args.name}`, args.inputs);
        const recorded =
          args.type === "pulumi:pulumi:StackReference"
            ? options.stackOutputs?.[String(args.inputs.name)]
            : undefined;
        const computed =
          recorded !== undefined
            ? recordedStackState(recorded)
            : (MOCK_STATE[args.type]?.(args.name, args.inputs) ?? {});
        return {
          id: args.custom === false ? undefined : `${args.name}-id`,
          state: { ...args.inputs, ...computed },
        };
      },
      call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const answer = invokes[args.token];
        if (answer === undefined) {
          const error = new Error(
            `unmocked invoke ${args.token}: the program may not read cloud data offline`,
          );
          // The SDK reports a failed invoke by the gRPC error's `details`.
          throw Object.assign(error, { details: error.message });
        }
        return answer(args.inputs as Record<string, unknown>);
      },
    },
    options.project,
    options.stack,
    options.preview ?? false,
  );

  const monitor = getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: (err: unknown, res: unknown) => void): void;
    readResource(req: ReadRequest, callback: (err: unknown, res: unknown) => void): void;
  };
  const originalRead = monitor.readResource.bind(monitor);
  monitor.readResource = (req, callback) => {
    originalRead(req, (err, res) => {
      if (!err) {
        registrations.push({
          urn: (res as { getUrn(): string }).getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: true,
          remote: false,
          read: req.getId(),
          ...(req.getParent() ? { parent: req.getParent() } : {}),
          ...(req.getProvider() ? { provider: req.getProvider() } : {}),
          dependsOn: [...req.getDependenciesList()].sort(),
          inputs: decodeSecrets(inputsByName.get(`${req.getType()}::${req.getName()}`) ?? {}) as Record<
            string,
            unknown
          >,
          options: {},
        });
      }
      callback(err, res);
    });
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    original(req, (err, res) => {
      if (!err) {
        const urn = (res as { getUrn(): string }).getUrn();
        const inputs = inputsByName.get(`${req.getType()}::${req.getName()}`) ?? {};
        registrations.push({
          urn,
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          remote: req.getRemote(),
          ...(req.getParent() ? { parent: req.getParent() } : {}),
          ...(req.getProvider() ? { provider: req.getProvider() } : {}),
          dependsOn: [...req.getDependenciesList()].sort(),
          inputs: decodeSecrets(inputs) as Record<string, unknown>,
          options: recordedOptions(req),
        });
      }
      callback(err, res);
    });
  };

  return {
    registrations,
    async settle() {
      await waitForRPCs();
    },
  };
}

/** Resolves any Output (or nested structure of them) to plain data, secrets as {@link SecretInput}. */
export async function resolveOutputs(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const output = value as pulumi.Output<unknown>;
    const [plain, secret] = await Promise.all([
      new Promise<unknown>((resolve) => output.apply((v) => resolve(v))),
      pulumi.isSecret(output),
    ]);
    const resolved = await resolveOutputs(plain);
    return secret ? new SecretInput(resolved) : resolved;
  }
  if (Array.isArray(value)) return Promise.all(value.map(resolveOutputs));
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveOutputs(v)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}
