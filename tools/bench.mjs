// `cargo xtask bench`: release wasm size (raw, gzip, brotli) and the first render
// of the sign-in page in headless Chromium. Prints a Markdown table to paste into
// docs/benchmarks.md.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { chromium } from "playwright-core";

const dist = process.argv[2] ?? "dist";
const BASE_URL = process.env.BASE_URL ?? "http://127.0.0.1:8080";
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 10000);

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
function sizes(file) {
  const data = readFileSync(join(dist, file));
  const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  return { raw: data.length, gzip: gzipSync(data, { level: 9 }).length, brotli: br.length };
}

const files = readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f));
console.log("| asset | raw | gzip | brotli |\n|---|---|---|---|");
for (const f of files.sort()) {
  const s = sizes(f);
  const name = f.replace(/-[0-9a-f]{12,16}(?=[._])/, "");
  console.log(`| ${name} | ${kb(s.raw)} | ${kb(s.gzip)} | ${kb(s.brotli)} |`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
async function firstRender(context) {
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/signin`, { waitUntil: "commit" });
  await page.waitForSelector("#email", { state: "visible" });
  const ms = await page.evaluate(() => performance.now());
  await page.close();
  return ms;
}
const cold = [];
const warm = [];
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext();
  cold.push(await firstRender(context)); // empty cache
  warm.push(await firstRender(context)); // cached assets
  await context.close();
}
const devices = await devicesPage(browser);
await browser.close();
console.log(`\n| first render of /signin (median of ${RUNS}) | ms |\n|---|---|`);
console.log(`| cold cache | ${median(cold).toFixed(0)} |`);
console.log(`| warm cache | ${median(warm).toFixed(0)} |`);
console.log(`\n| Devices page, ${DEVICES.toLocaleString("en")} devices (median of ${RUNS}) | ms |\n|---|---|`);
for (const [what, runs] of Object.entries(devices)) console.log(`| ${what} | ${median(runs).toFixed(0)} |`);

/**
 * The Devices page with 10,000 devices (issue 13): a customer registered on the bench
 * server imports them through the API, then, in the page, the time from a click on
 * "Devices" to the first rows drawn (the list's request and reading included), from a
 * keystroke in the search box to the count changing, and from a click on a column head
 * to the rows re-sorted.
 */
async function devicesPage(browser) {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto("/signin");
  const status = await page.evaluate(async (count) => {
    const json = { "Content-Type": "application/json" };
    const email = `bench-devices-${Date.now()}@example.com`;
    const body = JSON.stringify({ org_name: "Bench Devices", org_kind: "customer", name: "Bench", email, password: "bench-passphrase-2026" });
    const me = await (await fetch("/api/v1/auth/register", { method: "POST", headers: json, body })).json();
    const rows = Array.from({ length: count }, (_, i) =>
      `BD${String(i).padStart(6, "0")},Smart-UPS ${1000 + (i % 5) * 500},UPS ${i},Site ${i % 40},2027-0${1 + (i % 9)}-15,2028-12-31`,
    );
    const csv = "serial,model,name,site,battery_replace_by,warranty_expires_on\n" + rows.join("\n");
    const headers = { "Content-Type": "text/csv", "X-CSRF-Token": me.csrf_token };
    return (await fetch("/api/v1/devices/import", { method: "POST", headers, body: csv })).status;
  }, DEVICES);
  if (status !== 200) throw new Error(`importing the bench devices: ${status}`);
  const runs = { "click on Devices → first rows drawn": [], "a keystroke in the search → count changed": [], "a click on a column head → rows re-sorted": [] };
  for (let i = 0; i < RUNS; i++) {
    await page.goto("/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" }).waitFor();
    runs["click on Devices → first rows drawn"].push(
      await page.evaluate(
        () =>
          new Promise((done) => {
            const t0 = performance.now();
            const seen = new MutationObserver(() => {
              if (document.querySelector("tr.device-row")) {
                seen.disconnect();
                requestAnimationFrame(() => done(performance.now() - t0));
              }
            });
            seen.observe(document.body, { childList: true, subtree: true });
            document.querySelector('nav a[href="/devices"]').click();
          }),
      ),
    );
    await page.getByText(`${DEVICES.toLocaleString("en")} devices`, { exact: true }).waitFor();
    runs["a keystroke in the search → count changed"].push(await changeAndWait(page, "#device-search", "ups 12*"));
    runs["a click on a column head → rows re-sorted"].push(await changeAndWait(page, null, "Site"));
  }
  await context.close();
  return runs;
}

/** Types `text` into `selector` (or clicks the column head named `text`) and times it to the next change of the table. */
async function changeAndWait(page, selector, text) {
  return page.evaluate(
    ([selector, text]) =>
      new Promise((done) => {
        const target = document.querySelector(".device-table tbody");
        const seen = new MutationObserver(() => {
          seen.disconnect();
          requestAnimationFrame(() => done(performance.now() - t0));
        });
        seen.observe(target, { childList: true, subtree: true, characterData: true });
        const t0 = performance.now();
        if (selector) {
          const input = document.querySelector(selector);
          input.value = text;
          input.dispatchEvent(new Event("input", { bubbles: true }));
        } else {
          [...document.querySelectorAll(".device-table .sort-button")].find((b) => b.textContent.includes(text)).click();
        }
      }),
    [selector, text],
  );
}
