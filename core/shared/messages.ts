/**
 * The pieces every error message is made of, so they read the same everywhere: a value shown as a
 * short excerpt (never a whole file, key or token someone pasted into the wrong place), and one
 * "did you mean" for misspelt keys and names.
 */

/** A single-line value up to this many characters is shown whole. */
export const EXCERPT_WHOLE = 64;
/** Of a longer or multi-line value, at most this many characters of its first line are shown. */
export const EXCERPT_HEAD = 32;

/**
 * `value` as a message shows it: JSON-quoted, whole when short and on one line; otherwise the
 * start of its first line and how long it is. A pasted private key shows as
 * `"-----BEGIN OPENSSH PRIVATE KEY--…" (7 lines)`, never its body.
 */
export function excerpt(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  const lines = text.split(/\r?\n/);
  if (lines.length === 1 && text.length <= EXCERPT_WHOLE) {
    return typeof value === "string" ? JSON.stringify(value) : text;
  }
  const first = lines[0] ?? "";
  const head = first.length > EXCERPT_HEAD ? first.slice(0, EXCERPT_HEAD) : first;
  const size = lines.length > 1 ? `${lines.length} lines` : `${text.length} characters`;
  return `${JSON.stringify(`${head}…`)} (${size})`;
}

/**
 * A finished message with every quoted string in it cut to an excerpt: the safety net for messages
 * built with `JSON.stringify(value)` before they are printed.
 */
export function shortenQuoted(message: string): string {
  return message.replace(/"(?:[^"\\\n]|\\.)*"/g, (quoted) => {
    let value: unknown;
    try {
      value = JSON.parse(quoted);
    } catch {
      return quoted;
    }
    return typeof value === "string" ? excerpt(value) : quoted;
  });
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitute));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate closest to `word` (ignoring case) when it is a plausible typo of it: at most two
 * edits, or a third of the word for long words. The one "did you mean" of the project.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** `did you mean "x"? ` (with a trailing space), or "" when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const guess = closest(word, candidates);
  return guess === undefined ? "" : `did you mean ${JSON.stringify(guess)}? `;
}

/** The first `limit` items, comma-separated, then "and N more" for the rest. */
export function listSome(items: readonly string[], limit = 10): string {
  return items.length > limit
    ? `${items.slice(0, limit).join(", ")} and ${items.length - limit} more`
    : items.join(", ");
}

/** The message for a key a schema does not have, listing the ones it does. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const alternatives = known.length === 0 ? "remove it" : `remove it, or use one of ${known.join(", ")}`;
  return `unknown key ${excerpt(key)}: ${didYouMean(key, known)}${alternatives}`;
}

/** One line of a YAML parser error, cut so that it can quote at most a few characters of the file. */
export function yamlErrorText(message: string): string {
  const first = shortenQuoted(message.split("\n")[0] ?? "").trim();
  return first.length > 80 ? `${first.slice(0, 77)}…` : first;
}
