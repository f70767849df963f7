// Journeys (issue 10): a new account confirms its address from the mailed link before it
// may invite anyone; a person who forgot their password chooses a new one from a mailed
// link and is signed in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, newPage, screenshot, uniqueEmail, PASSWORD, register, signIn, shell, mailedLink } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("register, confirm the address from the mailed link, then invite a co-worker", async () => {
  const page = await newPage(browser);
  const email = uniqueEmail("verify");
  await register.open(page);
  await register.submit(page, { kind: "customer", org: `Verifiers ${Date.now()}`, name: "Vera Verify", email, password: PASSWORD });
  await page.waitForURL((url) => url.pathname === "/");
  const reminder = page.getByRole("region", { name: "Confirm your email address" });
  await reminder.getByText(email).waitFor();
  await screenshot(page, "recovery-01-home-unconfirmed");

  // Inviting before confirming is refused, with the way out at hand.
  await page.goto("/team");
  await page.getByRole("button", { name: "Invite a co-worker" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Email address").fill(uniqueEmail("early"));
  await dialog.getByRole("button", { name: "Send Invite" }).click();
  await dialog.getByText("Please confirm your email address first", { exact: false }).waitFor();
  const first = await mailedLink(email, "/verify-email");
  await dialog.getByRole("button", { name: "Send the link again" }).click();
  await dialog.getByText(`We sent a new link to ${email}.`, { exact: false }).waitFor();
  await screenshot(page, "recovery-02-invite-refused-link-resent");
  await page.keyboard.press("Escape");

  // The first link was replaced by the new one.
  await page.goto(first.pathname + first.search);
  await page.getByRole("heading", { name: "This link has expired" }).waitFor();

  const link = await mailedLink(email, "/verify-email");
  assert.notEqual(link.search, first.search, "a new link was mailed");
  await page.goto(link.pathname + link.search);
  await page.getByRole("heading", { name: "Email address confirmed" }).waitFor();
  await screenshot(page, "recovery-03-confirmed");
  await page.getByRole("link", { name: "Go to Home" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await shell.orgName(page).waitFor();
  assert.equal(await reminder.count(), 0, "no reminder once confirmed");

  await page.goto("/team");
  await page.getByRole("button", { name: "Invite a co-worker" }).click();
  await dialog.getByLabel("Email address").fill(uniqueEmail("coworker"));
  await dialog.getByRole("button", { name: "Send Invite" }).click();
  await dialog.getByText("Invitation Sent", { exact: true }).waitFor();
  assert.deepEqual(page.errors, []);
});

test("forgot password: ask for a link, choose a new password from the mail, be signed in", async () => {
  const email = uniqueEmail("forgot");
  const owner = await newPage(browser);
  await register.open(owner);
  await register.submit(owner, { kind: "individual", name: "Fern Forgetful", email, password: PASSWORD });
  await owner.waitForURL((url) => url.pathname === "/");
  await shell.signOut(owner);
  await owner.waitForURL((url) => url.pathname === "/signin");

  const page = await newPage(browser);
  await signIn.open(page);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.waitForURL((url) => url.pathname === "/forgot-password");
  await page.getByRole("button", { name: "Email me a link" }).click();
  await page.getByText("Please enter email address", { exact: true }).waitFor();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Email me a link" }).click();
  await page.getByText("If an account uses this address, we have sent it a link", { exact: false }).waitFor();
  await screenshot(page, "recovery-04-link-requested");

  const link = await mailedLink(email, "/reset-password");
  await page.goto(link.pathname + link.search);
  await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Set password and sign in" }).click();
  await page.locator("#new-password[aria-invalid='true']").waitFor();
  const fresh = "a-brand-new-passphrase";
  await page.getByLabel("New password").fill(fresh);
  await screenshot(page, "recovery-05-new-password");
  await page.getByRole("button", { name: "Set password and sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await shell.orgName(page).waitFor();
  assert.equal(await page.getByRole("region", { name: "Confirm your email address" }).count(), 0, "the reset proved the address");

  // The link worked once.
  await page.goto(link.pathname + link.search);
  await page.getByRole("button", { name: "Set password and sign in" }).waitFor();
  await page.getByLabel("New password").fill("yet-another-passphrase");
  await page.getByRole("button", { name: "Set password and sign in" }).click();
  await page.getByRole("heading", { name: "This link was used already" }).waitFor();
  await screenshot(page, "recovery-06-link-used");

  // The old password is gone; the new one signs in.
  await page.goto("/");
  await shell.signOut(page);
  await page.waitForURL((url) => url.pathname === "/signin");
  await signIn.submit(page, email, PASSWORD);
  await page.getByText("Incorrect email or password.", { exact: true }).waitFor();
  await signIn.submit(page, email, fresh);
  await page.waitForURL((url) => url.pathname === "/");
  assert.deepEqual(page.errors, []);
});
