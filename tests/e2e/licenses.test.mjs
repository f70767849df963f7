// Journey (issue 12): a customer redeems vouchers, picks a plan in the plan picker, is told
// what the locker lacks before anything is consumed, creates a license (a double press
// makes one), finds its Activation ID in the installer's mail, adds assets after seeing
// the prorated cost, downloads the signed license file and has the command line verify it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import {
  launch,
  newPage,
  screenshot,
  uniqueEmail,
  PASSWORD,
  register,
  verifyEmail,
  issueVouchers,
  mailedText,
  serverCommand,
  axeViolations,
  vendorOperator,
} from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A screenshot of the whole page from its top. */
async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
}

/** Redeems codes through the API as the person signed in on `page` (what the Locker's Redeem button does). */
async function redeemAll(page, codes) {
  return page.evaluate(async (codes) => {
    const me = await (await fetch("/api/v1/me")).json();
    const statuses = [];
    for (const code of codes) {
      const res = await fetch("/api/v1/locker/redeem", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token },
        body: JSON.stringify({ code }),
      });
      statuses.push(res.status);
    }
    return statuses;
  }, codes);
}

test("a license is made from credits, grown at a prorated cost, and its signed file verifies", async () => {
  const page = await newPage(browser);
  const email = uniqueEmail("licenses");
  await register.open(page);
  await register.submit(page, { kind: "customer", org: `Licenses Journey ${Date.now()}`, name: "Lena License", email, password: PASSWORD });
  await page.waitForURL((url) => url.pathname === "/");
  await verifyEmail(page, email);

  // ---- No credits yet: the Licenses page leads to the Locker.
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Licenses" }).click();
  await page.getByRole("heading", { name: "Redeem a voucher first" }).waitFor();
  await page.getByRole("link", { name: "Go to Digital Locker" }).waitFor();
  await shot(page, "licenses-01-empty-no-credits");
  assert.deepEqual(await axeViolations(page), []);

  // Two vouchers of 5 units of MON-STD-36 each: 10 units, 360 device-months.
  const codes = issueVouchers("MON-STD-36", 5, 2);
  assert.deepEqual(await redeemAll(page, codes), [200, 200]);
  await page.reload();
  await page.getByRole("heading", { name: "No licenses yet" }).waitFor();
  await page.getByRole("link", { name: "Create your first license" }).click();
  await page.waitForURL((url) => url.pathname === "/licenses/new");

  // ---- The plan picker: terms × tiers, prices, what the locker holds; a radio group.
  await page.getByLabel("Product", { exact: true }).selectOption("MON");
  const plans = page.getByRole("group", { name: "Plan" });
  const std36 = plans.getByRole("radio", { name: "3 years Standard" });
  await std36.waitFor();
  assert.equal(await plans.getByRole("radio").count(), 6, "1, 3 and 5 years of Standard and Advanced");
  const card = page.locator(".plan-card", { has: page.locator('input[value="MON-STD-36"]') });
  await card.getByText("10 units in your locker").waitFor();
  await card.getByText("€162.00").waitFor();
  await card.getByText("€4.50 per device-month").waitFor();
  // Arrow keys move the choice, as in any radio group.
  await plans.getByRole("radio", { name: "1 year Standard" }).check();
  await page.keyboard.press("ArrowRight");
  assert.equal(await plans.getByRole("radio", { name: "1 year Advanced" }).isChecked(), true);
  await std36.check();
  await shot(page, "licenses-02-plan-picker");
  assert.deepEqual(await axeViolations(page), []);

  // Empty fields are refused in the shared rule's words, before asking the server.
  await page.getByLabel("Number of assets").fill("12");
  await page.getByRole("button", { name: "Review" }).click();
  await page.getByText("Please enter email address", { exact: true }).waitFor();
  const installer = uniqueEmail("installer");
  await page.getByLabel("Installer email").fill(installer);
  await page.getByRole("button", { name: "Review" }).click();

  // ---- 12 assets need 12 units: the review says exactly what is missing, nothing is taken.
  await page.getByRole("heading", { name: "Review your license" }).waitFor();
  await page.getByText("Your Digital Locker needs 2 more units of MON-STD-36 for this license.", { exact: false }).waitFor();
  await page.getByRole("button", { name: "Create it for 10 assets instead" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Create license" }).count(), 0);
  await shot(page, "licenses-03-review-short");
  assert.deepEqual(await axeViolations(page), []);

  // Back to the form: 8 assets leave 2 units in the locker.
  await page.getByRole("button", { name: "Change details" }).click();
  await page.getByLabel("Number of assets").fill("8");
  await page.getByRole("button", { name: "Review" }).click();
  const review = page.getByRole("region", { name: "Review your license" });
  await review.getByText("8 units of MON-STD-36", { exact: true }).waitFor();
  await review.getByText("2 units of MON-STD-36", { exact: true }).waitFor();
  await shot(page, "licenses-04-review");

  // A double press makes one license (the button is busy, and the key is the same).
  await page.getByRole("button", { name: "Create license" }).dblclick();
  await page.waitForURL((url) => /^\/licenses\/\d+$/.test(url.pathname));
  const activation = (await page.getByTestId("activation-id").innerText()).trim();
  assert.match(activation, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  await page.getByText(`License created. Its Activation ID ${activation} was emailed to ${installer}.`).waitFor();
  await page.getByText("Expires on", { exact: false }).first().waitFor();
  await shot(page, "licenses-05-created");
  assert.deepEqual(await axeViolations(page), []);

  // ---- The installer's mail carries the Activation ID.
  const mail = await mailedText(installer, "Activation ID");
  assert.ok(mail.includes(`Activation ID: ${activation}`), mail);

  // ---- More assets: the prorated cost shows before Confirm.
  await page.getByRole("button", { name: "Increase quantity" }).click();
  const dialog = page.getByRole("dialog", { name: "Increase quantity" });
  await dialog.getByLabel("Assets to add").fill("2");
  await dialog.getByText("2 assets × 36 months = 72 device-months of MON-STD-36", { exact: true }).waitFor();
  await dialog.getByText("Quantity after").waitFor();
  await dialog.getByText("10 assets", { exact: true }).waitFor();
  await shot(page, "licenses-06-increase-preview");
  assert.deepEqual(await axeViolations(page), []);
  // One more would need credits the locker does not have: said, and no Confirm.
  await dialog.getByLabel("Assets to add").fill("3");
  await dialog.getByText("Your Digital Locker needs 1 more unit of MON-STD-36 for this.", { exact: false }).waitFor();
  assert.equal(await dialog.getByRole("button", { name: "Confirm" }).count(), 0);
  await dialog.getByLabel("Assets to add").fill("2");
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await page.getByText("Quantity increased: the license now covers 10 assets.", { exact: true }).waitFor();
  const history = page.getByRole("region", { name: "History" });
  await history.getByText("Quantity increased", { exact: true }).waitFor();
  await history.getByText("2 units of MON-STD-36", { exact: true }).waitFor();
  await shot(page, "licenses-07-increased");

  // ---- The signed license file, verified offline by the command line.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download license file" }).click(),
  ]);
  mkdirSync("target", { recursive: true });
  const file = "target/e2e-license.json";
  await download.saveAs(file);
  const signed = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(signed.activation_id, activation);
  assert.equal(signed.quantity, 10);
  assert.ok(signed.signature, "the file is signed");
  const verified = serverCommand(["license", "verify", file]);
  assert.match(verified, /^VALID license file/m, verified);
  assert.ok(verified.includes(activation), verified);

  // ---- The list: one license (the double press made one), searchable and sortable.
  await page.getByRole("link", { name: "← Licenses" }).click();
  await page.getByText("1 license", { exact: true }).waitFor();
  const row = page.locator("tbody tr", { hasText: activation });
  await row.getByText("Asset Monitoring Platform").waitFor();
  await row.getByText("Active", { exact: true }).waitFor();
  const quantityHead = page.getByRole("columnheader", { name: "Quantity" });
  await quantityHead.getByRole("button").click();
  assert.equal(await quantityHead.getAttribute("aria-sort"), "ascending");
  await quantityHead.getByRole("button").click();
  assert.equal(await quantityHead.getAttribute("aria-sort"), "descending");
  await page.getByLabel("Search licenses").fill("nothing like this");
  await page.getByText("No license matches your search").waitFor();
  await page.getByLabel("Search licenses").fill(activation.slice(0, 4).toLowerCase());
  await row.waitFor();
  await shot(page, "licenses-08-list");
  assert.deepEqual(await axeViolations(page), []);

  // ---- A phone's width.
  await page.setViewportSize({ width: 360, height: 740 });
  await shot(page, "licenses-09-list-360");
  await row.getByRole("link", { name: activation }).click();
  await page.getByTestId("activation-id").waitFor();
  await shot(page, "licenses-10-detail-360");
  await page.goto("/licenses/new");
  await page.getByLabel("Product", { exact: true }).selectOption("MON");
  await plans.getByRole("radio").first().waitFor();
  await shot(page, "licenses-11-create-360");

  // Someone else's (or no) license is not found, not an error.
  await page.goto("/licenses/999999");
  await page.getByRole("heading", { name: "This license could not be found" }).waitFor();

  assert.deepEqual(page.errors, []);
});

test("the vendor's people are told licenses are the customers' pages", async () => {
  const page = await vendorOperator(browser, "ops-licenses", "vendor-licenses-2026");
  const nav = page.getByRole("navigation", { name: "Main" });
  assert.equal(await nav.getByRole("link", { name: "Licenses" }).count(), 0);
  for (const path of ["/licenses", "/licenses/new", "/licenses/1"]) {
    await page.goto(path);
    await page.getByRole("heading", { name: "This page is for customers and partners" }).waitFor();
  }
  assert.deepEqual(page.errors, []);
});
