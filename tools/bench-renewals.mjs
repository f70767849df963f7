// The Renewals page against a plain table (issue 14, item 6), and the Devices page's own
// timings (issue 13, item 7), in one headless Chromium run.
//
// BASE_URL is a server whose database was filled by `tessera-server demo large --devices
// 10000`; the bench signs in as its customer. It measures, the same way for both:
//   - data arrival → first rows painted: from the end of the `/api/v1/renewals` answer
//     (its Resource Timing `responseEnd`) to the frame after the rows are in the DOM;
//   - one filter keystroke: from the `input` event to the frame after the table changed;
//   - scrolling to the end: from setting the box's scroll position to its bottom to the
//     frame after the last row is in the DOM.
// (a) is the app's page (`/renewals`, reached by a click in the navigation); (b) is a page of
// the same origin (so the session cookie goes along) that fetches the same rows and builds
// a plain `<table>` of all 10,000 with `document.createElement`, filtering by hiding rows.
// "After the frame" is a task queued from `requestAnimationFrame`, so style, layout and
// paint of that frame are counted. Prints a Markdown table: both, and the ratio. Then the
// Devices page (`/devices`, the same 10,000 devices): data arrival → first rows painted, a
// search keystroke, a click on a column head (re-sorted), and scrolling the page to its end.
import { chromium } from "playwright-core";

const BASE_URL = process.env.BASE_URL ?? "http://127.0.0.1:8080";
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const EMAIL = process.env.BENCH_EMAIL ?? "big@large-customer.example";
const PASSWORD = process.env.BENCH_PASSWORD ?? "tessera-demo-2026";
const SEARCH = process.env.BENCH_SEARCH ?? "site 07";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1280, height: 800 } });
const login = await context.request.post("/api/v1/auth/login", { data: { email: EMAIL, password: PASSWORD } });
if (!login.ok()) throw new Error(`signing in as ${EMAIL}: ${login.status()} (is the database filled by 'demo large'?)`);

// Runs in the page: resolves with the time after the frame following `ready()` becoming true,
// watching `root` for changes. Installed once per page.
const HELPERS = () => {
  window.__afterFrame = () =>
    new Promise((done) =>
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => done(performance.now());
        channel.port2.postMessage(0);
      }),
    );
  window.__when = (ready) =>
    new Promise((done) => {
      if (ready()) return window.__afterFrame().then(done);
      const seen = new MutationObserver(() => {
        if (ready()) {
          seen.disconnect();
          window.__afterFrame().then(done);
        }
      });
      seen.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
    });
  window.__dataArrived = (path = "renewals") => {
    const entries = performance.getEntriesByType("resource").filter((e) => new URL(e.name).pathname === `/api/v1/${path}`);
    return entries.length ? entries[entries.length - 1].responseEnd : NaN;
  };
};

// ---- (a) the Renewals page
async function pageRun(page) {
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Renewals" }).waitFor();
  await page.evaluate(HELPERS);
  const firstPaint = await page.evaluate(async () => {
    performance.clearResourceTimings();
    const rows = () => document.querySelector("table.renewal-table tbody tr[aria-rowindex]");
    const painted = window.__when(rows);
    document.querySelector('nav a[href="/renewals"]').click();
    const t1 = await painted;
    return t1 - window.__dataArrived();
  });
  const keystroke = await page.evaluate(async (text) => {
    const count = document.querySelector(".list-count");
    const before = count.textContent;
    const input = document.querySelector("#renewal-search");
    const changed = window.__when(() => count.textContent !== before);
    const t0 = performance.now();
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    return (await changed) - t0;
  }, SEARCH);
  // Back to every row, then to the end of them.
  await page.evaluate(async () => {
    const count = document.querySelector(".list-count");
    const before = count.textContent;
    const input = document.querySelector("#renewal-search");
    const changed = window.__when(() => count.textContent !== before);
    input.value = "";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await changed;
  });
  const scroll = await page.evaluate(async () => {
    const box = document.querySelector(".vl-box");
    const table = box.querySelector("table");
    const last = table.getAttribute("aria-rowcount");
    const drawn = window.__when(() => table.querySelector(`tr[aria-rowindex="${last}"]`));
    const t0 = performance.now();
    box.scrollTop = box.scrollHeight;
    return (await drawn) - t0;
  });
  return { firstPaint, keystroke, scroll };
}

