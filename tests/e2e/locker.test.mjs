// Journey (issue 11): a vendor operator issues vouchers on the Vouchers page and reads the
// codes once; a customer redeems one in the Digital Locker and sees the balance, is told
// when a code was already redeemed or looks mistyped; the vendor's list then shows the
// voucher redeemed by the customer's organization.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, newPage, screenshot, uniqueEmail, PASSWORD, register, vendorOperator } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const NEW_PASSWORD = "vendor-back-office-2026";
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A screenshot of the whole page from its top (a page scrolled by a form would show the sticky bar mid-page). */
async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
}

/** Redeems codes through the API as the person signed in on `page` (what the Redeem button does, many times over). */
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

/** The code with its first symbol replaced by another one: a single mistyped character. */
function mistype(code) {
  const other = ALPHABET[(ALPHABET.indexOf(code[0]) + 7) % ALPHABET.length];
  return other + code.slice(1);
}


test("vouchers issued in the back office are redeemed in a customer's Digital Locker", async () => {
  // ---- The vendor operator sees the back office, not the customer sections.
  const vendor = await vendorOperator(browser, "ops", NEW_PASSWORD);
  await vendor.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  const nav = vendor.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Vouchers" }).waitFor();
  const links = await nav.getByRole("link").allInnerTexts();
  assert.deepEqual(links.map((l) => l.trim()), ["Home", "Vouchers", "Orders", "Team"]);
  await vendor.goto("/");
  await vendor.locator('a.section-card[href="/vouchers"]').waitFor();
  await shot(vendor, "locker-01-vendor-home");

  await nav.getByRole("link", { name: "Vouchers" }).click();
  await vendor.getByRole("heading", { name: "Issue vouchers" }).waitFor();
  const sku = vendor.getByLabel("SKU", { exact: true });
  await sku.locator("option", { hasText: "MON-STD-36" }).waitFor({ state: "attached" });

  // Nothing chosen yet: the form says what is missing, under the field.
  await vendor.getByLabel("Quantity per voucher").fill("");
  await vendor.getByRole("button", { name: "Issue vouchers" }).click();
  await vendor.getByText("Please choose a SKU.", { exact: true }).waitFor();
  assert.equal(await sku.getAttribute("aria-invalid"), "true");
  await shot(vendor, "locker-02-issue-form-errors");

  await sku.selectOption("MON-STD-36");
  await vendor.getByLabel("Quantity per voucher, in units").fill("5");
  await vendor.getByLabel("Number of vouchers").fill("3");
  await vendor.getByLabel("Installer email (optional)").fill(uniqueEmail("installer"));
  await vendor.getByRole("button", { name: "Issue vouchers" }).click();
  await vendor.getByRole("heading", { name: "3 voucher codes issued" }).waitFor();
  await vendor.getByText("They will not be shown again", { exact: false }).waitFor();
  const codes = (await vendor.getByLabel("Codes, one per line").inputValue()).split("\n");
  assert.equal(codes.length, 3);
  for (const code of codes) assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  await vendor.getByRole("button", { name: "Copy all" }).click();
  await vendor.getByText("Copied to the clipboard.", { exact: true }).waitFor();
  assert.equal(await vendor.evaluate(() => navigator.clipboard.readText()), codes.join("\n"));
  await shot(vendor, "locker-03-codes-issued");

  // The list has them, unredeemed, findable by the whole code.
  const search = vendor.getByLabel("Search vouchers");
  await search.fill(codes[0]);
  await vendor.getByText("1 of", { exact: false }).waitFor();
  const row = vendor.locator("tbody tr", { hasText: codes[0].slice(-4) });
  await row.getByText("Unredeemed", { exact: true }).waitFor();
  await search.fill("");

  // ---- A customer, in another browser, redeems a code.
  const customer = await newPage(browser);
  const company = `Locker Journey ${Date.now()}`;
  await register.open(customer);
  await register.submit(customer, {
    kind: "customer",
    org: company,
    name: "Cleo Customer",
    email: uniqueEmail("customer"),
    password: PASSWORD,
  });
  await customer.waitForURL((url) => url.pathname === "/");
  await customer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Digital Locker" }).click();
  await customer.getByText("No credits yet — redeem the voucher code from your order email", { exact: true }).waitFor();
  await shot(customer, "locker-04-empty");

  const field = customer.getByLabel("Voucher code");
  const redeem = customer.getByRole("button", { name: "Redeem" });
  // While the code is unfinished, no message; a mistyped one says so as soon as it is whole.
  await field.fill(codes[0].slice(0, 9));
  assert.equal(await field.getAttribute("aria-invalid"), null);
  await field.fill(mistype(codes[0]));
  await customer.getByText("looks mistyped", { exact: false }).waitFor();
  assert.equal(await field.getAttribute("aria-invalid"), "true");
  await redeem.click();
  await customer.getByText("looks mistyped", { exact: false }).waitFor();
  await shot(customer, "locker-05-mistyped");

  // Pasted loosely: lower case, spaces for dashes.
  await field.fill(codes[0].toLowerCase().replaceAll("-", " "));
  await redeem.click();
  await customer
    .getByText("Added 5 units of MON-STD-36 (Asset Monitoring Platform Standard, 3 years, per asset). Balance: 5 units.", {
      exact: true,
    })
    .waitFor();
  assert.equal(await field.inputValue(), "", "ready for the next code");
  const balances = customer.getByRole("region", { name: "Balances" });
  await balances.getByRole("heading", { name: "Asset Monitoring Platform" }).waitFor();
  const balanceRow = balances.locator("tbody tr", { hasText: "MON-STD-36" });
  await balanceRow.getByText("5 units", { exact: true }).waitFor();
  assert.equal(await balanceRow.locator("[title]").getAttribute("title"), "180 device-months");
  const history = customer.getByRole("region", { name: "Consumption history" });
  await history.getByText("Voucher redeemed", { exact: true }).waitFor();
  await history.getByText("+5 units", { exact: true }).waitFor();
  await shot(customer, "locker-06-redeemed");

  // The same code again: the server's sentence, under the field.
  await field.fill(codes[0]);
  await redeem.click();
  await customer.getByText(/already redeemed/).waitFor();
  assert.equal(await field.getAttribute("aria-invalid"), "true");
  await shot(customer, "locker-07-already-redeemed");

  // A second code, typed without dashes, adds up.
  await field.fill(codes[1].replaceAll("-", ""));
  await redeem.click();
  await balanceRow.getByText("10 units", { exact: true }).waitFor();
  await customer.getByText("Balance: 10 units.", { exact: false }).waitFor();

  // On a phone.
  await customer.setViewportSize({ width: 360, height: 800 });
  await shot(customer, "locker-08-phone");

  // The vendor's page is not the customer's.
  await customer.goto("/vouchers");
  await customer.getByRole("heading", { name: "This page is for the vendor's back office" }).waitFor();
  await shot(customer, "locker-09-customer-on-vouchers");

  // ---- The vendor's list shows who redeemed what.
  await vendor.reload();
  await vendor.getByLabel("Search vouchers").fill(company);
  await vendor.getByText("2 of", { exact: false }).waitFor();
  const redeemed = vendor.locator("tbody tr", { hasText: codes[0].slice(-4) });
  await redeemed.getByText("Redeemed", { exact: true }).waitFor();
  await redeemed.getByText(`by ${company}`, { exact: false }).waitFor();
  await shot(vendor, "locker-10-vendor-list");
  const csv = vendor.getByRole("link", { name: "Export CSV" });
  const href = await csv.getAttribute("href");
  assert.equal(href, "/api/v1/vendor/vouchers/export.csv");
  const answer = await vendor.request.get(href);
  assert.equal(answer.status(), 200);
  assert.match(await answer.text(), new RegExp(company));

  await vendor.setViewportSize({ width: 360, height: 800 });
  await shot(vendor, "locker-11-vendor-phone");

  // And the customer's pages are not the vendor's.
  await vendor.goto("/locker");
  await vendor.getByRole("heading", { name: "This page is for customers and partners" }).waitFor();
  await shot(vendor, "locker-12-vendor-on-locker");

  // ---- Credits sold by the month, and a history longer than a page.
  await vendor.setViewportSize({ width: 1280, height: 800 });
  await vendor.goto("/vouchers");
  await vendor.getByLabel("SKU", { exact: true }).selectOption("POP-ESS-ADV-MO");
  await vendor.getByLabel("Quantity per voucher, in device-months").fill("12");
  await vendor.getByLabel("Number of vouchers").fill("50");
  await vendor.getByRole("button", { name: "Issue vouchers" }).click();
  await vendor.getByRole("heading", { name: "50 voucher codes issued" }).waitFor();
  const monthly = (await vendor.getByLabel("Codes, one per line").inputValue()).split("\n");
  assert.equal(monthly.length, 50);
  assert.deepEqual([...new Set(await redeemAll(customer, monthly))], [200]);

  await customer.setViewportSize({ width: 1280, height: 800 });
  await customer.goto("/locker");
  const upgrade = customer.getByRole("region", { name: "Balances" }).locator("tbody tr", { hasText: "POP-ESS-ADV-MO" });
  await upgrade.getByText("600 device-months", { exact: true }).waitFor();
  await upgrade.getByText("Upgrade Essential → Advanced", { exact: true }).waitFor();
  await upgrade.getByText("By the month", { exact: true }).waitFor();
  const entries = history.locator("tbody tr");
  await entries.nth(49).waitFor();
  assert.equal(await entries.count(), 50, "a page of 50");
  await history.getByRole("button", { name: "Show older" }).click();
  await entries.nth(51).waitFor();
  assert.equal(await entries.count(), 52);
  await history.getByRole("button", { name: "Show older" }).waitFor({ state: "detached" });
  await history.getByText("+12 device-months", { exact: true }).first().waitFor();
  await shot(customer, "locker-13-month-credits-and-history");

  assert.deepEqual(vendor.errors, []);
  assert.deepEqual(customer.errors, []);
});
