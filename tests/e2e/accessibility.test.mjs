// Journey: the pages a newcomer sees pass an axe-core audit (SPEC §12: no violations).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import {
  launch,
  newPage,
  screenshot,
  uniqueEmail,
  PASSWORD,
  register,
  shell,
  verifyEmail,
  vendorOperator,
} from "./support.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function audit(page) {
  // Colours are judged at rest: a dialog fading in has not reached its contrast yet.
  // (An animation cancelled meanwhile, its element gone or hidden, has nothing left to judge.)
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {}))));
  // Evaluated through the DevTools protocol: our CSP (rightly) refuses injected inline scripts.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  return result;
}

test("sign-in, register and home have no axe violations", async () => {
  const page = await newPage(browser);
  await page.goto("/signin");
  await page.getByLabel("Email").waitFor();
  assert.deepEqual(await audit(page), [], "sign-in page");

  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByRole("heading", { name: "Forgot your password?" }).waitFor();
  assert.deepEqual(await audit(page), [], "forgot-password page");

  await register.open(page);
  assert.deepEqual(await audit(page), [], "register page");

  // A locker invitation link that opens nothing: the page says why.
  await page.goto("/locker/accept?token=not-a-real-token");
  await page.getByRole("heading", { name: "This invitation link is not valid" }).waitFor();
  assert.deepEqual(await audit(page), [], "locker invitation page with a bad link");
  await register.open(page);

  const email = uniqueEmail("a11y");
  await register.submit(page, { kind: "partner", org: "Audit Partners", name: "Ann Audit", email, password: PASSWORD });
  await page.waitForURL((url) => url.pathname === "/");
  await shell.orgName(page).waitFor();
  await page.getByText("Please confirm your email address").waitFor();
  assert.deepEqual(await audit(page), [], "home page with the reminder to confirm the address");

  await verifyEmail(page, email);
  assert.deepEqual(await audit(page), [], "verify-email page");
  await page.goto("/");
  await shell.orgName(page).waitFor();

  await page.goto("/quotes");
  await page.locator("h1").waitFor();
  assert.deepEqual(await audit(page), [], "quotes page (partner)");
  await screenshot(page, "a11y-quotes-partner");

  // Moving to another page puts focus at the start of its content, as a page load would.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
  await page.getByRole("heading", { name: "Members" }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === "main");
  await page.getByText("No invitations yet").waitFor();
  assert.deepEqual(await audit(page), [], "team page");
  await page.getByRole("button", { name: "Invite a co-worker" }).click();
  await page.getByRole("dialog").waitFor();
  assert.deepEqual(await audit(page), [], "invite dialog");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });

  await page.goto("/account");
  await page.getByLabel("Current password").waitFor();
  assert.deepEqual(await audit(page), [], "account page");
  await screenshot(page, "a11y-account");
});

test("the Digital Locker and the vendor's Vouchers page have no axe violations", async () => {
  // The vendor operator, once past the one-time password, issues a voucher.
  const vendor = await vendorOperator(browser, "a11y-ops", "audit-vendor-passphrase");
  await vendor.goto("/vouchers");
  await vendor.getByLabel("SKU", { exact: true }).locator("option", { hasText: "RUM-ADV-36" }).waitFor({ state: "attached" });
  await vendor.getByText("No vouchers yet").or(vendor.getByLabel("Search vouchers")).first().waitFor();
  assert.deepEqual(await audit(vendor), [], "vouchers page");
  await vendor.getByRole("button", { name: "Issue vouchers" }).click();
  await vendor.getByText("Please choose a SKU.", { exact: true }).waitFor();
  assert.deepEqual(await audit(vendor), [], "vouchers page with errors");
  await vendor.getByLabel("SKU", { exact: true }).selectOption("RUM-ADV-36");
  await vendor.getByRole("button", { name: "Issue vouchers" }).click();
  await vendor.getByRole("heading", { name: "1 voucher code issued" }).waitFor();
  const code = await vendor.getByLabel("Codes, one per line").inputValue();
  await vendor.getByLabel("Search vouchers").waitFor();
  assert.deepEqual(await audit(vendor), [], "vouchers page with the codes issued");
  await screenshot(vendor, "a11y-vouchers");

  // A customer's locker: empty, a refused code, then credits and their history.
  const page = await newPage(browser);
  await register.open(page);
  await register.submit(page, { kind: "customer", org: "Audit Customers", name: "Ava Audit", email: uniqueEmail("a11y-locker"), password: PASSWORD });
  await page.waitForURL((url) => url.pathname === "/");
  await page.goto("/locker");
  await page.getByText("No credits yet", { exact: false }).waitFor();
  assert.deepEqual(await audit(page), [], "empty locker");
  await page.getByLabel("Voucher code").fill("7QKX-M2PA-9RTD-WH4R");
  await page.getByRole("button", { name: "Redeem" }).click();
  await page.getByText("looks mistyped", { exact: false }).waitFor();
  assert.deepEqual(await audit(page), [], "locker with a mistyped code");
  await page.getByLabel("Voucher code").fill(code);
  await page.getByRole("button", { name: "Redeem" }).click();
  await page.getByRole("heading", { name: "Consumption history" }).waitFor();
  assert.deepEqual(await audit(page), [], "locker with credits");
  await screenshot(page, "a11y-locker");
  await page.getByRole("button", { name: "Invite someone" }).click();
  await page.getByRole("dialog").waitFor();
  assert.deepEqual(await audit(page), [], "locker invite dialog");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });

  await page.setViewportSize({ width: 360, height: 800 });
  assert.deepEqual(await audit(page), [], "locker on a phone");
  assert.deepEqual(page.errors, []);
  assert.deepEqual(vendor.errors, []);
});

test("the sign-in form is usable with the keyboard alone", async () => {
  const page = await newPage(browser);
  await page.goto("/signin");
  await page.getByLabel("Email").waitFor();
  await page.getByLabel("Email").focus();
  await page.keyboard.type("nobody@example.com");
  await page.keyboard.press("Tab");
  await page.keyboard.type("wrong-password-1");
  await page.keyboard.press("Enter");
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /Incorrect email or password/);
});
