// Shared set-up of the end-to-end journeys: Debian's Chromium driven by
// playwright-core, the server started by `cargo xtask test` (BASE_URL), and
// screenshots kept under SCREENSHOT_DIR.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const BASE_URL = process.env.BASE_URL ?? "http://127.0.0.1:8080";
const SHOTS = process.env.SCREENSHOT_DIR ?? "target/e2e-screenshots";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export async function launch() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** A fresh browser context (no cookies) and page, with console errors collected. */
export async function newPage(browser, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, baseURL: BASE_URL });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** An address nobody else in this run uses. */
export function uniqueEmail(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export const PASSWORD = "correct-horse-battery";

// Page objects: what a person does, in the words of the page.
export const signIn = {
  async open(page, query = "") {
    await page.goto(`/signin${query}`);
    await page.getByLabel("Email").waitFor();
  },
  async submit(page, email, password) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  },
};

export const register = {
  async open(page) {
    await page.goto("/register");
    await page.locator("#email").waitFor();
  },
  async submit(page, { kind, org, name, email, password }) {
    await page.locator(`input[name="org-kind"][value="${kind}"]`).check();
    if (org !== undefined) await page.locator("#org-name").fill(org);
    await page.locator("#name").fill(name);
    await page.locator("#email").fill(email);
    await page.locator("#password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
  },
};

export const shell = {
  orgName: (page) => page.getByTestId("org-name"),
  role: (page) => page.getByTestId("user-role"),
  async signOut(page) {
    await page.getByRole("button", { name: "Sign out" }).click();
  },
};

/**
 * A vendor organization and its operator, made as operators make them: with
 * `tessera-server admin create-vendor` on the test server's own database.
 * Returns the generated one-time password.
 */
export function createVendor(org, email) {
  const bin = process.env.TESSERA_SERVER_BIN ?? "target/debug/tessera-server";
  const out = execFileSync(bin, ["admin", "create-vendor", "--org", org, "--email", email], {
    env: { ...process.env, TESSERA_DATA_DIR: process.env.TESSERA_DATA_DIR ?? "data" },
    encoding: "utf8",
  });
  const line = out.split("\n").find((l) => l.startsWith("One-time password: "));
  if (!line) throw new Error(`create-vendor printed no one-time password:\n${out}`);
  return line.slice("One-time password: ".length).trim();
}

/**
 * Vouchers issued as the vendor's operators issue them from a terminal:
 * `tessera-server vouchers issue` on the test server's own database. Returns the
 * printed codes (the command prints them one per line, and nothing else).
 */
export function issueVouchers(sku, quantity, count = 1) {
  const bin = process.env.TESSERA_SERVER_BIN ?? "target/debug/tessera-server";
  const args = ["vouchers", "issue", "--sku", sku, "--quantity", String(quantity), "--count", String(count)];
  const out = execFileSync(bin, args, {
    env: { ...process.env, TESSERA_DATA_DIR: process.env.TESSERA_DATA_DIR ?? "data" },
    encoding: "utf8",
  });
  const codes = out.split("\n").filter((l) => l.trim() !== "");
  if (codes.length !== count) throw new Error(`vouchers issue printed ${codes.length} lines, not ${count}:\n${out}`);
  return codes;
}

/** The link of the newest mail to `to` that leads to `route` (e.g. "/verify-email"), read from the dev outbox. */
export async function mailedLink(to, route) {
  const res = await fetch(`${BASE_URL}/api/v1/dev/outbox`);
  if (res.status !== 200) throw new Error(`dev outbox answered ${res.status}`);
  const mails = await res.json();
  const pattern = new RegExp(`https?://\\S+${route.replace(/[/]/g, "\\/")}\\?token=[^\\s\\]]+`);
  for (const mail of mails) {
    const match = mail.to === to && mail.text.match(pattern);
    if (match && !match[0].endsWith("[redacted")) return new URL(match[0]);
  }
  throw new Error(`no live ${route} link mailed to ${to}`);
}

/** Opens the confirmation link mailed at registration, as its owner would, in `page`. */
export async function verifyEmail(page, email) {
  const link = await mailedLink(email, "/verify-email");
  await page.goto(link.pathname + link.search);
  await page.getByRole("heading", { name: "Email address confirmed" }).waitFor();
}

/** The text of the newest mail to `to` whose subject contains `subject`, read from the dev outbox. */
export async function mailedText(to, subject) {
  const res = await fetch(`${BASE_URL}/api/v1/dev/outbox`);
  if (res.status !== 200) throw new Error(`dev outbox answered ${res.status}`);
  const mail = (await res.json()).find((m) => m.to === to && m.subject.includes(subject));
  if (!mail) throw new Error(`no mail to ${to} about "${subject}"`);
  return mail.text;
}

/** What `tessera-server ARGS…` prints, run on the test server's own data directory. */
export function serverCommand(args) {
  const bin = process.env.TESSERA_SERVER_BIN ?? "target/debug/tessera-server";
  return execFileSync(bin, args, {
    env: { ...process.env, TESSERA_DATA_DIR: process.env.TESSERA_DATA_DIR ?? "data" },
    encoding: "utf8",
  });
}

/** The axe-core violations of the page as it is now, one line each (empty: none). */
export async function axeViolations(page) {
  const { createRequire } = await import("node:module");
  const { readFileSync } = await import("node:fs");
  const axe = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  // Colours are judged at rest: a dialog fading in has not reached its contrast yet.
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {}))));
  // Evaluated through the DevTools protocol: the CSP (rightly) refuses injected inline scripts.
  await page.evaluate(axe);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

/**
 * A request as the person signed in on `page` would make it (their cookie and CSRF token);
 * a string body goes as `text/csv`, anything else as JSON. Answers `{status, body}`: the
 * parsed JSON, or the text of another answer (a CSV).
 */
export async function api(page, method, path, body, headers = {}) {
  return page.evaluate(
    async ({ method, path, body, headers }) => {
      const me = await (await fetch("/api/v1/me")).json();
      const isText = typeof body === "string";
      const res = await fetch(`/api/v1${path}`, {
        method,
        headers: { "Content-Type": isText ? "text/csv" : "application/json", "X-CSRF-Token": me.csrf_token, ...headers },
        body: body === undefined ? undefined : isText ? body : JSON.stringify(body),
      });
      const text = await res.text();
      const json = res.headers.get("content-type")?.includes("json");
      return { status: res.status, body: text && json ? JSON.parse(text) : text || null };
    },
    { method, path, body, headers },
  );
}

/**
 * A vendor operator made with `tessera-server users create-vendor`, signed in on a new page
 * of `browser` and past the one-time password (replaced by `password`).
 */
export async function vendorOperator(browser, prefix, password) {
  const email = uniqueEmail(prefix);
  const oneTime = createVendor(`Vendor ${prefix} ${Date.now()}`, email);
  const page = await newPage(browser);
  await signIn.open(page);
  await signIn.submit(page, email, oneTime);
  await page.waitForURL((url) => url.pathname === "/account");
  await page.getByLabel("Current password").fill(oneTime);
  await page.getByLabel("New password").fill(password);
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByText("Your password was changed.", { exact: false }).waitFor();
  return page;
}
