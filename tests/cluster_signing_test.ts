/**
 * Signed shared models (issue 27): `brmsts keygen` writes an Ed25519 pair (private key 0600);
 * a model in the `brmsts-models` bucket is loaded only when a trusted key signed its cache key,
 * platform and bytes. A crafted RDS (a serialized promise that R 4.2.2 forces when the object
 * is used: shown to create its file when read) placed in the bucket by someone without the key
 * never reaches a worker's disk or R; a model whose bytes changed after signing neither; a
 * worker with an empty cache compiles instead, logs `model-signature-invalid`, replaces the
 * object with its own signed model, and its cache directory is private (0700).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { GAUSSIAN_PRIORS, groupData, ROOT, TEST_CACHE } from "./brm_shared.ts";
import { runScriptArgv } from "./_util.ts";
import { type NatsServer, startNats } from "./nats_shared.ts";
import { brm } from "../brms/mod.ts";
import { defaultWorker, shutdown } from "../worker/mod.ts";
import { type Cluster, connectCluster, startWorker } from "../cluster/mod.ts";
import { MODEL_BUCKET } from "../cluster/protocol.ts";
import { ModelShare, platformFingerprint } from "../cluster/_models.ts";
import { readPrivateKey, readPublicKey, signModel, verifyModel } from "../cluster/signing.ts";

/** Writes an RDS whose object is a promise running `touch mark` when used (CVE-2024-27322). */
function craftRds(mark: string, out: string): void {
  const r = `
code <- serialize(call("system", paste("touch", shQuote(${
    JSON.stringify(mark)
  }))), NULL, version = 2)
int <- function(i) writeBin(as.integer(i), raw(), size = 4, endian = "big")
writeBin(c(charToRaw("X\\n"), int(2), int(4 * 65536 + 2 * 256), int(2 * 65536 + 3 * 256),
  int(5 + bitwShiftL(1, 10)), int(253), int(252), code[-(1:14)]), ${JSON.stringify(out)})`;
  execFileSync("Rscript", ["-e", r]);
}

