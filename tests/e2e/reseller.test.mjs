// Journey (issue 14, item 4): a customer's admin has its renewal notices sent to its reseller
// too. The partner reads its Partner ID on its Home page; on the Team page the customer's
// admin first types an ID no partner has and is told so under the field, then the right one:
// the card names the partner, also after a reload. When a license nears its expiry, the
// renewal-notice job mails the partner's admin the same digest as the customer's admin, each
// saying why they get it.
// "Stop sending" brings the field back. Audited with axe at each step, also on a phone.
// The dates come from the dev clock, moved as `renewals.test.mjs` moves it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
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
  mailedText,
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

/** Redeems `code` and creates a 12-month Standard license of MON through the API, as the pages do. */
async function license(page, code) {
  return page.evaluate(async (code) => {
    const me = await (await fetch("/api/v1/me")).json();
    const headers = { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token };
    const r = await fetch("/api/v1/locker/redeem", { method: "POST", headers, body: JSON.stringify({ code }) });
    if (r.status !== 200) return `redeem ${r.status}`;
    const body = JSON.stringify({ product: "MON", tier: "STD", term_months: 12, quantity: 1, installer_email: "ian@plant.example" });
    return (await fetch("/api/v1/licenses", { method: "POST", headers, body })).status;
  }, code);
}

async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
}

const UNKNOWN = "No partner has this Partner ID. Ask your reseller for the Partner ID on their Home page.";

