// Journey (issue 14): a customer whose licenses are in every state opens Renewals: the
// dashboard shows amber, blue and red rows with a banner of what expires within 30 days;
// a click on a counter filters the table, a search narrows it, Export downloads the
// renewals report with the page's filters, and Renew leads to the license's Renew dialog.
// The dates come from the dev clock, moved as `crates/server/tests/renewals.rs` moves it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  BASE_URL,
  launch,
  newPage,
  screenshot,
  uniqueEmail,
  PASSWORD,
  register,
  signIn,
  verifyEmail,
  issueVouchers,
  axeViolations,
} from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await clock({ reset: true });
  await browser?.close();
});

/** Moves the server's dev clock (`{now}` or `{reset: true}`). */
async function clock(body) {
  const res = await fetch(`${BASE_URL}/api/v1/dev/clock`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`dev clock answered ${res.status}: ${await res.text()}`);
}

/** Signs in again through the page: a session ends after 14 idle days, and the clock jumps months. */
async function relogin(page, email) {
  await page.context().clearCookies();
  await signIn.open(page);
  await signIn.submit(page, email, PASSWORD);
  await page.waitForURL((url) => url.pathname === "/");
}

/** Redeems `codes` and creates a 12-month Standard license of `product` through the API, as the pages do. */
async function license(page, product, quantity, codes) {
  return page.evaluate(
    async ([product, quantity, codes]) => {
      const me = await (await fetch("/api/v1/me")).json();
      const headers = { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token };
      for (const code of codes) {
        const r = await fetch("/api/v1/locker/redeem", { method: "POST", headers, body: JSON.stringify({ code }) });
        if (r.status !== 200) return `redeem ${r.status}`;
      }
      const body = JSON.stringify({ product, tier: "STD", term_months: 12, quantity, installer_email: "ian@plant.example" });
      const r = await fetch("/api/v1/licenses", { method: "POST", headers, body });
      return r.status;
    },
    [product, quantity, codes],
  );
}

async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
}

