// Journey: a company registers, signs out, signs back in, and mistypes a password.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, newPage, screenshot, uniqueEmail, PASSWORD, signIn, register, shell } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("register, sign out, sign in, wrong password", async () => {
  const page = await newPage(browser);
  const email = uniqueEmail("founder");

  await register.open(page);
  await screenshot(page, "accounts-01-register");
  await register.submit(page, { kind: "customer", org: "Acme Facilities", name: "Ada Founder", email, password: PASSWORD });

  await page.waitForURL((url) => url.pathname === "/");
  await assert.doesNotReject(shell.orgName(page).filter({ hasText: "Acme Facilities" }).waitFor());
  assert.match(await shell.role(page).innerText(), /admin/i);
  assert.match(await page.locator("h1").first().innerText(), /\S/);
  await screenshot(page, "accounts-02-home");

  await shell.signOut(page);
  await page.waitForURL((url) => url.pathname === "/signin");

  // A wrong password: a clear message, still on the sign-in page.
  await signIn.submit(page, email, "not-the-password");
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /Incorrect email or password/);
  assert.equal(new URL(page.url()).pathname, "/signin");
  await screenshot(page, "accounts-03-wrong-password");

  await signIn.submit(page, email, PASSWORD);
  await page.waitForURL((url) => url.pathname === "/");
  await shell.orgName(page).filter({ hasText: "Acme Facilities" }).waitFor();

  // A reload keeps the session (cookie), and app pages survive a reload too.
  await page.goto("/team");
  await shell.orgName(page).filter({ hasText: "Acme Facilities" }).waitFor();
  assert.deepEqual(page.errors, []);
});

test("a duplicate email is refused with a message", async () => {
  const email = uniqueEmail("dup");
  const first = await newPage(browser);
  await register.open(first);
  await register.submit(first, { kind: "partner", org: "First Partner", name: "P One", email, password: PASSWORD });
  await first.waitForURL((url) => url.pathname === "/");

  const second = await newPage(browser);
  await register.open(second);
  await register.submit(second, { kind: "customer", org: "Second", name: "P Two", email, password: PASSWORD });
  const alert = second.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /already exists/);
  assert.equal(new URL(second.url()).pathname, "/register");
});

test("a signed-out first load logs no error and no failed request", async () => {
  const page = await newPage(browser);
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("requestfailed", (r) => problems.push(`failed: ${r.url()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()}: ${r.url()}`));
  await page.goto("/");
  await page.waitForURL((url) => url.pathname === "/signin");
  await page.getByLabel("Email").waitFor();
  await signIn.open(page);
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, []);
});

test("signed-out visitors are sent to sign in; unknown pages say so", async () => {
  const page = await newPage(browser);
  await page.goto("/licenses");
  await page.waitForURL((url) => url.pathname === "/signin");
  await page.goto("/no-such-page");
  await page.getByText(/not found/i).first().waitFor();
  await screenshot(page, "accounts-04-not-found");
});

test("narrow screens: registering as a home owner works at 360 px", async () => {
  const page = await newPage(browser, { width: 360, height: 740 });
  await register.open(page);
  await page.locator('input[name="org-kind"][value="individual"]').check();
  assert.equal(await page.locator("#org-name").isVisible(), false, "no company name for a home owner");
  await register.submit(page, { kind: "individual", name: "Hugo Home", email: uniqueEmail("home"), password: PASSWORD });
  await page.waitForURL((url) => url.pathname === "/");
  await shell.orgName(page).filter({ hasText: "Hugo Home" }).waitFor({ state: "attached" });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, "no horizontal scrolling at 360 px");
  await screenshot(page, "accounts-05-home-360");

  // A home owner's account is for one person: no Team section, and its address says why.
  assert.equal(await page.locator('a.section-card[href="/team"]').count(), 0, "no Team card");
  assert.equal(await page.locator('a.nav-link[href="/team"]').count(), 0, "no Team link");
  assert.ok(await page.locator('a.section-card[href="/locker"]').count(), "the other sections are there");
  await page.goto("/team");
  await page.getByRole("heading", { name: "Just you here" }).waitFor();
  assert.equal(await page.locator("#invite-button").count(), 0);
  assert.deepEqual(page.errors, []);
});
