// Journey (issue 13, the Devices page): a customer imports a CSV with one bad row, reads the
// row's problem, imports the valid rows; adds a device whose serial is taken and is told so
// under the field; edits a device and removes it; searches with a phrase, a * pattern and an unclosed quote; shares two
// devices with a partner named by the Partner ID on the partner's Home page; the partner
// sees exactly those two under "Shared with me", read-only. Audited with axe at each step.
// Then, with 200 devices: only the rows in view are drawn (VirtualList, as on Renewals), the
// box scrolls with End and Home at 1280 and 360 px, and a search starts from the top.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, newPage, screenshot, uniqueEmail, PASSWORD, register, verifyEmail, axeViolations } from "./support.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
}

// Row 3 has no serial: the file is refused whole, then imported without it.
const CSV = [
  "serial,model,name,site,battery_replace_by,warranty_expires_on",
  "DJ-PA-0001,Smart-UPS 1500,UPS Paris 01,Paris HQ,2027-03-31,2028-06-30",
  "DJ-LY-0001,Smart-UPS 3000,UPS Lyon 01,Lyon Plant,,",
  ",Smart-UPS 3000,UPS Lyon 02,Lyon Plant,,",
  "DJ-LY-0002,Galaxy VS 20kW,UPS Lyon 03,Lyon Plant,2026-01-15,",
  "DJ-LI-0001,Easy UPS 10kVA,Depot rack,Lille Depot,,2029-01-01",
].join("\n");

const count = (page) => page.locator(".list-count");
const rows = (page) => page.locator("tbody tr.device-row");

