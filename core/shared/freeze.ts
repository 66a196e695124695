/**
 * Values shared by many objects are frozen, so a later edit through one of them fails loudly
 * instead of changing them all (10,000 apps share their category's settings).
 */

/** Freezes `value` and everything inside it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
