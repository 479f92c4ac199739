/**
 * Small file-system helpers shared by the environment modules (node:fs only, so they run the
 * same in Deno and Bun).
 *
 * @module
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import process from "node:process";

/** A short random token for unique temporary names. */
export function token(): string {
  return `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** The `code` of a Node-style error, if any. */
export function errnoCode(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

/** Flushes a directory's entries to disk (best effort: not every platform allows it). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    /* not supported here */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `text` to `path` atomically: a temporary file in the same directory is written,
 * flushed and renamed over `path`, so readers see the old or the new content, never a mix.
 */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${token()}.tmp`);
  const fd = openSync(tmp, "wx", 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(dirname(path));
}

/**
 * Removes a directory tree so that it vanishes from its parent in one step: it is first renamed
 * to a hidden trash name next to it, then deleted. Missing paths are ignored.
 */
export function removeTree(path: string): void {
  const trash = join(dirname(path), `.trash-${basename(path)}-${token()}`);
  try {
    renameSync(path, trash);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return;
    throw e;
  }
  rmSync(trash, { recursive: true, force: true });
}

/** True when `path` is an existing directory. */
export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Directory entries that are not hidden (no leading dot), or [] when the directory is missing. */
export function visibleEntries(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith(".")).sort();
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return [];
    throw e;
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}
