// Journey (issue 11, sharing): the vendor issues vouchers from the command line; two
// customers of their own redeem them in the browser. The first (the owner) invites the
// second from the Locker page; the second opens the mailed link, accepts, and their own
// credits join the pool: both see both SKUs, and the history shows the moves.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  launch,
  newPage,
  screenshot,
  uniqueEmail,
  PASSWORD,
  register,
  verifyEmail,
  issueVouchers,
  mailedLink,
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

/** A customer with a confirmed address, on their Digital Locker page. */
async function customer(name, company) {
  const page = await newPage(browser);
  const email = uniqueEmail(name.split(" ")[0].toLowerCase());
  await register.open(page);
  await register.submit(page, { kind: "customer", org: company, name, email, password: PASSWORD });
  await page.waitForURL((url) => url.pathname === "/");
  await verifyEmail(page, email);
  await page.goto("/locker");
  await page.getByRole("heading", { name: "People in this locker" }).waitFor();
  return { page, email };
}

async function redeem(page, code) {
  await page.getByLabel("Voucher code").fill(code);
  await page.getByRole("button", { name: "Redeem" }).click();
  // The outcome's sentence (the one of a previous code may still show: callers look at the balances).
  await page.getByText(/^Added .* Balance: /).waitFor();
}

const balance = (page, sku) => page.getByRole("region", { name: "Balances" }).locator("tbody tr", { hasText: sku });
const people = (page) => page.getByRole("region", { name: "People in this locker" });

