/**
 * Compiled models shared across machines: the worker's disk cache (`<cacheDir>/models/<key>.rds`)
 * mirrored into the `brmsts-models` object store under `<platform fingerprint>/<key>.rds`. The
 * fingerprint hashes R, rstan, StanHeaders, the C++ compiler and the OS, so a model compiled on
 * one machine is reused only where its shared object can load.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { ObjectStore } from "@nats-io/obj";
import type { RWorker } from "../worker/mod.ts";

let fingerprintR: string | undefined;

/** Platform facts of the worker's R and a short hash of them. */
export async function platformFingerprint(
  w: RWorker,
): Promise<{ id: string; facts: Record<string, string> }> {
  fingerprintR ??= readFileSync(new URL("./fingerprint.R", import.meta.url), "utf8");
  const v = await w.eval(fingerprintR) as Record<string, string> | string[];
  const facts = Array.isArray(v) ? Object.fromEntries(v.map((x, i) => [String(i), x])) : v;
  const h = createHash("sha256");
  for (const k of Object.keys(facts).sort()) h.update(`${k}=${facts[k]}\0`);
  return { id: h.digest("hex").slice(0, 16), facts };
}

/** Mirrors compiled models between the disk cache and the object store. */
export class ModelShare {
  #known = new Set<string>();
  constructor(readonly store: ObjectStore, readonly fingerprint: string, readonly root: string) {}

  #local(key: string): string {
    return join(this.root, "models", `${key}.rds`);
  }

  /** Downloads the fleet's models of this platform that are missing locally. */
  async pull(): Promise<string[]> {
    const got: string[] = [];
    const prefix = `${this.fingerprint}/`;
    for (const info of await this.store.list()) {
      if (!info.name.startsWith(prefix) || info.deleted) continue;
      const key = info.name.slice(prefix.length).replace(/\.rds$/, "");
      this.#known.add(key);
      const file = this.#local(key);
      if (existsSync(file)) continue;
      const bytes = await this.store.getBlob(info.name);
      if (!bytes) continue;
      mkdirSync(join(this.root, "models"), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
      writeFileSync(tmp, bytes);
      try {
        renameSync(tmp, file);
        got.push(key);
      } catch {
        rmSync(tmp, { force: true });
      }
    }
    return got;
  }

  /** Uploads the local model `key` unless the store has it. Returns whether it uploaded. */
  async push(key: string): Promise<boolean> {
    if (this.#known.has(key)) return false;
    const name = `${this.fingerprint}/${key}.rds`;
    if (await this.store.info(name)) {
      this.#known.add(key);
      return false;
    }
    const file = this.#local(key);
    if (!existsSync(file)) return false;
    await this.store.putBlob({ name }, readFileSync(file));
    this.#known.add(key);
    return true;
  }
}
