import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import {
  argoCdHttpsRepositorySecret,
  argoCdRepositorySecret,
  defaultKnownHosts,
  fluxGitHttpsSecret,
  fluxGitSecret,
  fluxSshUrl,
  GITHUB_KNOWN_HOSTS,
  parseHttpsRepoUrl,
  parseSshRepoUrl,
  urlHasCredentials,
} from "../../core/repository/repository";
import { REPO } from "../support/fixtures";
import { validateKubernetesObject } from "../support/validate";

describe("core/repository", () => {
  it("parses scp-like and ssh:// URLs and rejects others", () => {
    assert.deepEqual(parseSshRepoUrl("git@github.com:acme/m.git"), {
      url: "git@github.com:acme/m.git",
      host: "github.com",
      path: "acme/m",
    });
    assert.equal(parseSshRepoUrl("ssh://git@git.example.com:2222/acme/m.git")?.host, "git.example.com");
    for (const bad of [
      "https://github.com/acme/m.git",
      "github.com:acme/m",
      "git@github.com:/etc/passwd",
      "git@github.com:a/../b",
    ]) {
      assert.equal(parseSshRepoUrl(bad), undefined, bad);
    }
  });

  it("converts scp-like URLs to the ssh:// form Flux requires", () => {
    assert.equal(fluxSshUrl("git@github.com:acme/m.git"), "ssh://git@github.com/acme/m.git");
    assert.equal(fluxSshUrl("git@github.com:acme/m"), "ssh://git@github.com/acme/m.git");
    assert.equal(fluxSshUrl("ssh://git@h/acme/m.git"), "ssh://git@h/acme/m.git");
  });

  it("ships GitHub's host keys, each matching GitHub's published SHA256 fingerprint", () => {
    const published: Record<string, string> = {
      "ssh-ed25519": "+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU",
      "ecdsa-sha2-nistp256": "p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM",
      "ssh-rsa": "uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
    };
    for (const line of GITHUB_KNOWN_HOSTS) {
      const [host, type, key] = line.split(" ");
      assert.equal(host, "github.com");
      const fingerprint = createHash("sha256")
        .update(Buffer.from(key ?? "", "base64"))
        .digest("base64")
        .replace(/=+$/, "");
      assert.equal(fingerprint, published[type ?? ""], type);
    }
    assert.equal(defaultKnownHosts("gitlab.example.com"), undefined);
  });

  it("shapes the Argo CD repository Secret and the Flux Git Secret, carrying the key untouched", async () => {
    const target = { name: "creds", namespace: "ns", url: REPO.url, knownHosts: REPO.knownHosts };
    const argo = argoCdRepositorySecret(target, "KEY");
    assert.deepEqual(argo.metadata.labels, { "argocd.argoproj.io/secret-type": "repository" });
    assert.deepEqual(argo.stringData, { type: "git", url: REPO.url, sshPrivateKey: "KEY" });
    const flux = fluxGitSecret(target, "KEY");
    assert.deepEqual(flux.stringData, { identity: "KEY", known_hosts: REPO.knownHosts });
    await validateKubernetesObject(argo);
    await validateKubernetesObject(flux);
  });

  it("shapes the https Secrets: user name and token as password (Argo CD), username/password (Flux)", async () => {
    const url = "https://github.com/acme/m.git";
    const argo = argoCdHttpsRepositorySecret({ name: "creds", namespace: "ns", url }, "git", "TOKEN");
    assert.deepEqual(argo.metadata.labels, { "argocd.argoproj.io/secret-type": "repository" });
    assert.deepEqual(argo.stringData, { type: "git", url, username: "git", password: "TOKEN" });
    const flux = fluxGitHttpsSecret({ name: "creds", namespace: "ns" }, "git", "TOKEN");
    assert.deepEqual(flux.stringData, { username: "git", password: "TOKEN" });
    await validateKubernetesObject(argo);
    await validateKubernetesObject(flux);
  });

  it("parses https URLs without credentials, and finds credentials in one", () => {
    assert.deepEqual(parseHttpsRepoUrl("https://github.com/acme/m.git"), {
      url: "https://github.com/acme/m.git",
      host: "github.com",
      path: "acme/m",
    });
    assert.equal(parseHttpsRepoUrl("https://git.example.com:8443/group/sub/m")?.path, "group/sub/m");
    for (const bad of [
      "http://github.com/a/m",
      "https://github.com",
      "https://github.com/a/../m",
      "https://u:t@github.com/a/m",
    ]) {
      assert.equal(parseHttpsRepoUrl(bad), undefined, bad);
    }
    assert.ok(urlHasCredentials("https://u:t@github.com/a/m"));
    assert.ok(!urlHasCredentials("https://github.com/a/m"));
    assert.ok(!urlHasCredentials("ssh://git@github.com/a/m.git"));
    assert.ok(!urlHasCredentials("git@github.com:a/m.git"));
  });
});