test("devices are imported, searched and shared with a partner, who sees only those", async () => {
  // ---- The partner first: its Partner ID is on its Home page.
  const partnerPage = await newPage(browser);
  const partnerEmail = uniqueEmail("devices-partner");
  const partnerOrg = `Brightline Journey ${Date.now()}`;
  await register.open(partnerPage);
  await register.submit(partnerPage, { kind: "partner", org: partnerOrg, name: "Paula Partner", email: partnerEmail, password: PASSWORD });
  await partnerPage.waitForURL((url) => url.pathname === "/");
  const partnerId = (await partnerPage.getByTestId("partner-id").innerText()).trim();
  assert.match(partnerId, /^\d+$/);
  await partnerPage.getByText("Give your Partner ID to your customers so they can share their devices with you.").waitFor();
  await shot(partnerPage, "devices-01-partner-home");
  assert.deepEqual(await axeViolations(partnerPage), []);

  // ---- A customer with no devices yet.
  const page = await newPage(browser);
  const email = uniqueEmail("devices");
  const customerOrg = `Northwind Journey ${Date.now()}`;
  await register.open(page);
  await register.submit(page, { kind: "customer", org: customerOrg, name: "Dana Devices", email, password: PASSWORD });
  await page.waitForURL((url) => url.pathname === "/");
  await verifyEmail(page, email);
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" }).click();
  await page.getByRole("heading", { name: "No devices yet" }).waitFor();
  await page.getByRole("link", { name: "Activate a code" }).waitFor();
  await shot(page, "devices-02-empty");
  assert.deepEqual(await axeViolations(page), []);

  // ---- Import: the bad row is named, nothing is imported, then the valid rows are.
  await page.getByRole("button", { name: "Import from CSV" }).click();
  const dialog = page.getByRole("dialog", { name: "Import devices from CSV" });
  await dialog.getByText("serial,model,name,site,battery_replace_by,warranty_expires_on").waitFor();
  assert.match(await dialog.getByRole("link", { name: "Download an example" }).getAttribute("href"), /^data:text\/csv/);
  await dialog.getByLabel("CSV file").setInputFiles({ name: "devices.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
  await dialog.getByRole("button", { name: "Import", exact: true }).click();
  await dialog.getByText("Row 3 · serial: Please enter the serial number.").waitFor();
  await dialog.getByText("1 row has a problem. Nothing was imported.").waitFor();
  await shot(page, "devices-03-import-refused");
  assert.deepEqual(await axeViolations(page), []);
  await dialog.getByRole("button", { name: "Import the 4 valid rows" }).click();
  await dialog.getByText("Imported 4 devices.").waitFor();
  await dialog.getByText("Skipped 1 row with problems:").waitFor();
  await dialog.getByRole("button", { name: "Close" }).click();
  await count(page).getByText("4 devices", { exact: true }).waitFor();
  assert.equal(await rows(page).count(), 4);
  await shot(page, "devices-04-list");
  assert.deepEqual(await axeViolations(page), []);

  // ---- Add: a serial already there is refused under the field.
  await page.getByRole("button", { name: "Add device" }).click();
  const add = page.getByRole("dialog", { name: "Add a device" });
  await add.getByRole("button", { name: "Add device" }).click();
  await add.getByText("Please enter the serial number.").waitFor();
  await add.getByLabel("Serial number").fill("dj-pa-0001");
  await add.getByLabel("Name", { exact: true }).fill("Spare UPS");
  await add.getByRole("button", { name: "Add device" }).click();
  await add.getByText("A device with this serial number is already in your devices.").waitFor();
  assert.equal(await add.getByLabel("Serial number").getAttribute("aria-invalid"), "true");
  await shot(page, "devices-05-add-taken");
  assert.deepEqual(await axeViolations(page), []);
  await add.getByLabel("Serial number").fill("DJ-NA-0001");
  await add.getByLabel("Site").fill("Nantes Office");
  await add.getByRole("button", { name: "Add device" }).click();
  await page.getByText("Added Spare UPS.").waitFor();
  await count(page).getByText("5 devices", { exact: true }).waitFor();

  // ---- Search in SPEC §10's syntax, as one types.
  const search = page.getByLabel("Search devices");
  await search.fill('"lyon plant"');
  await count(page).getByText("2 of 5 devices").waitFor();
  await search.fill("dj-l*");
  await count(page).getByText("3 of 5 devices").waitFor();
  await search.fill('"lyon');
  await page.getByText("A quote is not closed", { exact: false }).waitFor();
  assert.equal(await search.getAttribute("aria-invalid"), "true");
  await search.fill("nothing-like-it");
  await page.getByText("No device matches your search").waitFor();

  // Sorting by a column says so to assistive technology.
  await search.fill("");
  await count(page).getByText("5 devices", { exact: true }).waitFor();
  await page.getByRole("button", { name: "Device", exact: true }).click();
  assert.equal(await page.locator("th", { hasText: "Device" }).getAttribute("aria-sort"), "ascending");
  assert.equal((await rows(page).first().locator(".cell-line").first().innerText()).trim(), "Depot rack");

  // ---- Edit a device (its name opens it), then remove it, asked twice.
  await page.getByRole("button", { name: "Edit Spare UPS (DJ-NA-0001)" }).click();
  const edit = page.getByRole("dialog", { name: "Edit device" });
  assert.equal(await edit.getByLabel("Site").inputValue(), "Nantes Office");
  await edit.getByLabel("Site").fill("Nantes Depot");
  await edit.getByLabel("Battery replace-by").fill("2027-09-30");
  await shot(page, "devices-05b-edit");
  assert.deepEqual(await axeViolations(page), []);
  await edit.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Saved Spare UPS.").waitFor();
  const spare = rows(page).filter({ hasText: "DJ-NA-0001" });
  await spare.getByText("Nantes Depot").waitFor();
  await page.getByRole("button", { name: "Edit Spare UPS (DJ-NA-0001)" }).click();
  assert.equal(await edit.getByLabel("Battery replace-by").inputValue(), "2027-09-30", "the change was kept");
  await edit.getByRole("button", { name: "Remove device" }).click();
  await edit.getByText("Remove Spare UPS for good? Its plan history goes with it.").waitFor();
  await edit.getByRole("button", { name: "Yes, remove it" }).click();
  await page.getByText("Removed DJ-NA-0001.").waitFor();
  await count(page).getByText("4 devices", { exact: true }).waitFor();
  await page.reload();
  await count(page).getByText("4 devices", { exact: true }).waitFor();

  // ---- Share the two Lyon devices with the partner.
  await search.fill('"lyon plant"');
  await count(page).getByText("2 of 4 devices").waitFor();
  await page.getByLabel("Select every device shown").check();
  await page.getByText("2 devices selected").waitFor();
  await page.getByRole("button", { name: "Share with a partner" }).click();
  const share = page.getByRole("dialog", { name: "Share with a partner" });
  await share.getByRole("button", { name: "Share", exact: true }).click();
  await share.getByText("Please enter your partner's Partner ID.").waitFor();
  await share.getByLabel("Partner ID").fill(partnerId);
  assert.equal(await share.getByLabel("The 2 devices you selected").isChecked(), true);
  await shot(page, "devices-06-share");
  assert.deepEqual(await axeViolations(page), []);
  await share.getByRole("button", { name: "Share", exact: true }).click();
  await page.getByText(`${partnerOrg} now sees 2 devices.`).waitFor();
  const shares = page.getByRole("region", { name: "Shared with partners" });
  await shares.getByRole("cell", { name: partnerOrg, exact: true }).waitFor();
  await shares.getByText("2 devices", { exact: true }).waitFor();
  await shot(page, "devices-07-shared");
  assert.deepEqual(await axeViolations(page), []);

  // ---- The partner sees exactly those two, marked, under "Shared with me", read-only.
  await partnerPage.goto("/devices");
  await partnerPage.getByRole("button", { name: "Shared with me (2)" }).click();
  await count(partnerPage).getByText("2 devices", { exact: true }).waitFor();
  const serials = await rows(partnerPage).locator(".cell-serial").allInnerTexts();
  assert.deepEqual(serials.map((s) => s.trim()).sort(), [`DJ-LY-0001 · Shared by ${customerOrg}`, `DJ-LY-0002 · Shared by ${customerOrg}`]);
  assert.equal(await partnerPage.locator("tbody input[type=checkbox]").count(), 0, "nothing to tick");
  assert.equal(await partnerPage.locator("tbody .link-button").count(), 0, "nothing to edit");
  await shot(partnerPage, "devices-08-partner-shared");
  assert.deepEqual(await axeViolations(partnerPage), []);

  // ---- Narrow screens: rows become cards, the page still reads.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.getByLabel("Search devices").fill("");
  await count(page).getByText("4 devices", { exact: true }).waitFor();
  await shot(page, "devices-09-narrow");
  assert.deepEqual(await axeViolations(page), []);

  assert.deepEqual(page.errors, []);
  assert.deepEqual(partnerPage.errors, []);
});

test("devices: only the rows in view are drawn, the box scrolls by keyboard, at any width", async () => {
  const page = await newPage(browser);
  const email = uniqueEmail("devices-window");
  await register.open(page);
  await register.submit(page, { kind: "customer", org: `Devices Window ${Date.now()}`, name: "Wes Window", email, password: PASSWORD });
  await page.waitForURL((url) => url.pathname === "/");
  const status = await page.evaluate(async () => {
    const me = await (await fetch("/api/v1/me")).json();
    const rows = Array.from({ length: 200 }, (_, i) => `DW${String(i).padStart(6, "0")},Smart-UPS 1500,UPS ${i},Site ${i % 4},,`);
    const csv = "serial,model,name,site,battery_replace_by,warranty_expires_on\n" + rows.join("\n");
    const r = await fetch("/api/v1/devices/import", { method: "POST", headers: { "Content-Type": "text/csv", "X-CSRF-Token": me.csrf_token }, body: csv });
    return r.status;
  });
  assert.equal(status, 200);
  await verifyEmail(page, email);

  await page.goto("/devices");
  const table = page.locator("table.device-table");
  await count(page).getByText("200 devices", { exact: true }).waitFor();
  assert.equal(await table.getAttribute("aria-rowcount"), "201");
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: width === 360 ? 740 : 800 });
    const box = page.getByRole("region", { name: "Devices table" });
    await box.focus();
    await page.keyboard.press("Home");
    await table.locator('tr.device-row[aria-rowindex="2"]').waitFor();
    const drawn = await rows(page).count();
    assert.ok(drawn < 100, `only the rows in view are drawn at ${width} px (${drawn})`);
    await page.keyboard.press("End");
    await table.locator('tr.device-row[aria-rowindex="201"]').waitFor();
    assert.equal(await table.locator('tr[aria-rowindex="2"]').count(), 0, `the first row left the DOM at ${width} px`);
    await page.keyboard.press("Home");
    await table.locator('tr.device-row[aria-rowindex="2"]').waitFor();
  }
  // A search starts the list from its top again.
  await page.keyboard.press("End");
  await table.locator('tr.device-row[aria-rowindex="201"]').waitFor();
  await page.getByLabel("Search devices").fill('"site 3"');
  await count(page).getByText("50 of 200 devices").waitFor();
  await table.locator('tr.device-row[aria-rowindex="2"]').waitFor();
  assert.equal(await page.locator(".vl-box").evaluate((box) => box.scrollTop), 0);
  await shot(page, "devices-10-window-narrow");
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
