import { strict as assert } from "node:assert";
import {
  APPLICATION_HEALTH_LUA,
  argoCdAppsProject,
  argoCdRootApplication,
  argoCdRootObjects,
  argoCdRootProject,
  argoCdValues,
  type ArgoCdSettings,
} from "../../core/argocd/argocd";
import { argoCdSettingsSchema } from "../../core/argocd/settings";
import { DEFAULT_RETRY, RESOURCES_FINALIZER } from "../../core/argocd/sync";
import { ARGOCD, REPO } from "../support/fixtures";
import { validateKubernetesObject } from "../support/validate";

type Values = {
  configs: {
    cm: Record<string, unknown>;
    params: Record<string, unknown>;
    rbac: Record<string, string>;
    ssh: { extraHosts: string };
  };
  server: { ingress: Record<string, unknown>; replicas: number };
  global?: { domain: string };
  dex: { enabled: boolean };
};
const values = (settings: Partial<ArgoCdSettings>) =>
  argoCdValues({ ...ARGOCD, ...settings }, REPO) as Values;

describe("core/argocd: chart values", () => {
  it("turns on server-side diff, which every sync policy pairs with ServerSideApply=true", () => {
    assert.equal(values({}).configs.params["controller.diff.server.side"], true);
    assert.ok(
      argoCdRootApplication(ARGOCD, REPO).spec.syncPolicy.syncOptions.includes("ServerSideApply=true"),
    );
  });

  it("installs the Application health check so sync waves wait for child apps", () => {
    const lua = values({}).configs.cm["resource.customizations.health.argoproj.io_Application"];
    assert.equal(lua, APPLICATION_HEALTH_LUA);
    assert.match(APPLICATION_HEALTH_LUA, /hs\.status = obj\.status\.health\.status/);
    assert.match(APPLICATION_HEALTH_LUA, /^hs = \{\}\nhs\.status = "Progressing"/);
  });

  it("keeps admin login only while no OIDC is configured", () => {
    assert.equal(values({}).configs.cm["admin.enabled"], true);
    const oidc = {
      name: "SSO",
      issuer: "https://auth.example.com",
      clientId: "argocd",
      hasClientSecret: true,
      requestedScopes: ["openid", "groups"],
    };
    const withOidc = values({ hostname: "argocd.example.com", oidc });
    assert.equal(withOidc.configs.cm["admin.enabled"], false);
    const config = String(withOidc.configs.cm["oidc.config"]);
    assert.match(config, /^name: "SSO"\nissuer: "https:\/\/auth\.example\.com"\nclientID: "argocd"\n/);
    assert.match(
      config,
      /clientSecret: \$argocd-oidc:clientSecret/,
      "the secret is referenced, never inlined",
    );
    assert.equal(withOidc.configs.cm.url, "https://argocd.example.com");
  });

  it("uses PKCE for a public OIDC client (no client secret)", () => {
    const oidc = {
      name: "SSO",
      issuer: "https://auth.example.com",
      clientId: "argocd",
      hasClientSecret: false,
      requestedScopes: ["openid"],
    };
    const config = String(values({ hostname: "a.example.com", oidc }).configs.cm["oidc.config"]);
    assert.match(config, /enablePKCEAuthentication: true/);
    assert.doesNotMatch(config, /clientSecret/);
  });

  it("makes RBAC read-only by default and grants admin only to the listed groups and users", () => {
    const v = values({
      rbac: {
        defaultRole: "role:readonly",
        adminGroups: ["homelab-admins"],
        adminUsers: ["alice@example.com"],
      },
    });
    assert.equal(v.configs.rbac["policy.default"], "role:readonly");
    assert.equal(
      v.configs.rbac["policy.csv"],
      "g, homelab-admins, role:admin\ng, alice@example.com, role:admin\n",
    );
    assert.equal(values({}).configs.rbac["policy.csv"], "");
  });

  it("sets server.insecure from where TLS ends, whoever serves the UI (chart Ingress, IngressRoute, HTTPRoute, tunnel)", () => {
    const insecure = (s: Partial<ArgoCdSettings>) => values(s).configs.params["server.insecure"];
    const noChartIngress = { enabled: false, annotations: {} };
    // TLS ends in front of argocd-server, which then speaks plain HTTP: with or without the chart's Ingress.
    assert.equal(insecure({ hostname: "a.example.com" }), true);
    assert.equal(insecure({}), true, "no hostname: the UI is served by something the stack does not make");
    assert.equal(insecure({ hostname: "a.example.com", ingress: noChartIngress }), true);
    // argocd-server serves TLS: the proxy in front re-encrypts, or passes TLS through.
    for (const tlsTermination of ["reencrypt", "server"] as const) {
      assert.equal(insecure({ hostname: "a.example.com", tlsTermination }), false, tlsTermination);
      assert.equal(insecure({ tlsTermination, ingress: noChartIngress }), false, tlsTermination);
    }
  });

  it("gives the chart's Ingress a TLS section in every mode (the Ingress or argocd-server serves argocd-server-tls)", () => {
    for (const tlsTermination of ["ingress", "reencrypt", "server"] as const) {
      const ingress = values({
        hostname: "a.example.com",
        tlsTermination,
        ingress: { enabled: true, annotations: { "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS" } },
      }).server.ingress;
      assert.equal(ingress.tls, true, tlsTermination);
    }
  });

  it("configures the ingress from hostname, class and annotations", () => {
    const v = values({
      hostname: "a.example.com",
      ingress: { enabled: true, className: "traefik", annotations: { x: "y" } },
    });
    assert.deepEqual(v.server.ingress, {
      enabled: true,
      hostname: "a.example.com",
      ingressClassName: "traefik",
      annotations: { x: "y" },
      tls: true,
    });
    assert.equal(v.global?.domain, "a.example.com");
    assert.deepEqual(values({}).server.ingress, { enabled: false });
    assert.equal(values({}).global, undefined);
  });

  it("lets Kustomize inflate Helm charts, as the apps' kustomizations may", () => {
    assert.equal(values({}).configs.cm["kustomize.buildOptions"], "--enable-helm");
  });

  it("pins the repository's SSH host keys and leaves Dex off", () => {
    assert.equal(values({}).configs.ssh.extraHosts, `${REPO.knownHosts}\n`);
    assert.equal(values({}).dex.enabled, false);
  });
});