describe("model signing", () => {
  let dir: string;
  let nats: NatsServer;
  let cluster: Cluster;
  let keys: { privateKey: string; publicKey: string };
  const cli = (args: string[]) => {
    const [cmd, ...pre] = runScriptArgv(join(ROOT, "cli.ts"));
    return spawnSync(cmd, [...pre, ...args], { cwd: ROOT, encoding: "utf8" });
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "brmsts-signing-"));
    nats = await startNats();
    cluster = await connectCluster({ servers: nats.url });
  });
  after(async () => {
    await cluster?.close();
    await shutdown();
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("brmsts keygen writes a private key only its user can read, and never overwrites", () => {
    const r = cli(["keygen", "--out", join(dir, "fleet"), "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    keys = { privateKey: out.privateKey, publicKey: out.publicKey };
    assert.equal(statSync(keys.privateKey).mode & 0o777, 0o600);
    assert.match(out.keyId, /^[0-9a-f]{16}$/);
    assert.equal(readPrivateKey(keys.privateKey).asymmetricKeyType, "ed25519");
    assert.ok(!r.stdout.includes("PRIVATE KEY") && !r.stderr.includes("PRIVATE KEY"));
    const again = cli(["keygen", "--out", join(dir, "fleet")]);
    assert.notEqual(again.status, 0);
    assert.equal(readPrivateKey(keys.privateKey).asymmetricKeyType, "ed25519");
  });

  it("a signature covers the cache key, the platform and every byte", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const other = generateKeyPairSync("ed25519").publicKey;
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const sig = signModel(privateKey, "k1", "fp1", bytes);
    assert.equal(verifyModel([publicKey], "k1", "fp1", bytes, sig), true);
    assert.equal(verifyModel([other], "k1", "fp1", bytes, sig), false, "untrusted key");
    assert.equal(verifyModel([publicKey], "k2", "fp1", bytes, sig), false, "other key");
    assert.equal(verifyModel([publicKey], "k1", "fp2", bytes, sig), false, "other platform");
    assert.equal(verifyModel([publicKey], "k1", "fp1", new Uint8Array([1, 2, 3, 5]), sig), false);
    assert.equal(verifyModel([publicKey], "k1", "fp1", bytes, { ...sig, sha256: "0" }), false);
    assert.equal(verifyModel([publicKey], "k1", "fp1", bytes, null), false);
  });

  it("the crafted RDS is live: reading and using it in R creates its file", () => {
    const mark = join(dir, "proof-mark");
    craftRds(mark, join(dir, "proof.rds"));
    execFileSync("Rscript", ["-e", `x <- readRDS(${JSON.stringify(join(dir, "proof.rds"))}); x`]);
    assert.equal(existsSync(mark), true);
  });

  it("a worker never loads a forged or altered model: it compiles, and replaces it signed", async () => {
    const { Objm } = await import("@nats-io/obj");
    const store = await new Objm(cluster.nc).create(MODEL_BUCKET);
    defaultWorker().setConsoleOutput("silent");
    const job = {
      formula: "y ~ g",
      data: groupData(30, 7),
      priors: GAUSSIAN_PRIORS,
      chains: 1,
      iter: 200,
      seed: 7,
    };
    const local = await brm({ ...job, cacheDir: TEST_CACHE, progress: false });
    const key = local.cacheKey!;
    const fp = (await platformFingerprint(defaultWorker())).id;
    const name = `${fp}/${key}.rds`;
    const mark = join(dir, "worker-mark");
    craftRds(mark, join(dir, "evil.rds"));
    const evil = new Uint8Array(readFileSync(join(dir, "evil.rds")));
    const trusted = [readPublicKey(keys.publicKey)];
    const logs: Record<string, unknown>[] = [];
    const onLog = (e: Record<string, unknown>) => logs.push(e);
    const pullInto = async (root: string) =>
      await new ModelShare(store, fp, root, { trusted, onLog }).pull();

    // 1. No signature at all.
    await store.putBlob({ name }, evil);
    const c1 = mkdtempSync(join(dir, "c1-"));
    assert.deepEqual(await pullInto(c1), []);
    assert.equal(existsSync(join(c1, "models", `${key}.rds`)), false);
    // 2. Signed by a key nobody trusts (the attacker's own).
    const attacker = generateKeyPairSync("ed25519").privateKey;
    const forged = signModel(attacker, key, fp, evil);
    await store.putBlob({ name: `${name}.sig` }, new TextEncoder().encode(JSON.stringify(forged)));
    assert.deepEqual(await pullInto(mkdtempSync(join(dir, "c2-"))), []);
    // 3. A real model signed with the fleet key, whose bytes were changed after signing.
    const real = new Uint8Array(readFileSync(join(TEST_CACHE, "models", `${key}.rds`)));
    const signer = readPrivateKey(keys.privateKey);
    const sig = signModel(signer, key, fp, real);
    await store.putBlob({ name: `${name}.sig` }, new TextEncoder().encode(JSON.stringify(sig)));
    const altered = real.slice();
    altered[altered.length - 1] ^= 1;
    await store.putBlob({ name }, altered);
    assert.deepEqual(await pullInto(mkdtempSync(join(dir, "c3-"))), []);
    const invalid = logs.filter((e) => e.event === "model-signature-invalid");
    assert.equal(invalid.length, 3, JSON.stringify(logs));
    // 4. The crafted bytes again (with the fleet's valid signature of other bytes) for the worker.
    await store.putBlob({ name }, evil);

    // A worker with an empty model cache (the compiler's header cache shared, to save a
    // minute): it must compile, never load the object.
    const cache = mkdtempSync(join(dir, "worker-cache-"));
    if (existsSync(join(TEST_CACHE, "compiler"))) {
      symlinkSync(join(TEST_CACHE, "compiler"), join(cache, "compiler"));
    }
    const prev = process.env.BRMSTS_CACHE_DIR;
    process.env.BRMSTS_CACHE_DIR = cache;
    const wlogs: Record<string, unknown>[] = [];
    const worker = await startWorker({
      servers: nats.url,
      ackWaitMs: 60_000,
      signingKey: keys.privateKey,
      trustedKeys: [keys.publicKey],
      onLog: (e) => wlogs.push(e),
    });
    try {
      const res = await (await cluster.submit(job)).result();
      assert.equal(res.draws.numRows, 100);
      const done = wlogs.find((e) => e.event === "done");
      assert.equal(done?.cache, "compiled", JSON.stringify(wlogs));
      assert.ok(wlogs.some((e) => e.event === "model-signature-invalid" && e.key === key));
      assert.equal(existsSync(mark), false, "the crafted model was never loaded");
      assert.equal(statSync(join(cache, "models")).mode & 0o077, 0, "cache private to its user");
      // Its own upload replaced the crafted object, signed: another machine can use it.
      let pulled: string[] = [];
      for (let i = 0; i < 100 && !pulled.includes(key); i++) {
        await new Promise((r) => setTimeout(r, 200));
        pulled = await pullInto(mkdtempSync(join(dir, "c4-")));
      }
      assert.deepEqual(pulled, [key]);
    } finally {
      await worker.stop();
      if (prev === undefined) delete process.env.BRMSTS_CACHE_DIR;
      else process.env.BRMSTS_CACHE_DIR = prev;
    }
    assert.equal(existsSync(mark), false);
    writeFileSync(join(dir, "done"), "");
  });
});