test("a customer's admin sends its renewal notices to its reseller too, named by Partner ID", async () => {
  const partnerPage = await newPage(browser);
  const page = await newPage(browser);
  try {
    await clock({ now: "2025-01-01T09:00:00Z" });

    // ---- The partner: its Partner ID is on its Home page.
    const partnerEmail = uniqueEmail("reseller-partner");
    const partnerOrg = `Brightline Partners ${Date.now()}`;
    await register.open(partnerPage);
    await register.submit(partnerPage, { kind: "partner", org: partnerOrg, name: "Paula Partner", email: partnerEmail, password: PASSWORD });
    await partnerPage.waitForURL((url) => url.pathname === "/");
    const partnerId = (await partnerPage.getByTestId("partner-id").innerText()).trim();
    assert.match(partnerId, /^\d+$/);
    // A partner has no reseller to choose: its Team page has no such card.
    await partnerPage.goto("/team");
    await partnerPage.getByRole("heading", { name: "Members", exact: true }).waitFor();
    assert.equal(await partnerPage.getByRole("region", { name: "Renewal notices to your reseller" }).count(), 0);

    // ---- The customer, with a license that ends on 2026-01-01.
    const email = uniqueEmail("reseller-customer");
    const customerOrg = `Northwind Reseller ${Date.now()}`;
    await register.open(page);
    await register.submit(page, { kind: "customer", org: customerOrg, name: "Cora Customer", email, password: PASSWORD });
    await page.waitForURL((url) => url.pathname === "/");
    await verifyEmail(page, email);
    assert.equal(await license(page, issueVouchers("MON-STD-12", 1)[0]), 201);

    // ---- Team: the card, off, with the Partner ID field.
    await page.goto("/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
    const card = page.getByRole("region", { name: "Renewal notices to your reseller" });
    const field = card.getByLabel("Partner ID");
    await field.waitFor();
    await card.getByText("Send renewal notices to my reseller").waitFor();
    assert.equal(await field.getAttribute("aria-describedby"), "reseller-partner-hint");
    await shot(page, "reseller-01-off");
    assert.deepEqual(await axeViolations(page), []);

    // ---- Nothing typed, then an ID no partner has: told under the field.
    const save = card.getByRole("button", { name: "Save" });
    await save.click();
    await card.locator("#reseller-partner-error").getByText("Please enter your reseller's Partner ID.").waitFor();
    await field.fill("999999");
    await save.click();
    await card.locator("#reseller-partner-error").getByText(UNKNOWN).waitFor();
    assert.equal(await field.getAttribute("aria-invalid"), "true");
    assert.equal(await field.getAttribute("aria-describedby"), "reseller-partner-error reseller-partner-hint");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "reseller-partner");
    await shot(page, "reseller-02-unknown");
    assert.deepEqual(await axeViolations(page), []);

    // ---- The right one: a notice, and the card names the partner.
    await field.fill(partnerId);
    assert.equal(await card.locator("#reseller-partner-error").count(), 0, "the refusal goes once the ID is edited");
    await save.click();
    await card.getByRole("status").getByText(`Renewal notices now also go to ${partnerOrg}.`).waitFor();
    await card.getByTestId("reseller-name").getByText(partnerOrg, { exact: true }).waitFor();
    assert.equal((await card.locator(".reseller-id").innerText()).trim(), partnerId);
    const stop = card.getByRole("button", { name: `Stop sending renewal notices to ${partnerOrg}` });
    await page.waitForFunction(() => document.activeElement?.id === "reseller-stop");
    await shot(page, "reseller-03-on");
    assert.deepEqual(await axeViolations(page), []);

    // ---- A reload shows the same, read from the server.
    await page.reload();
    await card.getByTestId("reseller-name").getByText(partnerOrg, { exact: true }).waitFor();
    await stop.waitFor();
    const saved = await page.evaluate(async () => (await fetch("/api/v1/organization/reseller")).json());
    assert.deepEqual(saved, { partner_org_id: Number(partnerId), partner_name: partnerOrg });
    await shot(page, "reseller-04-reloaded");

    // ---- On a phone.
    const phone = await newPage(browser, { width: 360, height: 780 });
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto("/team");
    const phoneCard = phone.getByRole("region", { name: "Renewal notices to your reseller" });
    await phoneCard.getByTestId("reseller-name").waitFor();
    await shot(phone, "reseller-05-phone");
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `nothing wider than the phone (${overflow} px more)`);
    assert.deepEqual(await axeViolations(phone), []);
    assert.deepEqual(phone.errors, []);
    await phone.context().close();

    // ---- 42 days before the license ends, the notice job mails the partner's admin too.
    await clock({ now: "2025-11-20T09:00:00Z" });
    const run = await fetch(`${BASE_URL}/api/v1/dev/jobs/renewal-notices`, { method: "POST" });
    assert.equal(run.status, 200);
    // Whichever run sent it (this one or the hourly one), the digest is in the outbox.
    const toPartner = await mailedText(partnerEmail, "Renewal notice: 1 items expire soon");
    const toCustomer = await mailedText(email, "Renewal notice: 1 items expire soon");
    // The same items; only the last line, why one gets it, differs.
    const body = (text) => text.trimEnd().split("\n").slice(0, -1).join("\n");
    assert.equal(body(toPartner), body(toCustomer), "the same digest");
    assert.match(toPartner, /chose your organization as its reseller in Tessera/);
    assert.match(toCustomer, /You get this notice as an admin/);
    assert.ok(toPartner.includes(customerOrg), toPartner);
    assert.ok(toPartner.includes("42 days left"), toPartner);

    // ---- Stop sending: the field is back, focused, and the server forgets the partner.
    await relogin(page, email);
    await page.goto("/team");
    await stop.click();
    await card.getByRole("status").getByText(`Renewal notices no longer go to ${partnerOrg}.`).waitFor();
    await field.waitFor();
    await page.waitForFunction(() => document.activeElement?.id === "reseller-partner");
    assert.equal(await card.getByTestId("reseller-name").count(), 0);
    const cleared = await page.evaluate(async () => (await fetch("/api/v1/organization/reseller")).json());
    assert.deepEqual(cleared, { partner_org_id: null, partner_name: null });
    await shot(page, "reseller-06-stopped");
    assert.deepEqual(await axeViolations(page), []);

    assert.deepEqual(partnerPage.errors, []);
    assert.deepEqual(page.errors, []);
  } finally {
    await clock({ reset: true });
    await partnerPage.context().close();
    await page.context().close();
  }
});