describe("core/argocd: root app of apps", () => {
  const app = argoCdRootApplication(ARGOCD, REPO);

  it("has no resources finalizer: deleting the root never deletes the cluster's apps", () => {
    assert.equal((app.metadata as { finalizers?: string[] }).finalizers, undefined);
    assert.ok(!JSON.stringify(argoCdRootObjects(ARGOCD, REPO)).includes(RESOURCES_FINALIZER));
  });

  it("prunes automatically, self-heals only when asked, retries 5 times from 30s doubling to 2m", () => {
    assert.deepEqual(app.spec.syncPolicy.automated, { prune: true, selfHeal: false });
    assert.equal(
      argoCdRootApplication({ ...ARGOCD, root: { ...ARGOCD.root, selfHeal: true } }, REPO).spec.syncPolicy
        .automated.selfHeal,
      true,
    );
    assert.deepEqual(app.spec.syncPolicy.retry, {
      limit: 5,
      backoff: { duration: "30s", factor: 2, maxDuration: "2m" },
    });
    assert.notEqual(
      app.spec.syncPolicy.retry,
      DEFAULT_RETRY,
      "a copy, so no caller can mutate the shared constant",
    );
    assert.ok(!app.spec.syncPolicy.syncOptions.some((o) => o.startsWith("ApplyOutOfSyncOnly")));
  });

  it("syncs with the server-side three unless root.syncOptions is written, which replaces them", () => {
    assert.deepEqual(app.spec.syncPolicy.syncOptions, [
      "CreateNamespace=true",
      "ServerSideApply=true",
      "RespectIgnoreDifferences=true",
    ]);
    const written = (syncOptions: string[]) =>
      argoCdRootApplication({ ...ARGOCD, root: { ...ARGOCD.root, syncOptions } }, REPO).spec.syncPolicy
        .syncOptions;
    assert.deepEqual(written(["ServerSideApply=true"]), ["ServerSideApply=true"]);
    // An empty list is a value: a migrated root that had none keeps none.
    assert.deepEqual(written([]), []);
    const parsed = argoCdSettingsSchema.safeParse({
      root: { syncOptions: ["Prune=false", "not an option"] },
    });
    assert.equal(parsed.success, false);
    assert.deepEqual(
      parsed.error?.issues.map((i) => i.path.join(".")),
      ["root.syncOptions.1"],
    );
  });

  it("points at the manifest repository's bootstrap path at the configured revision", () => {
    assert.deepEqual(app.spec.source, {
      repoURL: REPO.url,
      targetRevision: "main",
      path: "manifests/bootstrap",
    });
    assert.equal(app.spec.project, "bootstrap");
  });

  it("scopes its AppProject to Applications and ApplicationSets from the manifest repo in Argo CD's namespace: never AppProjects", () => {
    const project = argoCdRootProject(ARGOCD, REPO);
    assert.deepEqual(project.spec.sourceRepos, [REPO.url]);
    assert.deepEqual(project.spec.destinations, [
      { server: "https://kubernetes.default.svc", namespace: "argocd" },
    ]);
    assert.deepEqual(project.spec.clusterResourceWhitelist, []);
    assert.deepEqual(
      project.spec.namespaceResourceWhitelist.map((r) => `${r.group}/${r.kind}`),
      ["argoproj.io/Application", "argoproj.io/ApplicationSet"],
    );
  });

  it("builds schema-valid AppProject and Application objects", async () => {
    const objects = argoCdRootObjects(ARGOCD, REPO);
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
      ["AppProject/bootstrap", "AppProject/apps", "Application/bootstrap"],
    );
    for (const object of objects) await validateKubernetesObject(object);
  });

  it("a broken object fails the validator (so a pass means something)", async () => {
    const broken = { ...app, spec: { ...app.spec, project: 7 } };
    await assert.rejects(validateKubernetesObject(broken), /spec\/project must be string/);
  });
});

