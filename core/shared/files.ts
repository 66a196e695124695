/**
 * Reading a file the user named (a catalog, a stack file) so that every failure becomes a sentence
 * about that file, never a raw `ENOENT`/`EISDIR` text or the bytes of a file that is not text.
 */
import { readFileSync, statSync } from "node:fs";

/** What is wrong with reading `path`, in words, from a Node file system error. */
export function fileProblem(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "ENOENT":
      return "does not exist";
    case "ENOTDIR":
      return "does not exist (a directory on its path is a file)";
    case "EISDIR":
      return "is a directory, not a file";
    case "EACCES":
    case "EPERM":
      return "cannot be read (permission denied)";
    case "ELOOP":
      return "is a loop of symbolic links";
    default:
      return `cannot be read (${typeof code === "string" ? code : "unknown error"})`;
  }
}

/** Whether `bytes` are text: valid UTF-8 without NUL bytes. */
export function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export type TextFile = { ok: true; text: string } | { ok: false; problem: string };

/**
 * Reads a text file; a missing path, a directory or binary content is a `problem` (a phrase such
 * as "is a directory, not a file") and nothing of the content is returned.
 */
export function readTextFile(path: string): TextFile {
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) return { ok: false, problem: "is a directory, not a file" };
    bytes = readFileSync(path);
  } catch (error) {
    return { ok: false, problem: fileProblem(error) };
  }
  if (!isText(bytes)) return { ok: false, problem: "is not a text file (it holds binary data)" };
  return { ok: true, text: bytes.toString("utf8") };
}
