/**
 * `gitops-bootstrap:repo`: the private manifest repository the engine reads, and where in it the
 * root app of apps looks.
 */
import { z } from "zod";
import { defaultKnownHosts, parseSshRepoUrl } from "./repository";

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

/** Where the root app looks when neither `repo.path` nor `repo.catalog` says (the catalog's default too). */
export const DEFAULT_ROOT_PATH = "manifests/bootstrap";

export const repositorySettingsSchema = z
  .object({
    url: z
      .string({ error: "is required: the SSH URL of the private manifest repository" })
      .refine((url) => parseSshRepoUrl(url) !== undefined, {
        error:
          "must be an SSH URL such as git@github.com:acme/homelab-manifests.git or ssh://git@git.example.com/acme/manifests.git (the engine reads the private repository with a deploy key)",
      }),
    revision: z.string().min(1, { error: "must not be empty; use a branch such as main" }).default("main"),
    path: repoPath().optional(),
    /**
     * An app catalog (relative to the project directory): the root app then watches the catalog's
     * `output`, the directory `generate` writes, so the path is stated once.
     */
    catalog: z.string().min(1, { error: "must name a catalog file such as catalog.yaml" }).optional(),
    knownHosts: z.string().min(1, { error: "must not be empty" }).optional(),
  })
  .strict()
  .transform((repo, ctx) => {
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