test("vouchers from the command line; a locker shared with a second customer whose credits join the pool", async () => {
  // ---- The vendor issues vouchers from a terminal: codes, one per line.
  const monitoring = issueVouchers("MON-STD-36", 5, 2);
  const [rumCode] = issueVouchers("RUM-ADV-36", 3);
  for (const code of [...monitoring, rumCode]) assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);

  // ---- Ada (the owner-to-be) has no locker yet: she may invite already.
  const stamp = Date.now();
  const { page: ada } = await customer("Ada Owner", `Sharing Owners ${stamp}`);
  await people(ada).getByText("Only you so far", { exact: false }).waitFor();
  await people(ada).getByRole("button", { name: "Invite someone" }).waitFor();
  await shot(ada, "sharing-01-owner-empty-locker");

  // She redeems a code issued from the command line.
  await redeem(ada, monitoring[0]);
  await balance(ada, "MON-STD-36").getByText("5 units", { exact: true }).waitFor();
  await people(ada).getByText("Ada Owner (you)").waitFor();
  await people(ada).getByText("Owner", { exact: true }).waitFor();
  await shot(ada, "sharing-02-owner-redeemed-cli-code");

  // ---- Bo, a co-worker with an account (and a locker) of his own, has credits of another SKU.
  const { page: bo, email: boEmail } = await customer("Bo Buyer", `Sharing Buyers ${stamp}`);
  await redeem(bo, rumCode);
  await balance(bo, "RUM-ADV-36").getByText("3 units", { exact: true }).waitFor();
  await shot(bo, "sharing-03-second-customer-own-credits");

  // ---- Ada invites Bo from the Locker page.
  await people(ada).getByRole("button", { name: "Invite someone" }).click();
  await ada.getByRole("dialog", { name: "Share your Digital Locker" }).waitFor();
  // Once sent, the dialog is named by its outcome: from here on, the dialog.
  const dialog = ada.getByRole("dialog");
  await dialog.getByText("Invite only people of your own company: everyone in the locker can use all its credits.", { exact: false }).waitFor();
  await dialog.getByText("7 days", { exact: false }).first().waitFor();
  await dialog.getByRole("button", { name: "Send Invite" }).click();
  await dialog.getByText("Please enter email address", { exact: true }).waitFor();
  await dialog.getByLabel("Email address").fill(boEmail);
  await shot(ada, "sharing-04-invite-dialog");
  await dialog.getByRole("button", { name: "Send Invite" }).click();
  await dialog.getByText("Invitation Sent", { exact: true }).waitFor();
  await dialog.getByText("a link to share your Digital Locker", { exact: false }).waitFor();
  await shot(ada, "sharing-05-invitation-sent");
  // Twice is once too many.
  await dialog.getByRole("button", { name: "Send New Invite" }).click();
  await dialog.getByLabel("Email address").fill(boEmail);
  await dialog.getByRole("button", { name: "Send Invite" }).click();
  await dialog.getByText(/already been invited/).waitFor();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "detached" });
  const invitations = people(ada).getByRole("list", { name: "Invitations" });
  await invitations.getByText(boEmail).waitFor();
  await invitations.getByText("Pending", { exact: true }).waitFor();
  await shot(ada, "sharing-06-owner-invitation-pending");

  // ---- Bo opens the mailed link, signed in, and shares the locker.
  const link = await mailedLink(boEmail, "/locker/accept");
  await bo.goto(link.pathname + link.search);
  await bo.getByRole("heading", { name: "Share a Digital Locker" }).waitFor();
  await bo.getByText(`Ada Owner (Sharing Owners ${stamp}) invited you to share their Digital Locker`, { exact: false }).waitFor();
  await shot(bo, "sharing-07-accept-page");
  await bo.getByRole("button", { name: "Share the locker" }).click();
  await bo.waitForURL((url) => url.pathname === "/locker");
  await bo
    .getByRole("status")
    .getByText(`You now share the Digital Locker of Ada Owner (Sharing Owners ${stamp}). Your credits joined the pool.`, { exact: true })
    .waitFor();
  // The pool: Ada's credits and his own.
  await balance(bo, "MON-STD-36").getByText("5 units", { exact: true }).waitFor();
  await balance(bo, "RUM-ADV-36").getByText("3 units", { exact: true }).waitFor();
  await people(bo).getByText("Bo Buyer (you)").waitFor();
  await people(bo).getByText("Ada Owner").waitFor();
  assert.equal(await people(bo).getByRole("button", { name: "Invite someone" }).count(), 0, "only the owner invites");
  const boHistory = bo.getByRole("region", { name: "Consumption history" });
  await boHistory.locator("tbody tr", { hasText: "Moved on sharing" }).filter({ hasText: "RUM-ADV-36" }).waitFor();
  await shot(bo, "sharing-08-joined-the-pool");

  // ---- Ada reloads: Bo is among the people, his credits among the balances.
  await ada.reload();
  await people(ada).getByText("Bo Buyer").waitFor();
  await balance(ada, "RUM-ADV-36").getByText("3 units", { exact: true }).waitFor();
  await balance(ada, "MON-STD-36").getByText("5 units", { exact: true }).waitFor();
  const adaHistory = ada.getByRole("region", { name: "Consumption history" });
  const merge = adaHistory.locator("tbody tr", { hasText: "Moved on sharing" });
  await merge.filter({ hasText: "RUM-ADV-36" }).getByText("+3 units", { exact: true }).waitFor();
  assert.equal(await people(ada).getByRole("list", { name: "Invitations" }).count(), 0, "the accepted one is a member now");
  assert.equal(await adaHistory.getByText(/locker:\d/).count(), 0, "no internal references");
  await shot(ada, "sharing-09-owner-sees-the-pool");

  // Either of them redeems into the pool: Bo redeems the second command-line code.
  await redeem(bo, monitoring[1]);
  await balance(bo, "MON-STD-36").getByText("10 units", { exact: true }).waitFor();

  // ---- The used link says so, with a way on.
  await bo.goto(link.pathname + link.search);
  await bo.getByRole("heading", { name: "This invitation has already been used" }).waitFor();
  await bo.getByRole("link", { name: "Go to Digital Locker" }).waitFor();
  await shot(bo, "sharing-10-used-link");

  // ---- Someone without an account yet, signed out: sign in or register first.
  const newcomer = uniqueEmail("newcomer");
  await ada.getByRole("button", { name: "Invite someone" }).click();
  await ada.getByRole("dialog").getByLabel("Email address").fill(newcomer);
  await ada.getByRole("dialog").getByRole("button", { name: "Send Invite" }).click();
  await ada.getByText("Invitation Sent", { exact: true }).waitFor();
  await ada.getByRole("button", { name: "Close" }).click();
  const newcomerLink = await mailedLink(newcomer, "/locker/accept");
  const guest = await newPage(browser, { width: 360, height: 800 });
  await guest.goto(newcomerLink.pathname + newcomerLink.search);
  await guest.getByRole("heading", { name: "Share a Digital Locker" }).waitFor();
  const signInLink = guest.getByRole("link", { name: "Sign in to accept" });
  assert.equal(
    await signInLink.getAttribute("href"),
    `/signin?next=${encodeURIComponent(newcomerLink.pathname + newcomerLink.search).replaceAll("%2F", "/")}`,
  );
  await guest.getByRole("link", { name: "Create an account" }).waitFor();
  await shot(guest, "sharing-11-signed-out-phone");

  // ---- Signed in as someone else: told so, with a way to sign out.
  await ada.goto(newcomerLink.pathname + newcomerLink.search);
  await ada.getByText(`this invitation is for ${newcomer}`, { exact: false }).waitFor();
  await ada.getByRole("button", { name: "Sign out" }).waitFor();
  await shot(ada, "sharing-12-someone-else");

  // ---- On a phone.
  await bo.setViewportSize({ width: 360, height: 800 });
  await bo.goto("/locker");
  await people(bo).getByText("Ada Owner").waitFor();
  await shot(bo, "sharing-13-phone");

  assert.deepEqual(ada.errors, []);
  assert.deepEqual(bo.errors, []);
  assert.deepEqual(guest.errors, []);
});