test("renewals: statuses at a glance, counters and search filter, Export and Renew", async () => {
  const page = await newPage(browser);
  const email = uniqueEmail("renewals");
  try {
    // ---- Licenses started on days chosen so that on 2026-03-10 they are in every status.
    await clock({ now: "2025-01-01T09:00:00Z" });
    await register.open(page);
    await register.submit(page, { kind: "customer", org: `Renewals Journey ${Date.now()}`, name: "Rita Renew", email, password: PASSWORD });
    await page.waitForURL((url) => url.pathname === "/");
    await verifyEmail(page, email);
    assert.equal(await license(page, "MON", 1, issueVouchers("MON-STD-12", 1)), 201); // ends 2026-01-01: expired by 2026-03-10
    await clock({ now: "2025-02-15T09:00:00Z" });
    await relogin(page, email);
    assert.equal(await license(page, "PCA", 1, issueVouchers("PCA-STD-12", 1)), 201); // ends 2026-02-15: in grace (60 days)
    await clock({ now: "2025-03-20T09:00:00Z" });
    await relogin(page, email);
    assert.equal(await license(page, "NMC", 1, issueVouchers("NMC-STD-12", 1)), 201); // ends 2026-03-20: expiring
    await clock({ now: "2025-09-01T09:00:00Z" });
    await relogin(page, email);
    assert.equal(await license(page, "MON", 2, issueVouchers("MON-STD-12", 2)), 201); // ends 2026-09-01: active
    await clock({ now: "2026-03-10T09:00:00Z" });
    await relogin(page, email);

    // ---- The dashboard: a banner, the counters, the chart and the table with its badges.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Renewals" }).click();
    await page.getByRole("heading", { name: "Renewals", level: 1 }).waitFor();
    await page.getByText("1 item expires within 30 days").waitFor();
    await page.locator("table.renewal-table tbody tr[aria-rowindex]").first().waitFor();
    assert.equal(await page.locator("table.renewal-table").getAttribute("aria-rowcount"), "5", "4 rows and the heads");
    const rows = page.locator("table.renewal-table tbody tr[aria-rowindex]");
    assert.equal(await rows.count(), 4);
    // The server's order: in grace, expiring, active, expired.
    const badges = await rows.locator(".cell-state .badge").allInnerTexts();
    assert.deepEqual(badges, ["In grace period", "Expiring soon", "Active", "Expired"]);
    assert.equal(await rows.nth(0).locator(".badge-info").count(), 1, "blue for grace");
    assert.equal(await rows.nth(1).locator(".badge-warning").count(), 1, "amber for expiring");
    assert.equal(await rows.nth(3).locator(".badge-danger").count(), 1, "red for expired");
    await rows.nth(1).getByText("10 days left").waitFor();
    const counter = (label) => page.getByRole("button", { name: new RegExp(label) });
    assert.equal((await counter("Expiring soon").innerText()).replace(/\s+/g, " ").trim(), "1 Expiring soon");
    await page.getByText("2 items expire in the next 24 months", { exact: false }).waitFor();
    await shot(page, "renewals-01-dashboard");
    assert.deepEqual(await axeViolations(page), []);

    // ---- A counter filters the table; a second one adds its status; pressing again removes it.
    await counter("In grace period").click();
    assert.equal(await counter("In grace period").getAttribute("aria-pressed"), "true");
    await page.getByText("1 of 4 items", { exact: true }).waitFor();
    assert.deepEqual(await rows.locator(".cell-state .badge").allInnerTexts(), ["In grace period"]);
    await counter("Expired").click();
    await page.getByText("2 of 4 items", { exact: true }).waitFor();
    assert.deepEqual(await rows.locator(".cell-state .badge").allInnerTexts(), ["In grace period", "Expired"]);
    await shot(page, "renewals-02-filtered");
    // Export carries the filters: the report of grace and expired items.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
    assert.match(download.suggestedFilename(), /^renewals-2026-03-10\.csv$/);
    const csv = readFileSync(await download.path(), "utf8").trim().split(/\r?\n/);
    assert.equal(
      csv[0],
      "kind,customer,product,tier,quantity,activation_id,serial,device_name,site,starts_on,expires_on,days_left,status,battery_replace_by,warranty_expires_on",
    );
    assert.equal(csv.length, 3, csv.join("\n"));
    assert.ok(csv[1].includes(",PCA,") && csv[1].includes(",grace,"), csv[1]);
    assert.ok(csv[2].includes(",MON,") && csv[2].includes(",expired,"), csv[2]);
    await counter("In grace period").click();
    await counter("Expired").click();
    await page.getByText("4 items", { exact: true }).waitFor();

    // ---- The search (SPEC §10) narrows the table; a broken one says why and keeps the rows.
    const search = page.getByLabel("Search renewals");
    await search.fill("network OR pca");
    await page.getByText("2 of 4 items", { exact: true }).waitFor();
    await search.fill('"unclosed');
    await page.locator("#renewal-search-error").waitFor();
    assert.equal(await search.getAttribute("aria-invalid"), "true");
    await search.fill("nmc");
    await page.getByText("1 of 4 items", { exact: true }).waitFor();
    assert.deepEqual(await rows.locator(".cell-state .badge").allInnerTexts(), ["Expiring soon"]);
    await shot(page, "renewals-03-search");
    assert.deepEqual(await axeViolations(page), []);

    // ---- The product filter and the export of a search.
    await search.fill("");
    await page.getByLabel("Product").selectOption("MON");
    await page.getByText("2 of 4 items", { exact: true }).waitFor();
    const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
    assert.equal(href, "/api/v1/renewals/report.csv?product=MON");
    await page.getByLabel("Product").selectOption("");

    // ---- Renew: the expiring license's page, whose Renew dialog opens.
    await page.getByText("4 items", { exact: true }).waitFor();
    const nmc = rows.nth(1);
    const activation = (await nmc.locator(".cell-item .cell-code").innerText()).trim();
    await nmc.getByRole("link", { name: `Renew ${activation}` }).click();
    await page.waitForURL((url) => /^\/licenses\/\d+$/.test(url.pathname));
    await page.getByTestId("activation-id").getByText(activation).waitFor();
    await page.getByRole("button", { name: "Renew", exact: true }).click();
    await page.getByRole("dialog", { name: /Renew/ }).waitFor();
    await shot(page, "renewals-04-renew-dialog");

    // ---- Home says it too.
    await page.goto("/");
    await page.getByText("1 item expires within 30 days").waitFor();
    await page.getByRole("link", { name: "Review renewals" }).waitFor();

    // ---- An admin turns renewal notices off for themselves on Your account.
    await page.goto("/account");
    const notices = page.getByLabel("Email me renewal notices");
    await page.waitForFunction(() => document.querySelector("#renewal-notices") && !document.querySelector("#renewal-notices").disabled);
    assert.equal(await notices.isChecked(), true, "on by default");
    await notices.uncheck();
    await page.waitForFunction(() => !document.querySelector("#renewal-notices").disabled);
    const setting = await page.evaluate(async () => (await fetch("/api/v1/me/renewal-notices")).json());
    assert.deepEqual(setting, { enabled: false });
    await page.reload();
    await page.waitForFunction(() => document.querySelector("#renewal-notices") && !document.querySelector("#renewal-notices").disabled);
    assert.equal(await notices.isChecked(), false);
    await shot(page, "renewals-07-account-notices");
    assert.deepEqual(await axeViolations(page), []);

    // ---- The page on a phone.
    const phone = await newPage(browser, { width: 360, height: 780 });
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto("/renewals");
    await phone.locator("table.renewal-table tbody tr[aria-rowindex]").first().waitFor();
    await shot(phone, "renewals-05-phone");
    assert.deepEqual(await axeViolations(phone), []);
    assert.deepEqual(phone.errors, []);
    await phone.context().close();
    assert.deepEqual(page.errors, []);
  } finally {
    await clock({ reset: true });
    await page.context().close();
  }
});

