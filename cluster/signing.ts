/**
 * Signed shared models (issue 27): a compiled model in the `brmsts-models` bucket is native code
 * every worker loads (`readRDS`, then its shared object), and R 4.2.2 runs code while it
 * unserializes a crafted file (CVE-2024-27322). So each model a worker uploads carries an
 * Ed25519 signature over its cache key, the platform fingerprint and the SHA-256 of its bytes,
 * and a worker downloads only models signed by one of its trusted public keys, checking the
 * signature and the hash before the bytes reach its disk cache, so before any `readRDS`.
 * `node:crypto` (Ed25519) works the same on Deno and Bun. See docs/model-signing.md.
 *
 * @module
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { Buffer } from "node:buffer";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { BrmstsError } from "../errors.ts";

/**
 * A signing key that cannot be read or is not an Ed25519 key (never shows the key).
 *
 * @example
 * ```ts
 * import { ModelKeyError } from "./signing.ts";
 * new ModelKeyError("models.key is not an Ed25519 private key").code; // "MODEL_KEY"
 * ```
 */
export class ModelKeyError extends BrmstsError {
  /** The code of this class's errors (docs/errors.md). */
  static override readonly code: string = "MODEL_KEY";
}

/**
 * The signature record stored next to a model (`<fingerprint>/<key>.rds.sig`).
 *
 * @example
 * ```ts
 * import type { ModelSignature } from "./signing.ts";
 * const s: ModelSignature = { v: 1, keyId: "0123abcd", sha256: "ab…", signature: "base64…" };
 * ```
 */
export interface ModelSignature {
  /** Format version (1). */
  v: 1;
  /** Id of the signing key (first 16 hex digits of the SHA-256 of its public key). */
  keyId: string;
  /** SHA-256 of the model's bytes, hex. */
  sha256: string;
  /** Ed25519 signature of {@link signedMessage}, base64. */
  signature: string;
}

/**
 * The bytes a model's signature covers: a domain tag, the cache key, the platform
 * fingerprint and the SHA-256 (hex) of the model's bytes.
 *
 * @example
 * ```ts
 * import { signedMessage } from "./signing.ts";
 * signedMessage("k1", "fp", "00").length > 0; // true
 * ```
 */
export function signedMessage(key: string, fingerprint: string, sha256: string): Uint8Array {
  return new TextEncoder().encode(`brmsts-model-v1\0${key}\0${fingerprint}\0${sha256}`);
}

/**
 * SHA-256 of bytes, hex.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./signing.ts";
 * sha256Hex(new Uint8Array()).slice(0, 8); // "e3b0c442"
 * ```
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Id of a public key: the first 16 hex digits of the SHA-256 of its SPKI DER encoding.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync } from "node:crypto";
 * import { keyId } from "./signing.ts";
 * keyId(generateKeyPairSync("ed25519").publicKey).length; // 16
 * ```
 */
export function keyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 16);
}

function ed25519(k: KeyObject, file: string, what: string): KeyObject {
  if (k.asymmetricKeyType !== "ed25519") {
    throw new ModelKeyError(`${file} is not an Ed25519 ${what} key`);
  }
  return k;
}

/**
 * Reads an Ed25519 private key (PEM, PKCS#8) from a file.
 *
 * @example
 * ```ts
 * import { readPrivateKey } from "./signing.ts";
 * const key = readPrivateKey("/etc/brmsts/models.key");
 * ```
 */
export function readPrivateKey(file: string): KeyObject {
  let k: KeyObject;
  try {
    k = createPrivateKey(readFileSync(file));
  } catch (e) {
    throw new ModelKeyError(`cannot read the private key ${file}: ${(e as Error).name}`);
  }
  return ed25519(k, file, "private");
}

/**
 * Reads an Ed25519 public key (PEM, SPKI) from a file.
 *
 * @example
 * ```ts
 * import { readPublicKey } from "./signing.ts";
 * const key = readPublicKey("/etc/brmsts/models.pub");
 * ```
 */
export function readPublicKey(file: string): KeyObject {
  let k: KeyObject;
  try {
    k = createPublicKey(readFileSync(file));
  } catch (e) {
    throw new ModelKeyError(`cannot read the public key ${file}: ${(e as Error).name}`);
  }
  return ed25519(k, file, "public");
}

/**
 * Makes an Ed25519 key pair: `<prefix>.key` (PKCS#8 PEM, mode 0600) and `<prefix>.pub`.
 *
 * @example
 * ```ts
 * import { writeKeyPair } from "./signing.ts";
 * const { privateKey, publicKey, keyId } = await writeKeyPair("/tmp/brmsts-models");
 * ```
 */
export function writeKeyPair(
  prefix: string,
): Promise<{ privateKey: string; publicKey: string; keyId: string }> {
  const pair = generateKeyPairSync("ed25519");
  const privateKey = `${prefix}.key`, publicKey = `${prefix}.pub`;
  // "wx": never overwrite a key; mode 0600 from creation, not after.
  writeFileSync(privateKey, pair.privateKey.export({ type: "pkcs8", format: "pem" }), {
    mode: 0o600,
    flag: "wx",
  });
  chmodSync(privateKey, 0o600); // the umask cannot widen it, but make it exact
  writeFileSync(publicKey, pair.publicKey.export({ type: "spki", format: "pem" }), { flag: "wx" });
  return Promise.resolve({ privateKey, publicKey, keyId: keyId(pair.publicKey) });
}

/**
 * Signs a model's bytes for the bucket.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync } from "node:crypto";
 * import { signModel } from "./signing.ts";
 * const { privateKey } = generateKeyPairSync("ed25519");
 * const sig = signModel(privateKey, "key", "fp", new Uint8Array([1, 2]));
 * ```
 */
export function signModel(
  privateKey: KeyObject,
  key: string,
  fingerprint: string,
  bytes: Uint8Array,
): ModelSignature {
  const sha256 = sha256Hex(bytes);
  const sig = sign(null, signedMessage(key, fingerprint, sha256), privateKey);
  return {
    v: 1,
    keyId: keyId(createPublicKey(privateKey)),
    sha256,
    signature: sig.toString("base64"),
  };
}

/**
 * Whether `sig` is a valid signature, by one of `trusted`, of exactly these bytes as model
 * `key` of platform `fingerprint`. Anything malformed is `false`.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync } from "node:crypto";
 * import { signModel, verifyModel } from "./signing.ts";
 * const { privateKey, publicKey } = generateKeyPairSync("ed25519");
 * const bytes = new Uint8Array([1, 2]);
 * verifyModel([publicKey], "k", "fp", bytes, signModel(privateKey, "k", "fp", bytes)); // true
 * ```
 */
export function verifyModel(
  trusted: readonly KeyObject[],
  key: string,
  fingerprint: string,
  bytes: Uint8Array,
  sig: unknown,
): boolean {
  if (sig === null || typeof sig !== "object") return false;
  const s = sig as Partial<ModelSignature>;
  if (s.v !== 1 || typeof s.signature !== "string" || typeof s.sha256 !== "string") return false;
  const sha256 = sha256Hex(bytes);
  if (s.sha256 !== sha256) return false;
  const raw = Buffer.from(s.signature, "base64");
  if (raw.length !== 64) return false;
  const msg = signedMessage(key, fingerprint, sha256);
  return trusted.some((k) => {
    try {
      return verify(null, msg, k, raw);
    } catch {
      return false;
    }
  });
}
