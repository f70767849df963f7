// Journey (issue 13, item 3): a customer with devices (imported through the API) activates a
// code of Remote UPS Monitoring Advanced, picks the plan, selects three devices (one already
// on Standard), sees in the server's preview that the Standard time resumes after the
// Advanced term, confirms (a double press assigns once), sees 2 units left, and later assigns
// them to two more devices. Audited with axe at each step; screenshots at 1280 and 360 px.
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
  axeViolations,
  api,
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

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** `2027-01-01` as the app writes it for people: `1 Jan 2027`. */
function shortDay(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** The step's section, named by its heading. */
const step = (page) => page.locator("section.activate-step");

test("a code's plan is assigned to devices: the Standard time moves after the Advanced term, the rest later", async () => {
  const page = await newPage(browser);
  const email = uniqueEmail("activate");
  await register.open(page);
  await register.submit(page, { kind: "customer", org: `Activate Journey ${Date.now()}`, name: "Dana Devices", email, password: PASSWORD });
  await page.waitForURL((url) => url.pathname === "/");
  await verifyEmail(page, email);

  // ---- Set-up through the API: five devices from a CSV file, one of them on Standard.
  const csv = [
    "serial,model,name,site,battery_replace_by,warranty_expires_on",
    "ACT-0001,Smart-UPS 3000,UPS Server room,Lyon,,",
    "ACT-0002,Smart-UPS 1500,UPS Reception,Lyon,,",
    "ACT-0003,Galaxy VS,UPS Plant floor,Madrid,,",
    "ACT-0004,Easy UPS,UPS Warehouse,Madrid,,",
    "ACT-0005,Smart-UPS 750,UPS Lab,Lyon,,",
  ].join("\n");
  const imported = await api(page, "POST", "/devices/import", csv);
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
  assert.equal(imported.body.imported, 5);
  const list = (await api(page, "GET", "/devices")).body;
  const id = (serial) => list.devices.find((d) => d.serial === serial).id;
  const [std] = issueVouchers("RUM-STD-12", 1);
  assert.equal((await api(page, "POST", "/activation-codes/redeem", { code: std })).status, 200);
  const onStandard = await api(page, "POST", "/subscriptions/assign", { sku: "RUM-STD-12", device_ids: [id("ACT-0003")] }, { "Idempotency-Key": "e2e-std-0003" });
  assert.equal(onStandard.status, 200, JSON.stringify(onStandard.body));
  const standardEnds = onStandard.body.devices[0].current.expires_on;

  // ---- The vendor issues an activation code: 5 units of RUM-ADV-12.
  const [code] = issueVouchers("RUM-ADV-12", 5);

  // ---- 1. Activate code: a mistyped code is caught before asking the server.
  await page.goto("/devices/activate");
  const field = page.getByLabel("Activation code");
  await field.waitFor();
  await page.getByRole("list", { name: "Steps" }).getByText("Activate code").waitFor();
  assert.equal(await page.locator('[aria-current="step"]').innerText().then((t) => t.includes("Activate code")), true);
  const last = code.slice(-1);
  const typo = code.slice(0, -1) + (last === "0" ? "1" : "0");
  await field.fill(typo.toLowerCase());
  await field.blur();
  await page.getByText("This code looks mistyped. Please check each character and try again.").waitFor();
  await shot(page, "activate-01-activate-mistyped");
  assert.deepEqual(await axeViolations(page), []);
  await field.fill(code);
  await page.getByRole("button", { name: "Activate", exact: true }).click();

  // ---- 2. Your activated plans: the code's plan, chosen, with its units.
  await page.getByRole("heading", { name: "Your activated plans" }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "activate-step-title", "focus on the step's heading");
  await page.getByText("Code activated: 5 units of RUM-ADV-12 added.").waitFor();
  const plans = page.getByRole("group", { name: "Activated plans" });
  const advanced = plans.getByRole("radio", { name: "Advanced, 1 year" });
  assert.equal(await advanced.isChecked(), true);
  await plans.getByText("5 units available").waitFor();
  assert.equal(await plans.getByRole("radio").count(), 1, "the Standard unit is spent: no plan left of it");
  await shot(page, "activate-02-plans");
  assert.deepEqual(await axeViolations(page), []);
  await page.getByRole("button", { name: "Assign to devices" }).click();

  // ---- 3. Assign to devices: uncovered first, the Standard one last; at most 5.
  await page.getByRole("heading", { name: "Assign to devices" }).waitFor();
  const count = page.locator(".pick-count");
  await page.getByText("0 selected · 5 available").waitFor();
  const serials = await page.locator(".pick-row .pick-serial").allInnerTexts();
  assert.deepEqual(serials, ["ACT-0001", "ACT-0002", "ACT-0004", "ACT-0005", "ACT-0003"], "uncovered first, then by expiry");
  await page.locator(".pick-row", { hasText: "ACT-0003" }).getByText("Standard").waitFor();
  // Review with nothing selected says what to do.
  await page.getByRole("button", { name: "Review" }).click();
  await page.getByText("Select at least one device.").waitFor();
  // Search (SPEC §10): a site, then a serial; an unclosed quote is a sentence, not a crash.
  const search = page.getByLabel("Search devices");
  await search.fill('"lyon');
  await page.getByText("A quote is not closed", { exact: false }).waitFor();
  await search.fill("madrid");
  assert.deepEqual(await page.locator(".pick-row .pick-serial").allInnerTexts(), ["ACT-0004", "ACT-0003"]);
  await page.getByRole("checkbox", { name: /ACT-0003/ }).check();
  await search.fill("");
  await page.getByRole("checkbox", { name: /ACT-0001/ }).check();
  await page.getByRole("checkbox", { name: /ACT-0002/ }).check();
  assert.equal((await count.innerText()).trim(), "3 selected · 5 available");
  await shot(page, "activate-03-select");
  assert.deepEqual(await axeViolations(page), []);
  await page.getByRole("button", { name: "Review" }).click();

  // ---- 4. Confirm: the server's preview, the Standard remainder after the Advanced term.
  await page.getByRole("heading", { name: "Confirm the assignment" }).waitFor();
  const me = (await api(page, "GET", "/me")).body;
  const today = me.today;
  const upgraded = page.locator(".confirm-row", { hasText: "ACT-0003" });
  const advancedLine = (await upgraded.locator(".change-new").innerText()).replace(/\s+/g, " ").trim();
  assert.match(advancedLine, new RegExp(`^New Advanced from ${shortDay(today)} to \\d+ \\w{3} \\d{4}$`));
  const resumes = (await upgraded.locator(".change-moved").innerText()).trim();
  assert.match(resumes, /^Standard resumes \d+ \w{3} \d{4} to \d+ \w{3} \d{4}$/);
  for (const serial of ["ACT-0001", "ACT-0002"]) {
    const row = page.locator(".confirm-row", { hasText: serial });
    await row.getByText(`Advanced from ${shortDay(today)} to`, { exact: false }).waitFor();
    assert.equal(await row.locator(".change-moved").count(), 0);
  }
  await step(page).getByText("3 units of RUM-ADV-12", { exact: true }).waitFor();
  await step(page).getByText("2 units", { exact: true }).waitFor();
  await page.getByText("An assignment cannot be changed or undone").waitFor();
  await shot(page, "activate-04-confirm");
  assert.deepEqual(await axeViolations(page), []);
  // A double press assigns once (the button is busy, and the key is the same).
  await page.getByRole("button", { name: "Assign to 3 devices" }).dblclick();

  // ---- 5. Success: 2 units left for later.
  await page.getByRole("heading", { name: "Assigned to 3 devices" }).waitFor();
  await page.getByText("2 units left — assign them later").waitFor();
  await shot(page, "activate-05-success");
  assert.deepEqual(await axeViolations(page), []);
  // What the server holds now: one assignment, and the dates the preview showed.
  const after = (await api(page, "GET", "/devices")).body.devices;
  const d3 = after.find((d) => d.serial === "ACT-0003");
  const adv = d3.segments.find((s) => s.tier === "ADV");
  const resumed = d3.segments.filter((s) => s.tier === "STD").at(-1);
  assert.equal(adv.starts_on, today);
  assert.equal(resumed.starts_on, adv.ends_on, "Standard resumes when Advanced ends");
  assert.ok(resumed.ends_on > standardEnds, "the Standard remainder moved later, none of it lost");
  assert.equal(advancedLine, `New Advanced from ${shortDay(adv.starts_on)} to ${shortDay(adv.ends_on)}`);
  assert.equal(resumes, `Standard resumes ${shortDay(resumed.starts_on)} to ${shortDay(resumed.ends_on)}`);
  const left = (await api(page, "GET", "/subscriptions/plans")).body;
  assert.deepEqual(left.map((p) => [p.sku, p.units]), [["RUM-ADV-12", 2]], "the double press consumed 3 units, not 6");

  // ---- Later: the 2 remaining units to two more devices; a third does not fit.
  await page.getByRole("button", { name: "Assign to more devices" }).click();
  await page.getByRole("heading", { name: "Assign to devices" }).waitFor();
  await page.getByText("0 selected · 2 available").waitFor();
  assert.deepEqual(
    (await page.locator(".pick-row .pick-serial").allInnerTexts()).slice(0, 2),
    ["ACT-0004", "ACT-0005"],
    "the devices still without a plan come first",
  );
  await page.getByRole("checkbox", { name: /ACT-0004/ }).check();
  await page.getByRole("checkbox", { name: /ACT-0005/ }).check();
  await page.getByText("2 selected · 2 available").waitFor();
  assert.equal(await page.getByRole("checkbox", { name: /ACT-0001/ }).isDisabled(), true, "no more than the units available");
  await page.setViewportSize({ width: 360, height: 740 });
  await shot(page, "activate-06-select-rest-360");
  assert.deepEqual(await axeViolations(page), []);
  await page.getByRole("button", { name: "Review" }).click();
  await page.getByRole("heading", { name: "Confirm the assignment" }).waitFor();
  await step(page).getByText("0 units", { exact: true }).waitFor();
  await shot(page, "activate-07-confirm-360");
  await page.getByRole("button", { name: "Assign to 2 devices" }).click();
  await page.getByRole("heading", { name: "Assigned to 2 devices" }).waitFor();
  assert.equal(await page.getByText("left — assign them later", { exact: false }).count(), 0);
  await shot(page, "activate-08-success-360");
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual((await api(page, "GET", "/subscriptions/plans")).body, [], "every unit is assigned");

  // ---- Nothing left to assign: step 2 leads back to activating a code.
  await page.getByRole("button", { name: "Activate another code" }).click();
  await page.getByLabel("Activation code").waitFor();
  assert.equal(await page.getByRole("button", { name: "Use your activated plans" }).count(), 0);
  assert.deepEqual(page.errors, []);
});

test("without devices, the flow leads to the Devices page", async () => {
  const page = await newPage(browser);
  const email = uniqueEmail("activate-empty");
  await register.open(page);
  await register.submit(page, { kind: "customer", org: `Activate Empty ${Date.now()}`, name: "Eli Empty", email, password: PASSWORD });
  await page.waitForURL((url) => url.pathname === "/");
  await verifyEmail(page, email);
  const [code] = issueVouchers("RUM-STD-12", 2);
  await page.goto("/devices/activate");
  await page.getByLabel("Activation code").fill(code);
  await page.getByRole("button", { name: "Activate", exact: true }).click();
  await page.getByRole("heading", { name: "Your activated plans" }).waitFor();
  await page.getByRole("button", { name: "Assign to devices" }).click();
  await page.getByRole("heading", { name: "No devices yet" }).waitFor();
  const link = page.getByRole("link", { name: "Add or import devices" });
  assert.equal(await link.getAttribute("href"), "/devices");
  await shot(page, "activate-09-no-devices");
  assert.deepEqual(await axeViolations(page), []);
  // The same code again: the server's words, under the field.
  await page.getByRole("button", { name: "Back" }).click();
  await page.getByRole("button", { name: "Activate another code" }).click();
  await page.getByLabel("Activation code").fill(code);
  await page.getByRole("button", { name: "Activate", exact: true }).click();
  await page.locator("#activation-code-error").waitFor();
  assert.match(await page.locator("#activation-code-error").innerText(), /already/i);
  assert.deepEqual(page.errors, []);
});
