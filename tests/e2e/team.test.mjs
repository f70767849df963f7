// Journey (issue 4): an admin invites a co-worker, who accepts from the mail's link,
// registers, and lands inside the same company.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE_URL, launch, newPage, screenshot, uniqueEmail, PASSWORD, register, shell, verifyEmail } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const MESSAGES = {
  empty: "Please enter email address",
  invalid: "You have entered an invalid email address. Please re-enter the email address.",
  duplicate: "This co-worker has already been invited to the portal. Please invite another co-worker.",
};

/** The accept link of the newest invitation mail to `to`, from the dev outbox. */
async function inviteLink(to) {
  const res = await fetch(`${BASE_URL}/api/v1/dev/outbox`);
  assert.equal(res.status, 200);
  const mails = await res.json();
  const mail = mails.find((m) => m.to === to && m.kind === "invitation");
  assert.ok(mail, `an invitation mail to ${to}`);
  const match = mail.text.match(/https?:\/\/\S+\/invite\/accept\?token=\S+/);
  assert.ok(match, "the mail has an accept link");
  return new URL(match[0]);
}

test("invite a co-worker, who accepts, registers and joins the company", async () => {
  const admin = await newPage(browser);
  const company = `Team Journey ${Date.now()}`;
  const adminEmail = uniqueEmail("admin");
  await register.open(admin);
  await register.submit(admin, { kind: "customer", org: company, name: "Ada Admin", email: adminEmail, password: PASSWORD });
  await admin.waitForURL((url) => url.pathname === "/");
  await verifyEmail(admin, adminEmail);

  await admin.goto("/team");
  await admin.getByRole("button", { name: "Invite a co-worker" }).click();
  const dialog = admin.getByRole("dialog");
  await dialog.waitFor();
  const field = dialog.getByLabel("Email address");
  const send = dialog.getByRole("button", { name: "Send Invite" });

  await send.click();
  await dialog.getByText(MESSAGES.empty, { exact: true }).waitFor();

  await field.fill("not-an-email");
  await send.click();
  await dialog.getByText(MESSAGES.invalid, { exact: true }).waitFor();
  await screenshot(admin, "team-01-invalid-email");

  const coworker = uniqueEmail("coworker");
  await field.fill(coworker);
  await send.click();
  await dialog.getByText("Invitation Sent", { exact: true }).waitFor();
  await dialog.getByText("Your invitation was sent.", { exact: true }).waitFor();
  await screenshot(admin, "team-02-sent");

  await dialog.getByRole("button", { name: "Send New Invite" }).click();
  await dialog.getByLabel("Email address").fill(coworker.toUpperCase());
  await dialog.getByRole("button", { name: "Send Invite" }).click();
  await dialog.getByText(MESSAGES.duplicate, { exact: true }).waitFor();

  await dialog.getByLabel("Email address").fill(adminEmail);
  await dialog.getByRole("button", { name: "Send Invite" }).click();
  await dialog.getByText(/already a member/).waitFor();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "hidden" });
  await admin.getByText(coworker).first().waitFor();

  // The co-worker, in another browser, follows the link from the mail.
  const link = await inviteLink(coworker);
  const guest = await newPage(browser);
  await guest.goto(link.pathname + link.search);
  await guest.getByText(company).first().waitFor();
  const email = guest.locator("#email");
  assert.equal(await email.inputValue(), coworker);
  assert.equal(await email.isEditable(), false, "the invited email is locked");
  await guest.locator("#name").fill("Cory Coworker");
  await guest.locator("#password").fill(PASSWORD);
  await screenshot(guest, "team-03-accept");
  await guest.getByRole("button", { name: /join/i }).click();
  await guest.waitForURL((url) => url.pathname === "/");
  await shell.orgName(guest).filter({ hasText: company }).waitFor({ state: "attached" });
  assert.match(await shell.role(guest).innerText(), /member/i);

  // The link is single use.
  const again = await newPage(browser);
  await again.goto(link.pathname + link.search);
  const alert = again.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /already been used/);
  await screenshot(again, "team-04-used-link");

  // The admin's Team page shows the new member.
  await admin.reload();
  await admin.getByText("Cory Coworker").first().waitFor();
  await screenshot(admin, "team-05-members");
  assert.deepEqual(admin.errors, []);
  assert.deepEqual(guest.errors, []);
});

