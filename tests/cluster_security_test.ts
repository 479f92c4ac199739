/**
 * A cluster behind credentials, TLS and least-privilege roles: nats-server started with the
 * roles configuration of docs/cluster-security.md (read from the doc) plus TLS with client
 * verification, using a CA and certificates made here with openssl. Allowed calls work (a worker
 * creates the infrastructure and fits a real job a submitter queued); forbidden ones (no
 * credentials, wrong password, no client certificate, no CA, a submitter taking from the work
 * queue or writing the model bucket, a worker writing the model bucket) fail fast with
 * `ClusterAuthError` / `ClusterPermissionError`; no secret appears in logs, errors or CLI output.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { jetstream } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { GAUSSIAN_PRIORS, groupData, ROOT, TEST_CACHE } from "./brm_shared.ts";
import { runScriptArgv } from "./_util.ts";
import { makeCerts, type NatsServer, startNats, type TestCerts } from "./nats_shared.ts";
import {
  ClusterAuthError,
  type ClusterConnectionOptions,
  ClusterPermissionError,
  connectCluster,
  startWorker,
} from "../cluster/mod.ts";
import { openConnection } from "../cluster/connect.ts";
import { JOB_CONSUMER, JOB_STREAM, MODEL_BUCKET } from "../cluster/protocol.ts";

process.env.BRMSTS_CACHE_DIR ??= TEST_CACHE;

const secret = (role: string) => `${role}-${crypto.randomUUID().replaceAll("-", "")}`;
const PW = { submitter: secret("sub"), worker: secret("wrk"), builder: secret("bld") };
const WRONG = secret("wrong");
const ALL_SECRETS = [...Object.values(PW), WRONG];

function rolesConfig(): string {
  const doc = readFileSync(join(ROOT, "docs", "cluster-security.md"), "utf8");
  const m = /# --- brmsts roles \(begin\) ---\n([\s\S]*?)# --- brmsts roles \(end\) ---/.exec(doc);
  assert.ok(m, "docs/cluster-security.md holds the roles configuration");
  return m[1];
}

let dir: string;
let certs: TestCerts;
let nats: NatsServer;
let tls: ClusterConnectionOptions["tls"];

/** Everything a secret must not reach: errors, logs, CLI output. */
const captured: string[] = [];
const keep = (x: unknown) => {
  captured.push(
    typeof x === "string"
      ? x
      : `${(x as Error)?.name}: ${(x as Error)?.message} ${JSON.stringify(x)}`,
  );
  return x;
};

async function rejectsWith<T extends Error>(
  p: Promise<unknown>,
  cls: new (...a: never[]) => T,
): Promise<T> {
  const e = await p.then(() => null, (err) => err);
  assert.ok(
    e instanceof cls,
    `expected ${cls.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`,
  );
  keep(e);
  return e as T;
}

function cli(args: string[], env: Record<string, string> = {}) {
  const [cmd, ...pre] = runScriptArgv(join(ROOT, "cli.ts"));
  return new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
    execFile(cmd, [...pre, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      timeout: 120_000,
    }, (err, stdout, stderr) => {
      captured.push(stdout, stderr);
      res({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr });
    });
  });
}

