/**
 * Durations as the controllers read them. Kubernetes `metav1.Duration` fields are parsed with Go's
 * `time.ParseDuration`: an optional sign, then numbers with an optional fraction, each with a unit
 * (ns, us, µs, μs, ms, s, m, h), such as 300ms, 1.5h or 2h45m; "0" alone is zero; the total must
 * fit in an int64 of nanoseconds. Flux's CRDs further restrict their intervals to the pattern
 * `^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$` (fluxcd/kustomize-controller api/v1 kustomization_types.go).
 */

const NANOS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n, // micro sign
  "\u03bcs": 1_000n, // Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NANOS = (1n << 63n) - 1n;

/** The pattern Flux's CRDs put on `interval`, `retryInterval` and `timeout`. */
export const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/**
 * The duration in nanoseconds, as Go's `time.ParseDuration` reads `text`, or undefined when Go
 * would refuse it.
 */
export function goDurationNanos(text: string): bigint | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") return undefined;
  let total = 0n;
  while (rest !== "") {
    const number = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest);
    const whole = number?.[1] ?? "";
    const fraction = number?.[2];
    if (whole === "" && (fraction ?? "") === "") return undefined;
    rest = rest.slice(number?.[0].length ?? 0);
    const unitMatch = /^[^0-9.]+/.exec(rest);
    const unit = unitMatch === null ? undefined : NANOS[unitMatch[0]];
    if (unitMatch === null || unit === undefined) return undefined;
    rest = rest.slice(unitMatch[0].length);
    let value = BigInt(whole === "" ? "0" : whole) * unit;
    if (fraction !== undefined && fraction !== "") {
      // Go scales the fraction in floating point; the same precision is enough here.
      value += BigInt(Math.floor(Number(`0.${fraction}`) * Number(unit)));
    }
    total += value;
    if (total > MAX_NANOS + 1n) return undefined;
  }
  if (!negative && total > MAX_NANOS) return undefined;
  return negative ? -total : total;
}

/**
 * Why `text` is not a usable Flux interval (a positive Go duration in the form Flux's CRDs accept),
 * or undefined when it is one.
 */
export function fluxDurationProblem(text: string): string | undefined {
  const example = "such as 30s, 10m, 1.5h or 1h30m (units ms, s, m, h)";
  const nanos = goDurationNanos(text);
  if (nanos === undefined) return `must be a Go duration ${example}`;
  if (nanos <= 0n)
    return `must be longer than 0: Flux reconciles again after this long; use a duration ${example}`;
  if (!FLUX_DURATION.test(text)) {
    return `is a Go duration, but Flux's CRD accepts only whole or decimal numbers with the units ms, s, m or h; write it ${example}`;
  }
  return undefined;
}