test("an existing home owner signs in from the link and joins; a partner is told to leave first", async () => {
  const admin = await newPage(browser);
  const company = `Joiners ${Date.now()}`;
  await register.open(admin);
  const adminEmail = uniqueEmail("admin");
  await register.submit(admin, { kind: "customer", org: company, name: "Ida Admin", email: adminEmail, password: PASSWORD });
  await admin.waitForURL((url) => url.pathname === "/");
  await verifyEmail(admin, adminEmail);

  // A home owner already has an account.
  const ownerEmail = uniqueEmail("owner");
  const owner = await newPage(browser);
  await register.open(owner);
  await register.submit(owner, { kind: "individual", name: "Hank Home", email: ownerEmail, password: PASSWORD });
  await owner.waitForURL((url) => url.pathname === "/");
  await shell.signOut(owner);
  await owner.waitForURL((url) => url.pathname === "/signin");

  // So does someone at a partner company.
  const partnerEmail = uniqueEmail("partner");
  const partner = await newPage(browser);
  await register.open(partner);
  await register.submit(partner, { kind: "partner", org: "Other Partners", name: "Pat Partner", email: partnerEmail, password: PASSWORD });
  await partner.waitForURL((url) => url.pathname === "/");

  for (const to of [ownerEmail, partnerEmail]) {
    await admin.goto("/team");
    await admin.getByRole("button", { name: "Invite a co-worker" }).click();
    await admin.getByRole("dialog").getByLabel("Email address").fill(to);
    await admin.getByRole("dialog").getByRole("button", { name: "Send Invite" }).click();
    await admin.getByText("Invitation Sent", { exact: true }).waitFor();
    await admin.getByRole("button", { name: "Close" }).click();
  }

  // The home owner, signed out, follows the link, signs in, comes back and joins.
  const ownerLink = await inviteLink(ownerEmail);
  await owner.goto(ownerLink.pathname + ownerLink.search);
  await owner.getByRole("link", { name: "Sign in to accept" }).click();
  await owner.waitForURL((url) => url.pathname === "/signin");
  await owner.getByLabel("Email").fill(ownerEmail);
  await owner.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await owner.getByRole("button", { name: "Sign in" }).click();
  await owner.waitForURL((url) => url.pathname === "/invite/accept");
  await owner.getByText("You are signed in as").waitFor();
  await screenshot(owner, "team-06-join-signed-in");
  await owner.getByRole("button", { name: `Join ${company}` }).click();
  await owner.waitForURL((url) => url.pathname === "/");
  await shell.orgName(owner).filter({ hasText: company }).waitFor({ state: "attached" });

  // The partner, already in another company, is told to leave it first.
  const partnerLink = await inviteLink(partnerEmail);
  await partner.goto(partnerLink.pathname + partnerLink.search);
  await partner.getByRole("button", { name: `Join ${company}` }).click();
  const refusal = partner.getByRole("alert");
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /leave/i);
  await partner.getByRole("link", { name: "Go to Home" }).waitFor();
  assert.equal(await partner.getByRole("button", { name: `Join ${company}` }).count(), 0, "no button that cannot work");
  await screenshot(partner, "team-07-member-of-other-org");

  // The admin sees the home owner among the members, and the partner's invitation still pending.
  await admin.goto("/team");
  await admin.getByRole("cell", { name: "Hank Home", exact: true }).waitFor();
  const partnerRow = admin.getByRole("row").filter({ hasText: partnerEmail });
  await partnerRow.getByText("Pending").waitFor();
  assert.deepEqual(owner.errors, []);
  assert.deepEqual(partner.errors, []);
});