describe("core/argocd: the apps' AppProject", () => {
  it("by default reads only the manifest repository, deploys to any namespace of this cluster, and may create cluster-scoped kinds", async () => {
    const project = argoCdAppsProject(ARGOCD, REPO);
    assert.deepEqual(project, {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "AppProject",
      metadata: { name: "apps", namespace: "argocd" },
      spec: {
        description: "The apps the root app of apps deploys, from the manifest repository.",
        sourceRepos: [REPO.url],
        destinations: [{ server: "https://kubernetes.default.svc", namespace: "*" }],
        clusterResourceWhitelist: [{ group: "*", kind: "*" }],
      },
    });
    await validateKubernetesObject(project);
  });

  it("takes its name, extra sources, destinations and cluster-scoped rights from the settings", async () => {
    const project = argoCdAppsProject(
      {
        ...ARGOCD,
        namespace: "gitops",
        appsProject: {
          enabled: true,
          name: "homelab",
          sourceRepos: ["https://github.com/acme/charts.git", REPO.url],
          destinations: [
            { server: "https://kubernetes.default.svc", namespace: "!kube-system" },
            { server: "https://kubernetes.default.svc", namespace: "media-*" },
          ],
          clusterResources: false,
        },
      },
      REPO,
    );
    assert.deepEqual(project.metadata, { name: "homelab", namespace: "gitops" });
    assert.deepEqual(project.spec.sourceRepos, [REPO.url, "https://github.com/acme/charts.git"]);
    assert.deepEqual(project.spec.destinations, [
      { server: "https://kubernetes.default.svc", namespace: "!kube-system" },
      { server: "https://kubernetes.default.svc", namespace: "media-*" },
    ]);
    assert.deepEqual(project.spec.clusterResourceWhitelist, []);
    await validateKubernetesObject(project);
  });

  it("is left out when the stack does not make it", () => {
    const objects = argoCdRootObjects(
      { ...ARGOCD, appsProject: { ...ARGOCD.appsProject, enabled: false } },
      REPO,
    );
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
      ["AppProject/bootstrap", "Application/bootstrap"],
    );
  });
});
