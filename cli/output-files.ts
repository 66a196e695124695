/**
 * The files in generate's output directory, as the map core/catalog/generate.ts reads, but read
 * from disk only when asked. An unchanged 10,000-app run compares each new file with the disk as
 * it is made ({@link OutputFiles.holds}) rather than holding 10,000 texts: what stays alive is
 * the list of names.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { isGeneratedSubdirectory } from "../core/catalog/generate";

const YAML_NAME = /\.ya?ml$/;

export class OutputFiles implements ReadonlyMap<string, string> {
  /** Names as generate writes them: `name.yaml`, or `sub/name.yaml` in a generated subdirectory. */
  private readonly names: ReadonlySet<string>;
  // Two buffers reused by every comparison: the file's bytes and the new text's.
  private disk = Buffer.allocUnsafe(64 * 1024);
  private text = Buffer.allocUnsafe(64 * 1024);

  /** The YAML files directly in `dir` and in the subdirectories generate writes into; none when it does not exist. */
  constructor(private readonly dir: string) {
    this.dir = resolve(dir);
    const names = new Set<string>();
    if (existsSync(this.dir)) {
      for (const entry of readdirSync(this.dir, { withFileTypes: true })) {
        if (entry.isFile() && YAML_NAME.test(entry.name)) names.add(entry.name);
        else if (entry.isDirectory() && isGeneratedSubdirectory(entry.name)) {
          for (const inner of readdirSync(join(this.dir, entry.name), { withFileTypes: true })) {
            if (inner.isFile() && YAML_NAME.test(inner.name)) names.add(`${entry.name}/${inner.name}`);
          }
        }
      }
    }
    this.names = names;
  }

  get size(): number {
    return this.names.size;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** The file's text, read now (nothing is kept). */
  get(name: string): string | undefined {
    return this.names.has(name) ? readFileSync(join(this.dir, name), "utf8") : undefined;
  }

  /** Whether file `name` exists and holds exactly `text`, compared as bytes without decoding it. */
  holds(name: string, text: string): boolean {
    if (!this.names.has(name)) return false;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: a text that fits for sure goes into the reused buffer.
    if (text.length * 3 > this.text.length) this.text = Buffer.allocUnsafe(text.length * 3);
    const length = this.text.write(text);
    if (this.disk.length <= length) this.disk = Buffer.allocUnsafe(length + 1);
    // Joined by hand: `dir` is absolute and normalised, `name` a name listed in it (path.join's
    // normalising was a tenth of the allocation of a 10,000-app run).
    const fd = openSync(`${this.dir}${sep}${name}`, "r");
    try {
      // One byte more than the text: a longer file differs.
      let read = 0;
      for (;;) {
        const n = readSync(fd, this.disk, read, length + 1 - read, read);
        if (n === 0) break;
        read += n;
        if (read > length) return false;
      }
      return read === length && this.disk.compare(this.text, 0, length, 0, length) === 0;
    } finally {
      closeSync(fd);
    }
  }

  keys(): MapIterator<string> {
    return this.names.keys();
  }

  *entries(): MapIterator<[string, string]> {
    for (const name of this.names) yield [name, this.get(name) ?? ""];
  }

  *values(): MapIterator<string> {
    for (const [, text] of this.entries()) yield text;
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }

  forEach(callback: (value: string, key: string, map: ReadonlyMap<string, string>) => void): void {
    for (const [name, text] of this.entries()) callback(text, name, this);
  }
}