describe("cluster security", { timeout: 900_000 }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "brmsts-sec-"));
    certs = makeCerts(dir);
    tls = { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey };
    nats = await startNats({
      noWebsocket: true,
      env: {
        BRMSTS_SUBMITTER_PASSWORD: PW.submitter,
        BRMSTS_WORKER_PASSWORD: PW.worker,
        BRMSTS_BUILDER_PASSWORD: PW.builder,
      },
      config: `${rolesConfig()}
tls {
  cert_file: "${certs.serverCert}"
  key_file: "${certs.serverKey}"
  ca_file: "${certs.ca}"
  verify: true
  timeout: 2
}
`,
    });
  });
  after(async () => {
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a client without credentials, with a wrong password, without a certificate or CA", async () => {
    const none = await rejectsWith(
      connectCluster({ servers: nats.url, tls, env: false }),
      ClusterAuthError,
    );
    assert.equal(none.code, "no-credentials");
    const wrong = await rejectsWith(
      connectCluster({
        servers: nats.url.replace("nats://", `nats://submitter:${WRONG}@`),
        tls,
        env: false,
      }),
      ClusterAuthError,
    );
    assert.equal(wrong.code, "auth-failed");
    assert.match(wrong.message, /user submitter and password from url/);
    assert.match(wrong.message, /nats:\/\/submitter:\*\*\*@127\.0\.0\.1/);
    const noCert = await rejectsWith(
      connectCluster({
        servers: nats.url,
        user: "submitter",
        password: PW.submitter,
        tls: { caFile: certs.ca },
        env: false,
      }),
      ClusterAuthError,
    );
    assert.equal(noCert.code, "tls-client-cert-required");
    const noCa = await rejectsWith(
      connectCluster({
        servers: nats.url,
        user: "submitter",
        password: PW.submitter,
        tls: { certFile: certs.clientCert, keyFile: certs.clientKey },
        env: false,
      }),
      ClusterAuthError,
    );
    assert.equal(noCa.code, "tls-failed");
    const ws = await rejectsWith(
      connectCluster({ servers: "ws://127.0.0.1:1", tls, env: false }),
      ClusterAuthError,
    );
    assert.equal(ws.code, "tls-unsupported");
    assert.match(ws.message, /(Deno|Bun|Node)'s WebSocket/);
  });

  it("runs a job: a worker takes it, a submitter (credentials from NATS_* variables) gets the result", async () => {
    const logs: Record<string, unknown>[] = [];
    const worker = await startWorker({
      servers: nats.url,
      user: "worker",
      password: PW.worker,
      tls,
      env: false,
      name: "sec-worker",
      onLog: (e) => logs.push(e),
    });
    try {
      const cluster = await connectCluster({
        env: {
          NATS_URL: nats.url,
          NATS_USER: "submitter",
          NATS_PASSWORD: PW.submitter,
          NATS_CA: certs.ca,
          NATS_CERT: certs.clientCert,
          NATS_KEY: certs.clientKey,
        },
      });
      try {
        const job = await cluster.submit({
          formula: "y ~ g",
          data: groupData(31, 1),
          priors: GAUSSIAN_PRIORS,
          chains: 1,
          iter: 200,
          seed: 1,
        });
        const r = await job.result();
        assert.equal(r.worker, "sec-worker");
        assert.deepEqual(r.idata.get("posterior", "b_Intercept").shape, [1, 100]);
        const q = await cluster.queueStatus();
        captured.push(JSON.stringify(q));
        assert.equal(q.queued, 0);
        // The submitter cannot take jobs from the work queue: denied at once, not a time-out.
        const conn = await openConnection({
          servers: nats.url,
          user: "submitter",
          password: PW.submitter,
          tls,
          env: false,
        });
        try {
          const c = await jetstream(conn.nc).consumers.get(JOB_STREAM, JOB_CONSUMER);
          const take = await rejectsWith(
            conn.guarded(() => c.next({ expires: 60_000 })),
            ClusterPermissionError,
          );
          assert.equal(take.subject, `$JS.API.CONSUMER.MSG.NEXT.${JOB_STREAM}.${JOB_CONSUMER}`);
          assert.equal(take.code, "CLUSTER_PERMISSION");
          // …nor write the compiled-model bucket.
          const models = await new Objm(conn.nc).open(MODEL_BUCKET);
          const put = await rejectsWith(
            conn.guarded(() => models.putBlob({ name: "fp/forged.rds" }, new Uint8Array(8))),
            ClusterPermissionError,
          );
          assert.match(put.subject, /brmsts-models/);
          // …nor publish job events as if it were a worker.
          const ev = await rejectsWith(
            conn.guarded(() => {
              conn.nc.publish("brmsts.events.forged", new Uint8Array(1));
              return conn.nc.flush();
            }),
            ClusterPermissionError,
          );
          assert.equal(ev.subject, "brmsts.events.forged");
        } finally {
          await conn.nc.close();
        }
      } finally {
        await cluster.close();
      }
    } finally {
      await worker.stop();
    }
    captured.push(JSON.stringify(logs));
    assert.ok(logs.some((l) => l.event === "done"));
    // The worker role may not upload compiled models: the upload is denied, nothing else is.
    const denied = logs.filter((l) => l.event === "permission-denied").map((l) => l.subject);
    assert.ok(denied.every((s) => /brmsts-models/.test(String(s))), String(denied));
  });

  it("lets only the model publisher write compiled models", async () => {
    for (const [user, allowed] of [["worker", false], ["builder", true]] as const) {
      const conn = await openConnection({
        servers: nats.url,
        user,
        password: PW[user],
        tls,
        env: false,
      });
      try {
        const models = await new Objm(conn.nc).open(MODEL_BUCKET);
        const p = conn.guarded(() => models.putBlob({ name: `fp/${user}.rds` }, new Uint8Array(4)));
        if (allowed) {
          await p;
          assert.equal((await models.getBlob(`fp/${user}.rds`))?.length, 4);
        } else await rejectsWith(p, ClusterPermissionError);
      } finally {
        await conn.nc.close();
      }
    }
  });

  it("CLI: status with credentials in the URL, and a wrong password (exit 2), leak no secret", async () => {
    const tlsFlags = [
      "--nats-ca",
      certs.ca,
      "--nats-cert",
      certs.clientCert,
      "--nats-key",
      certs.clientKey,
    ];
    const ok = await cli([
      "status",
      "--nats",
      nats.url.replace("nats://", `nats://submitter:${PW.submitter}@`),
      ...tlsFlags,
      "--no-local",
      "--json",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).cluster.queued, 0);
    const bad = await cli(["status", "--nats", nats.url, "--no-local", "--json", ...tlsFlags], {
      NATS_USER: "submitter",
      NATS_PASSWORD: WRONG,
    });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /ClusterAuthError: .*refused the credentials/);
    const none = await cli(["worker", "--nats", nats.url, ...tlsFlags], { NATS_TOKEN: WRONG });
    assert.equal(none.code, 2, none.stderr);
  });

  it("no secret reached any error, log or output", () => {
    const all = captured.join("\n");
    assert.ok(all.length > 1000);
    for (const s of ALL_SECRETS) assert.ok(!all.includes(s), `a secret leaked: ${s.slice(0, 4)}…`);
  });
});
