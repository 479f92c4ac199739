/**
 * Compiled models shared across machines: the worker's disk cache (`<cacheDir>/models/<key>.rds`)
 * mirrored into the `brmsts-models` object store under `<platform fingerprint>/<key>.rds`. The
 * fingerprint hashes R, rstan, StanHeaders, the C++ compiler and the OS, so a model compiled on
 * one machine is reused only where its shared object can load.
 *
 * A model is native code its loader runs, and R 4.2.2 runs code while it unserializes a crafted
 * file: so each upload carries an Ed25519 signature (`<name>.sig`, see signing.ts), and a model
 * is downloaded only when a trusted key signed exactly its bytes, key and platform; its bytes are
 * checked before they reach the disk cache, so before any `readRDS`. A missing or bad signature
 * counts as no model (the worker compiles it) and is logged as `model-signature-invalid`. The
 * cache directory is created private to its user (0700), its files 0600.
 *
 * @module
 */
import { createHash, createPublicKey, type KeyObject, randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { ObjectStore } from "@nats-io/obj";
import type { RWorker } from "../worker/mod.ts";
import { type ModelSignature, signModel, verifyModel } from "./signing.ts";

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

/** Options of {@link ModelShare}: the keys. */
export interface ModelShareOptions {
  /** Private key that signs this worker's uploads (without it, nothing is uploaded). */
  signer?: KeyObject;
  /** Public keys whose signatures are accepted (without any, nothing is downloaded). */
  trusted?: readonly KeyObject[];
  /** Receives `model-signature-invalid` and other events. */
  onLog?: (entry: Record<string, unknown>) => void;
}

/** Cache keys are hex hashes: nothing else may become a file name. */
const KEY = /^[A-Za-z0-9_-]{1,128}$/;

/** Creates `dir` (and parents) private to this user; says whether an existing one is not. */
export function privateDir(dir: string): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return (statSync(dir).mode & 0o077) === 0;
}

/** Mirrors compiled models between the disk cache and the object store. */
export class ModelShare {
  #known = new Set<string>();
  /** Signature-checked failures already logged (name + digest), not logged again. */
  #rejected = new Set<string>();
  readonly #trusted: readonly KeyObject[];
  constructor(
    readonly store: ObjectStore,
    readonly fingerprint: string,
    readonly root: string,
    readonly options: ModelShareOptions = {},
  ) {
    // A worker trusts its own key too: what it signs it can load back.
    this.#trusted = [
      ...(options.trusted ?? []),
      ...(options.signer ? [createPublicKey(options.signer)] : []),
    ];
  }

  #local(key: string): string {
    return join(this.root, "models", `${key}.rds`);
  }

  #log(entry: Record<string, unknown>): void {
    this.options.onLog?.(entry);
  }

  /** The signature record of object `name`, or null. */
  async #signature(name: string): Promise<unknown> {
    const b = await this.store.getBlob(`${name}.sig`).catch(() => null);
    if (!b) return null;
    try {
      return JSON.parse(new TextDecoder().decode(b));
    } catch {
      return null;
    }
  }

  /** Whether object `name` holds model `key`, signed by a trusted key (bytes given). */
  async #valid(name: string, key: string, bytes: Uint8Array): Promise<boolean> {
    return verifyModel(this.#trusted, key, this.fingerprint, bytes, await this.#signature(name));
  }

  /**
   * Downloads the fleet's models of this platform that are missing locally and signed by a
   * trusted key; returns their keys.
   */
  async pull(): Promise<string[]> {
    const got: string[] = [];
    if (this.#trusted.length === 0) return got;
    const prefix = `${this.fingerprint}/`;
    for (const info of await this.store.list()) {
      if (!info.name.startsWith(prefix) || !info.name.endsWith(".rds") || info.deleted) continue;
      const key = info.name.slice(prefix.length, -".rds".length);
      if (!KEY.test(key)) continue;
      const file = this.#local(key);
      if (existsSync(file)) {
        this.#known.add(key);
        continue;
      }
      const seen = `${info.name}@${info.digest}`;
      if (this.#rejected.has(seen)) continue;
      const bytes = await this.store.getBlob(info.name);
      if (!bytes) continue;
      if (!await this.#valid(info.name, key, bytes)) {
        this.#rejected.add(seen);
        this.#log({ event: "model-signature-invalid", key, object: info.name });
        continue;
      }
      this.#known.add(key);
      privateDir(join(this.root, "models"));
      const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
      writeFileSync(tmp, bytes, { mode: 0o600 });
      try {
        renameSync(tmp, file);
        got.push(key);
      } catch {
        rmSync(tmp, { force: true });
      }
    }
    return got;
  }

  /**
   * Uploads the local model `key`, signed, unless the store has it with a valid signature (an
   * unsigned or forged object under its name is replaced). Returns whether it uploaded.
   */
  async push(key: string): Promise<boolean> {
    const signer = this.options.signer;
    if (!signer || this.#known.has(key) || !KEY.test(key)) return false;
    const name = `${this.fingerprint}/${key}.rds`;
    const file = this.#local(key);
    if (!existsSync(file)) return false;
    const bytes = new Uint8Array(readFileSync(file));
    const sig: ModelSignature = signModel(signer, key, this.fingerprint, bytes);
    const info = await this.store.info(name);
    if (info && !info.deleted) {
      const theirs = await this.#signature(name) as Partial<ModelSignature> | null;
      if (theirs?.sha256 === sig.sha256) {
        const have = await this.store.getBlob(name);
        if (have && await this.#valid(name, key, have)) {
          this.#known.add(key);
          return false;
        }
      }
      this.#log({ event: "model-replaced", key, object: name });
    }
    await this.store.putBlob({ name }, bytes);
    await this.store.putBlob(
      { name: `${name}.sig` },
      new TextEncoder().encode(JSON.stringify(sig)),
    );
    this.#known.add(key);
    return true;
  }
}
