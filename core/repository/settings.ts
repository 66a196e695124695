/**
 * `gitops-bootstrap:repo`: the private manifest repository the engine reads, and where in it the
 * root app of apps looks.
 */
import { z } from "zod";
import {
  DEFAULT_ROOT_PATH,
  defaultKnownHosts,
  parseHttpsRepoUrl,
  parseSshRepoUrl,
  urlHasCredentials,
} from "./repository";

/**
 * A directory inside the manifest repository, relative to its root (no leading or trailing `/`, no
 * `.` or `..`). `whenMissing` is the message for a missing value, where the key is required.
 */
export const repoPath = (whenMissing = "must be a string") =>
  z
    .string({ error: (issue) => (issue.input === undefined ? whenMissing : "must be a string") })
    .superRefine((value, ctx) => {
      const segments = value.split("/");
      if (
        value.startsWith("/") ||
        value.endsWith("/") ||
        segments.some((s) => s === "" || s === "." || s === "..")
      ) {
        ctx.addIssue({
          code: "custom",
          message: `${JSON.stringify(value)} must be a relative path inside the repository, such as manifests/bootstrap (no leading or trailing '/', no '.' or '..')`,
        });
      }
    });

export const repositorySettingsSchema = z
  .object({
    url: z
      .string({ error: "is required: the SSH or https URL of the private manifest repository" })
      // Never echo the value: a URL with a token in it is a secret.
      .refine((url) => !urlHasCredentials(url), {
        error:
          "has credentials in it, which would be stored in clear; write the URL without them (https://github.com/acme/manifests.git) and set the token with `pulumi config set --secret repoToken`",
      })
      .refine(
        (url) =>
          urlHasCredentials(url) ||
          parseSshRepoUrl(url) !== undefined ||
          parseHttpsRepoUrl(url) !== undefined,
        {
          error:
            "must be an SSH URL such as git@github.com:acme/homelab-manifests.git or ssh://git@git.example.com/acme/manifests.git (read with a deploy key), or an https URL such as https://github.com/acme/homelab-manifests.git (read with the repoToken secret)",
        },
      ),
    revision: z.string().min(1, { error: "must not be empty; use a branch such as main" }).default("main"),
    path: repoPath().optional(),
    /**
     * An app catalog (relative to the project directory): the root app then watches the catalog's
     * `output`, the directory `generate` writes, so the path is stated once.
     */
    catalog: z.string().min(1, { error: "must name a catalog file such as catalog.yaml" }).optional(),
    knownHosts: z.string().min(1, { error: "must not be empty" }).optional(),
    /** https only: the user name sent with the token (GitHub and GitLab accept any with a token). */
    username: z.string().min(1, { error: "must not be empty" }).optional(),
  })
  .strict()
  .transform((repo, ctx) => {
    if (parseHttpsRepoUrl(repo.url) !== undefined) {
      if (repo.knownHosts !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["knownHosts"],
          message: "is for SSH URLs; an https URL is checked with the host's TLS certificate: remove it",
        });
        return z.NEVER;
      }
      if (repo.path !== undefined && repo.catalog !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["path"],
          message: "is set together with repo.catalog: the catalog's output is the path; remove one of them",
        });
        return z.NEVER;
      }
      return {
        ...repo,
        path: repo.path ?? DEFAULT_ROOT_PATH,
        knownHosts: "",
        username: repo.username ?? "git",
      };
    }
    if (repo.username !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["username"],
        message: "is for https URLs; an SSH URL names its user (git@…): remove it",
      });
      return z.NEVER;
    }
    const host = parseSshRepoUrl(repo.url)?.host ?? "";
    const knownHosts = repo.knownHosts ?? defaultKnownHosts(host);
    if (knownHosts === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["knownHosts"],
        message: `is required for ${host} (only GitHub's host keys are built in): set it to the output of \`ssh-keyscan ${host}\`, checked against the host's published fingerprints`,
      });
      return z.NEVER;
    }
    if (repo.path !== undefined && repo.catalog !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["path"],
        message: "is set together with repo.catalog: the catalog's output is the path; remove one of them",
      });
      return z.NEVER;
    }
    return { ...repo, path: repo.path ?? DEFAULT_ROOT_PATH, knownHosts };
  });

/** The validated `repo` settings, with `path` and `knownHosts` filled in. */
export type RepositorySettings = z.output<typeof repositorySettingsSchema>;