// ---- (b) a plain table of the same rows, vanilla DOM, on a static page of the same origin
const PLAIN = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Plain table</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; }
.box { max-height: 70vh; overflow: auto; border: 1px solid #e2e5ea; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 12px; border-bottom: 1px solid #e2e5ea; text-align: left; white-space: nowrap; }
small { display: block; color: #525c6e; }
</style></head><body><p id="count"></p><input id="search" type="search"><div class="box"><table>
<thead><tr><th>Item</th><th>Product</th><th>Site</th><th>Expires on</th><th>Status</th><th>Battery · warranty</th><th>Action</th></tr></thead>
<tbody id="rows"></tbody></table></div></body></html>`;

async function plainRun(page) {
  await page.goto("/__bench/plain-table");
  await page.evaluate(HELPERS);
  const firstPaint = await page.evaluate(async () => {
    performance.clearResourceTimings();
    const data = await (await fetch("/api/v1/renewals")).json();
    const tbody = document.getElementById("rows");
    const texts = [];
    const cell = (tr, text, sub) => {
      const td = document.createElement("td");
      td.textContent = text;
      if (sub !== undefined) {
        const small = document.createElement("small");
        small.textContent = sub;
        td.appendChild(small);
      }
      tr.appendChild(td);
    };
    for (const r of data.rows) {
      const tr = document.createElement("tr");
      cell(tr, r.activation_id ?? r.serial, r.device_name ?? `License · ${r.quantity}`);
      cell(tr, r.product_name, r.tier);
      cell(tr, r.site ?? "—");
      cell(tr, r.expires_on, `${r.days_left} days`);
      cell(tr, r.status);
      cell(tr, r.battery_replace_by ?? "—", r.warranty_expires_on ?? "—");
      const td = document.createElement("td");
      const a = document.createElement("a");
      a.href = r.kind === "license" ? `/licenses/${r.id}` : "/devices/activate";
      a.textContent = "Renew";
      td.appendChild(a);
      tr.appendChild(td);
      tbody.appendChild(tr);
      texts.push([r.product, r.product_name, r.customer, r.tier, r.activation_id, r.serial, r.device_name, r.site].filter(Boolean).join("\n").toLowerCase());
    }
    document.getElementById("count").textContent = `${data.rows.length} items`;
    const search = document.getElementById("search");
    search.addEventListener("input", () => {
      const terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      tbody.childNodes.forEach((tr, i) => {
        const show = terms.every((t) => texts[i].includes(t));
        tr.hidden = !show;
        shown += show;
      });
      document.getElementById("count").textContent = `${shown} of ${data.rows.length} items`;
    });
    const t1 = await window.__afterFrame();
    return t1 - window.__dataArrived();
  });
  const keystroke = await page.evaluate(async (text) => {
    const input = document.getElementById("search");
    const t0 = performance.now();
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    return (await window.__afterFrame()) - t0;
  }, SEARCH);
  const scroll = await page.evaluate(async () => {
    const input = document.getElementById("search");
    input.value = "";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await window.__afterFrame();
    const box = document.querySelector(".box");
    const t0 = performance.now();
    box.scrollTop = box.scrollHeight;
    return (await window.__afterFrame()) - t0;
  });
  return { firstPaint, keystroke, scroll };
}

// ---- (c) the Devices page
async function devicesRun(page) {
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" }).waitFor();
  await page.evaluate(HELPERS);
  const firstPaint = await page.evaluate(async () => {
    performance.clearResourceTimings();
    const painted = window.__when(() => document.querySelector("table.device-table tbody tr[aria-rowindex]"));
    document.querySelector('nav a[href="/devices"]').click();
    const t1 = await painted;
    return t1 - window.__dataArrived("devices");
  });
  const keystroke = await page.evaluate(async (text) => {
    const count = document.querySelector(".list-count");
    const before = count.textContent;
    const input = document.querySelector("#device-search");
    const changed = window.__when(() => count.textContent !== before);
    const t0 = performance.now();
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    const t = (await changed) - t0;
    const back = window.__when(() => count.textContent === before);
    input.value = "";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await back;
    return t;
  }, SEARCH);
  const sort = await page.evaluate(async () => {
    const head = [...document.querySelectorAll("table.device-table th")].find((th) => th.textContent.includes("Device"));
    const first = () => document.querySelector("table.device-table tbody tr[aria-rowindex]")?.textContent;
    const before = first();
    const sorted = window.__when(() => head.getAttribute("aria-sort") && first() !== before);
    const t0 = performance.now();
    head.querySelector("button").click();
    return (await sorted) - t0;
  });
  const scroll = await page.evaluate(async () => {
    const table = document.querySelector("table.device-table");
    const box = table.closest(".vl-box");
    const last = table.getAttribute("aria-rowcount");
    const drawn = window.__when(() => table.querySelector(`tr[aria-rowindex="${last}"]`));
    const t0 = performance.now();
    if (box) box.scrollTop = box.scrollHeight;
    else window.scrollTo(0, document.documentElement.scrollHeight);
    return (await drawn) - t0;
  });
  return { firstPaint, keystroke, sort, scroll };
}

const app = await context.newPage();
const plain = await context.newPage();
await plain.route("**/__bench/plain-table", (route) => route.fulfill({ status: 200, contentType: "text/html", body: PLAIN }));
const results = { page: { firstPaint: [], keystroke: [], scroll: [] }, plain: { firstPaint: [], keystroke: [], scroll: [] } };
for (let i = 0; i < RUNS; i++) {
  for (const [name, run, page] of [["page", pageRun, app], ["plain", plainRun, plain]]) {
    // Only the tab in front gets its frames on time: a tab behind waits up to a second for one.
    await page.bringToFront();
    const r = await run(page);
    for (const k of Object.keys(r)) results[name][k].push(r[k]);
  }
}
const rows = await app.evaluate(() => document.querySelector("table.renewal-table")?.getAttribute("aria-rowcount"));
const devices = { firstPaint: [], keystroke: [], sort: [], scroll: [] };
await app.bringToFront();
for (let i = 0; i < RUNS; i++) {
  const r = await devicesRun(app);
  for (const k of Object.keys(r)) devices[k].push(r[k]);
}
const deviceRows = await app.evaluate(() => document.querySelector("table.device-table")?.getAttribute("aria-rowcount"));
await browser.close();

const label = { firstPaint: "data arrival → first rows painted", keystroke: "one filter keystroke → table painted", scroll: "scroll to the end → last row painted" };
console.log(`\n| Renewals, ${Number(rows) - 1} rows (median of ${RUNS}) | Renewals page ms | plain table ms | plain ÷ page |\n|---|---|---|---|`);
for (const k of Object.keys(label)) {
  const p = median(results.page[k]);
  const q = median(results.plain[k]);
  console.log(`| ${label[k]} | ${p.toFixed(1)} | ${q.toFixed(1)} | ${(q / p).toFixed(1)}× |`);
}

const deviceLabel = {
  firstPaint: "data arrival → first rows painted",
  keystroke: "one search keystroke → count and rows painted",
  sort: "a click on a column head → re-sorted rows painted",
  scroll: "scroll to the end → last row painted",
};
console.log(`\n| Devices page, ${Number(deviceRows) - 1} devices (median of ${RUNS}) | ms |\n|---|---|`);
for (const k of Object.keys(deviceLabel)) console.log(`| ${deviceLabel[k]} | ${median(devices[k]).toFixed(1)} |`);