test("renewals: a keyboard scrolls the table, whose size screen readers know", async () => {
  const page = await newPage(browser);
  const email = uniqueEmail("renewals-keys");
  await register.open(page);
  await register.submit(page, { kind: "customer", org: `Renewals Keys ${Date.now()}`, name: "Kai Keys", email, password: PASSWORD });
  await page.waitForURL((url) => url.pathname === "/");
  // Sixty devices with a plan each: more rows than the box shows.
  const status = await page.evaluate(async () => {
    const me = await (await fetch("/api/v1/me")).json();
    const rows = Array.from({ length: 60 }, (_, i) => `RK${String(i).padStart(4, "0")},Smart-UPS 1500,UPS ${i},Site ${i % 3},2028-0${1 + (i % 9)}-15,2029-12-31`);
    const csv = "serial,model,name,site,battery_replace_by,warranty_expires_on\n" + rows.join("\n");
    const r = await fetch("/api/v1/devices/import", { method: "POST", headers: { "Content-Type": "text/csv", "X-CSRF-Token": me.csrf_token }, body: csv });
    return r.status;
  });
  assert.equal(status, 200);
  await verifyEmail(page, email);
  const [code] = issueVouchers("RUM-STD-12", 60);
  const assigned = await page.evaluate(async (code) => {
    const me = await (await fetch("/api/v1/me")).json();
    const headers = { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token };
    let r = await fetch("/api/v1/locker/redeem", { method: "POST", headers, body: JSON.stringify({ code }) });
    if (r.status !== 200) return `redeem ${r.status}`;
    const devices = (await (await fetch("/api/v1/devices")).json()).devices.map((d) => d.id);
    r = await fetch("/api/v1/subscriptions/assign", { method: "POST", headers: { ...headers, "Idempotency-Key": `rk-${Date.now()}` }, body: JSON.stringify({ sku: "RUM-STD-12", device_ids: devices }) });
    return r.status;
  }, code);
  assert.equal(assigned, 200);

  await page.goto("/renewals");
  const table = page.locator("table.renewal-table");
  await table.locator("tbody tr[aria-rowindex]").first().waitFor();
  assert.equal(await table.getAttribute("aria-rowcount"), "61");
  const drawn = await table.locator("tbody tr[aria-rowindex]").count();
  assert.ok(drawn < 60, `only the rows in view are drawn (${drawn})`);
  // The box takes focus and scrolls with End and Home.
  const box = page.getByRole("region", { name: "Renewals table" });
  await box.focus();
  await page.keyboard.press("End");
  await table.locator('tr[aria-rowindex="61"]').waitFor();
  assert.equal(await table.locator('tr[aria-rowindex="2"]').count(), 0, "the first row left the DOM");
  await page.keyboard.press("Home");
  await table.locator('tr[aria-rowindex="2"]').waitFor();
  await page.keyboard.press("PageDown");
  await page.waitForFunction(() => document.querySelector(".vl-box").scrollTop > 0);
  // A device row's Renew leads to the assign flow; the Site filter narrows to one site.
  await page.getByLabel("Site").selectOption("Site 1");
  await page.getByText("20 of 60 items", { exact: true }).waitFor();
  const first = table.locator("tbody tr[aria-rowindex]").first();
  assert.equal(await first.getByRole("link", { name: /^Renew RK/ }).getAttribute("href"), "/devices/activate");
  await shot(page, "renewals-06-devices");
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
