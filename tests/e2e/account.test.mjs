// Journey: a vendor operator made on the command line signs in with the
// one-time password, is kept on "Your account" until they choose their own,
// then uses the app; they rename themselves; the old password stops working.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, newPage, screenshot, uniqueEmail, signIn, createVendor } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const NEW_PASSWORD = "vendor-ops-passphrase-2026";

test("a one-time password must be replaced before anything else", async () => {
  const email = uniqueEmail("ops");
  const oneTime = createVendor(`Vendor ${Date.now()}`, email);
  const page = await newPage(browser);

  await signIn.open(page, "?next=/team");
  await signIn.submit(page, email, oneTime);
  await page.waitForURL((url) => url.pathname === "/account");
  await page.getByText("Choose your own password", { exact: true }).waitFor();
  await screenshot(page, "account-01-one-time-password");
  // The server refuses a rename until then, so the page does not offer one.
  await page.getByText("You can change your name once you have chosen your own password.", { exact: true }).waitFor();
  assert.equal(await page.getByLabel("Name", { exact: true }).count(), 0);
  assert.equal(await page.getByRole("button", { name: "Save name" }).count(), 0);

  // Anywhere else leads back here, by link or by address.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
  await page.waitForFunction(() => location.pathname === "/account" && document.title.startsWith("Your account"));
  await page.goto("/team");
  await page.waitForURL((url) => url.pathname === "/account");
  await page.getByText("Choose your own password", { exact: true }).waitFor();

  const current = page.getByLabel("Current password");
  const fresh = page.getByLabel("New password");
  const submit = page.getByRole("button", { name: "Change password" });

  await submit.click();
  await page.getByText("Please enter your current password", { exact: true }).waitFor();

  await current.fill("not-the-password");
  await fresh.fill(NEW_PASSWORD);
  await submit.click();
  await page.getByText("Your current password is not correct.", { exact: true }).waitFor();
  assert.equal(page.url().endsWith("/account"), true);

  await current.fill(oneTime);
  await fresh.fill(NEW_PASSWORD);
  await submit.click();
  await page.getByText("Your password was changed. Your other sessions were signed out.").waitFor();
  await page.getByText("Choose your own password", { exact: true }).waitFor({ state: "detached" });
  assert.equal(await current.inputValue(), "", "the form starts over");
  await page.getByLabel("Name", { exact: true }).waitFor();
  await page.getByText("You can change your name once you have chosen your own password.").waitFor({ state: "detached" });

  // Free to go now.
  await page.getByRole("link", { name: "Team" }).click();
  await page.waitForURL((url) => url.pathname === "/team");
  await page.getByRole("heading", { name: "Members" }).waitFor();

  // Renaming shows at once in the top bar.
  await page.getByRole("link", { name: /Your account/ }).click();
  await page.waitForURL((url) => url.pathname === "/account");
  await page.getByLabel("Name").fill("Olga Operator");
  await page.getByRole("button", { name: "Save name" }).click();
  await page.getByText("Your name was saved.").waitFor();
  await page.locator(".user-name", { hasText: "Olga Operator" }).waitFor();
  await screenshot(page, "account-02-changed");

  // The one-time password no longer opens the account; the new one does.
  const other = await newPage(browser);
  await signIn.open(other);
  await signIn.submit(other, email, oneTime);
  await other.getByText("Incorrect email or password.").waitFor();
  await signIn.submit(other, email, NEW_PASSWORD);
  await other.waitForURL((url) => url.pathname === "/");

  // Signing out everywhere from the first browser ends the second one's session too.
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.waitForURL((url) => url.pathname === "/signin");
  await other.reload();
  await other.waitForURL((url) => url.pathname === "/signin");
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
});
