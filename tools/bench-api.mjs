// `cargo xtask bench`: API throughput against a release server on loopback.
// Keep-alive HTTP/1.1 from Node (one process: for the cheapest endpoints the
// client, not the server, may be the limit — the table says requests per second
// as seen by this client). Prints a Markdown table for docs/benchmarks.md.
import http from "node:http";

const BASE_URL = new URL(process.env.BASE_URL ?? "http://127.0.0.1:8080");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(method, path, { body, raw, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const data = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const req = http.request(
      {
        host: BASE_URL.hostname,
        port: BASE_URL.port,
        method,
        path,
        agent,
        headers: { ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}

/** Runs `call` from `concurrency` loops for SECONDS (or until `call` gives `null`: nothing
 * left to send); every answer must have `status`. */
async function load(name, concurrency, status, call) {
  const latencies = [];
  let failures = 0;
  const until = performance.now() + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const t = performance.now();
      const r = await call();
      if (r === null) return;
      latencies.push(performance.now() - t);
      if (r.status !== status) failures++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(1);
  if (failures > 0) throw new Error(`${name}: ${failures} of ${latencies.length} answers were not ${status}`);
  return `| ${name} | ${concurrency} | ${Math.round(latencies.length / elapsed)} | ${pct(0.5)} | ${pct(0.99)} |`;
}

// One organization with an admin, signed in, and 50 invitations (the hourly limit).
const email = `bench-${Date.now()}@example.com`;
const password = "bench-passphrase-2026";
const reg = await request("POST", "/api/v1/auth/register", {
  body: { org_name: "Bench Co", org_kind: "customer", name: "Bench Admin", email, password },
});
if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.body}`);
const cookie = reg.headers["set-cookie"][0].split(";")[0];
const csrf = JSON.parse(reg.body).csrf_token;
const session = { cookie, "x-csrf-token": csrf };
// Inviting needs a confirmed address: open the link of the verification mail (dev outbox).
const outbox = JSON.parse((await request("GET", "/api/v1/dev/outbox")).body);
const token = outbox.find((m) => m.to === email && m.kind === "email_verification")?.text.match(/token=([\w-]+)/)?.[1];
const verified = await request("POST", "/api/v1/auth/verify-email", { body: { token } });
if (verified.status !== 200) throw new Error(`verify: ${verified.status} ${verified.body}`);
for (let i = 0; i < 50; i++) {
  const r = await request("POST", "/api/v1/invitations", { body: { email: `person${i}@bench.example` }, headers: session });
  if (r.status !== 201) throw new Error(`invite: ${r.status} ${r.body}`);
}

const rows = [
  await load("GET /api/v1/health", 32, 200, () => request("GET", "/api/v1/health")),
  await load("GET /signin (app shell, SPA fallback)", 32, 200, () => request("GET", "/signin", { headers: { "accept-encoding": "br" } })),
  await load("GET /api/v1/me (session look-up)", 32, 200, () => request("GET", "/api/v1/me", { headers: session })),
  await load("GET /api/v1/invitations (50 rows)", 32, 200, () => request("GET", "/api/v1/invitations", { headers: session })),
  await load("PATCH /api/v1/me (one write)", 32, 200, () =>
    request("PATCH", "/api/v1/me", { body: { name: "Bench Admin" }, headers: session }),
  ),
  await load("POST /api/v1/auth/login (Argon2id)", 4, 200, () => request("POST", "/api/v1/auth/login", { body: { email, password } })),
];
// Redemptions: each a credit-moving write, durable when answered. Codes issued by the CLI
// (BENCH_CODES, one per line); one locker, the worst case (one balance row for every write).
if (process.env.BENCH_CODES) {
  const codes = (await import("node:fs")).readFileSync(process.env.BENCH_CODES, "utf8").split("\n").filter(Boolean);
  let next = 0;
  rows.push(
    await load(`POST /api/v1/locker/redeem (durable write; ${codes.length} codes)`, Number(process.env.BENCH_REDEEM_CONCURRENCY ?? 32), 200, () =>
      next < codes.length
        ? request("POST", "/api/v1/locker/redeem", { body: { code: codes[next++] }, headers: session })
        : Promise.resolve(null),
    ),
  );
  if (next >= codes.length) rows.push("| (the codes ran out before the time: the figure above is a lower bound) | | | | |");
}
// License creations: each consumes credits durably (a ledger entry, the license, its event, an
// outbox mail and the Idempotency-Key's answer in one transaction of the credit writer).
if (process.env.BENCH_LICENSE_CODE) {
  const r = await request("POST", "/api/v1/locker/redeem", { body: { code: process.env.BENCH_LICENSE_CODE }, headers: session });
  if (r.status !== 200) throw new Error(`redeem the license credits: ${r.status} ${r.body}`);
  let n = 0;
  const body = { product: "DCM", tier: "STD", term_months: 12, quantity: 1, installer_email: email };
  rows.push(
    await load("POST /api/v1/licenses (durable write, Idempotency-Key)", Number(process.env.BENCH_LICENSE_CONCURRENCY ?? 32), 201, () =>
      request("POST", "/api/v1/licenses", { body, headers: { ...session, "idempotency-key": `bench-${n++}` } }),
    ),
  );
  const list = await request("GET", "/api/v1/licenses", { headers: session });
  const count = JSON.parse(list.body).licenses.length;
  rows.push(
    await load(`GET /api/v1/licenses (${count} licenses)`, 4, 200, () => request("GET", "/api/v1/licenses", { headers: session })),
  );
}
// Device import: one CSV of 10,000 rows, timed once (issue 13 aims under 2 s in release).
{
  const header = "serial,model,name,site,battery_replace_by,warranty_expires_on\n";
  const rowsCsv = Array.from({ length: 10000 }, (_, i) =>
    `BENCH${String(i).padStart(6, "0")},Smart-UPS ${1000 + (i % 5) * 500},UPS ${i},Site ${i % 40},2027-0${1 + (i % 9)}-15,2028-12-31`,
  ).join("\n");
  const started = performance.now();
  const r = await request("POST", "/api/v1/devices/import", { raw: header + rowsCsv, headers: { ...session, "content-type": "text/csv" } });
  const ms = performance.now() - started;
  if (r.status !== 200) throw new Error(`import: ${r.status} ${r.body.slice(0, 300)}`);
  rows.push(`| POST /api/v1/devices/import (10,000-row CSV, ${(header.length + rowsCsv.length) >> 10} KiB), once | 1 | — | ${ms.toFixed(0)} | — |`);
  const listed = performance.now();
  const list = await request("GET", "/api/v1/devices", { headers: session });
  rows.push(`| GET /api/v1/devices (10,000 devices, ${list.body.length >> 10} KiB), once | 1 | — | ${(performance.now() - listed).toFixed(0)} | — |`);
}
console.log(`\n| API, ${SECONDS} s each | concurrency | req/s | p50 ms | p99 ms |\n|---|---|---|---|---|`);
for (const row of rows) console.log(row);
agent.destroy();
