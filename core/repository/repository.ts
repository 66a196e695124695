/**
 * The private manifest repository as the engines read it: URL parsing, SSH known hosts, and the
 * shapes of the credential Secrets Argo CD and Flux expect. The private key is a type parameter so
 * a component can pass a Pulumi secret Output through without this module importing Pulumi.
 */

/** A parsed SSH repository URL. */
/** Where the root app looks when neither `repo.path` nor `repo.catalog` says (the catalog's default too). */
export const DEFAULT_ROOT_PATH = "manifests/bootstrap";

/** The manifest repository the root app of apps reads. */
export interface ManifestRepo {
  /** SSH or https URL of the private manifest repository. */
  url: string;
  /** Branch, tag or commit the engine follows. */
  revision: string;
  /** Directory holding the app-of-apps objects (what `generate` writes). */
  path: string;
  /** SSH known_hosts lines for the repository host; "" for an https URL. */
  knownHosts: string;
  /** The user name sent with the token of an https URL; absent for SSH. */
  username?: string;
}

export interface SshRepoUrl {
  /** The URL as configured. */
  url: string;
  host: string;
  /** `owner/name` without `.git`. */
  path: string;
}

const SCP_LIKE = /^(?<user>[A-Za-z0-9._-]+)@(?<host>[A-Za-z0-9.-]+):(?<path>[A-Za-z0-9._/-]+?)(\.git)?$/;
const SSH_URL =
  /^ssh:\/\/(?<user>[A-Za-z0-9._-]+)@(?<host>[A-Za-z0-9.-]+)(:(?<port>\d+))?\/(?<path>[A-Za-z0-9._/-]+?)(\.git)?$/;

/** Parses `git@host:owner/repo.git` or `ssh://git@host[:port]/owner/repo.git`; undefined otherwise. */
export function parseSshRepoUrl(url: string): SshRepoUrl | undefined {
  const match = SCP_LIKE.exec(url) ?? SSH_URL.exec(url);
  const host = match?.groups?.host;
  const path = match?.groups?.path;
  if (host === undefined || path === undefined || path.startsWith("/") || path.includes(".."))
    return undefined;
  return { url, host, path };
}

/** A parsed https repository URL. */
export interface HttpsRepoUrl {
  url: string;
  host: string;
  /** The path without its leading `/` and `.git`. */
  path: string;
}

/**
 * Parses `https://host[:port]/owner/repo[.git]`; undefined otherwise, and for a URL that carries
 * credentials (`https://user:token@…`), which would be stored in clear in Argo CD's and Flux's
 * objects: the token goes in the `repoToken` secret instead.
 */
export function parseHttpsRepoUrl(url: string): HttpsRepoUrl | undefined {
  const match = /^https:\/\/(?<host>[A-Za-z0-9.-]+)(:\d+)?\/(?<path>[A-Za-z0-9._~/-]+?)(\.git)?\/?$/.exec(
    url,
  );
  const host = match?.groups?.host;
  const path = match?.groups?.path;
  if (host === undefined || path === undefined || path.split("/").some((s) => s === "" || s === "..")) {
    return undefined;
  }
  return { url, host, path };
}

/** Whether the URL has credentials in it (`scheme://user[:password]@host`). */
export function urlHasCredentials(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/@]*@/i.test(url) && !url.startsWith("ssh://");
}

/**
 * The URL Flux's source-controller needs: it accepts only `ssh://` URLs, so the scp-like form
 * `git@github.com:acme/repo.git` becomes `ssh://git@github.com/acme/repo.git`.
 */
export function fluxSshUrl(url: string): string {
  if (url.startsWith("ssh://")) return url;
  const match = SCP_LIKE.exec(url);
  if (match?.groups === undefined) return url;
  return `ssh://${match.groups.user}@${match.groups.host}/${match.groups.path}.git`;
}

/**
 * GitHub's published SSH host keys (docs.github.com, "GitHub's SSH key fingerprints"). A test
 * checks each key against its published SHA256 fingerprint.
 */
export const GITHUB_KNOWN_HOSTS = [
  "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
  "github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=",
  "github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=",
] as const;

/** Known hosts for a repository host: GitHub's published keys, or undefined (the user must supply them). */
export function defaultKnownHosts(host: string): string | undefined {
  return host === "github.com" ? GITHUB_KNOWN_HOSTS.join("\n") : undefined;
}

/** Where the engine finds its repository credentials. */
export interface RepositoryCredentialTarget {
  /** Secret name. */
  name: string;
  namespace: string;
  url: string;
  knownHosts: string;
}

/**
 * Argo CD's declarative repository Secret (label `argocd.argoproj.io/secret-type: repository`).
 * Argo CD keeps SSH known hosts in `argocd-ssh-known-hosts-cm`, which the engine values fill.
 */
export function argoCdRepositorySecret<Key>(target: RepositoryCredentialTarget, sshPrivateKey: Key) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: target.name,
      namespace: target.namespace,
      labels: { "argocd.argoproj.io/secret-type": "repository" },
    },
    type: "Opaque",
    stringData: { type: "git", url: target.url, sshPrivateKey },
  };
}

/**
 * Argo CD's declarative repository Secret for an https URL: user name and token (`password`), as
 * Argo CD's repository Secrets spell them (docs/operator-manual/declarative-setup.md). The token is
 * a type parameter so a Pulumi secret Output passes through untouched.
 */
export function argoCdHttpsRepositorySecret<Token>(
  target: Pick<RepositoryCredentialTarget, "name" | "namespace" | "url">,
  username: string,
  password: Token,
) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: target.name,
      namespace: target.namespace,
      labels: { "argocd.argoproj.io/secret-type": "repository" },
    },
    type: "Opaque",
    stringData: { type: "git", url: target.url, username, password },
  };
}

/** Flux's Git basic-auth Secret for an https URL: `username` and `password` (the token). */
export function fluxGitHttpsSecret<Token>(
  target: Pick<RepositoryCredentialTarget, "name" | "namespace">,
  username: string,
  password: Token,
) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: target.name, namespace: target.namespace },
    type: "Opaque",
    stringData: { username, password },
  };
}

/** Flux's Git SSH Secret: `identity` (private key) and `known_hosts`, as source-controller reads them. */
export function fluxGitSecret<Key>(target: RepositoryCredentialTarget, identity: Key) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: target.name, namespace: target.namespace },
    type: "Opaque",
    stringData: { identity, known_hosts: target.knownHosts },
  };
}
