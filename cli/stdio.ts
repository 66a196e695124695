/**
 * Printing without `process.stdout`: creating that stream loads Node's stream and pipe machinery,
 * ~8 ms of a ~0.15 s `generate` in a pre-commit hook. Writes go straight to the descriptor; one
 * that is non-blocking and full (EAGAIN) hands the rest, and everything after it, to the stream,
 * so the order is kept. A reader that went away (EPIPE, `| head`) ends the printing, not the run.
 */
import { writeSync } from "node:fs";

const viaStream = new Set<1 | 2>();

function print(fd: 1 | 2, text: string): void {
  const stream = () => (fd === 1 ? process.stdout : process.stderr);
  if (viaStream.has(fd)) {
    stream().write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let at = 0;
  try {
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EPIPE") return;
    if (code !== "EAGAIN") throw error;
    viaStream.add(fd);
    stream().write(bytes.subarray(at));
  }
}

/** Writes `text` to standard output. */
export const printOut = (text: string): void => print(1, text);

/** Writes `text` to standard error. */
export const printErr = (text: string): void => print(2, text);
