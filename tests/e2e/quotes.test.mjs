// Journey (issue 15), three browsers, three sign-ins: a customer shares its devices (on
// plans, one battery due within a year) with a partner; the partner narrows its Renewals page
// to that customer, presses "Build quote", picks the matrix cell with a promotion, sees the
// battery flagged on the line, gives a discount, sends the quote; the customer accepts it,
// naming the installer; the vendor's operator fulfils the order (a second press is refused
// and issues nothing); the installer's mail carries the voucher, which the customer redeems
// in the Locker and assigns to a device. Print view and bills of materials on the way.
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
  mailedText,
  axeViolations,
  api,
  vendorOperator,
} from "./support.mjs";

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

test("a partner quotes a customer's renewals, the customer accepts, the vendor fulfils, the voucher is redeemed", async () => {
  // ---- The partner, and its Partner ID.
  const partner = await newPage(browser);
  const partnerEmail = uniqueEmail("quote-partner");
  const partnerOrg = `Brightline Quotes ${Date.now()}`;
  await register.open(partner);
  await register.submit(partner, { kind: "partner", org: partnerOrg, name: "Paula Partner", email: partnerEmail, password: PASSWORD });
  await partner.waitForURL((url) => url.pathname === "/");
  await verifyEmail(partner, partnerEmail);
  await partner.goto("/");
  const partnerId = Number((await partner.getByTestId("partner-id").innerText()).trim());

  // ---- The customer: three devices on Standard, shared with the partner (set up through the API).
  const customer = await newPage(browser);
  const customerEmail = uniqueEmail("quote-customer");
  const customerOrg = `Northwind Quotes ${Date.now()}`;
  await register.open(customer);
  await register.submit(customer, { kind: "customer", org: customerOrg, name: "Carl Customer", email: customerEmail, password: PASSWORD });
  await customer.waitForURL((url) => url.pathname === "/");
  await verifyEmail(customer, customerEmail);
  await customer.goto("/");
  const me = (await api(customer, "GET", "/me")).body;
  const soon = new Date(`${me.today}T12:00:00Z`);
  soon.setUTCMonth(soon.getUTCMonth() + 6);
  const batteryDue = soon.toISOString().slice(0, 10);
  const csv = [
    "serial,model,name,site,battery_replace_by,warranty_expires_on",
    `QT-0001,Smart-UPS 3000,UPS Server room,Lyon,${batteryDue},`,
    "QT-0002,Smart-UPS 1500,UPS Reception,Lyon,,",
    "QT-0003,Galaxy VS,UPS Plant floor,Lyon,,",
  ].join("\n");
  assert.equal((await api(customer, "POST", "/devices/import", csv)).status, 200);
  const devices = (await api(customer, "GET", "/devices")).body.devices;
  const [std] = issueVouchers("RUM-STD-12", 3);
  assert.equal((await api(customer, "POST", "/activation-codes/redeem", { code: std })).status, 200);
  const assigned = await api(customer, "POST", "/subscriptions/assign", { sku: "RUM-STD-12", device_ids: devices.map((d) => d.id) }, { "Idempotency-Key": `qt-${Date.now()}` });
  assert.equal(assigned.status, 200, JSON.stringify(assigned.body));
  const shared = await api(customer, "POST", "/device-shares", { partner_org_id: partnerId, all: true });
  assert.equal(shared.status, 201, JSON.stringify(shared.body));

  // ---- The partner narrows its Renewals to the customer and builds a quote from them.
  await partner.goto("/renewals");
  await partner.getByLabel("Search renewals").fill(`"${customerOrg.toLowerCase()}"`);
  await partner.locator(".list-count").getByText("3 items", { exact: true }).waitFor();
  await partner.getByRole("button", { name: "Build quote" }).click();
  await partner.waitForURL((url) => url.pathname === "/quotes/new");
  await partner.getByRole("heading", { name: "New quote" }).waitFor();
  assert.equal(await partner.getByLabel("Customer organization").locator("option:checked").innerText(), customerOrg);
  assert.equal(await partner.getByLabel("Quantity (devices or assets)").inputValue(), "3");
  const promoCell = partner.getByRole("button", { name: /^Add Advanced 3 years, 3:/ });
  await promoCell.locator(".matrix-promo").waitFor();
  await partner.locator(".matrix-best").first().getByText("Best value").waitFor();
  await shot(partner, "quotes-01-matrix");
  assert.deepEqual(await axeViolations(partner), []);
  await promoCell.click();

  // ---- The draft: the line, its promotion and the battery flag; a discount; sent.
  await partner.waitForURL((url) => /^\/quotes\/\d+$/.test(url.pathname));
  await partner.getByRole("heading", { name: /\(draft\)$/ }).waitFor();
  const line = partner.locator(".quote-lines-edit tbody tr").first();
  await line.getByText("3 bonus months", { exact: false }).waitFor();
  await line.getByText("1 device needs a new battery during this term").waitFor();
  const before = await partner.locator(".quote-lines-edit tfoot .cell-number").innerText();
  await partner.getByLabel("Line 1 discount percent").fill("10");
  await partner.getByText("Changed: save to price the quote again.").waitFor();
  await partner.getByRole("button", { name: "Save changes" }).click();
  await partner.getByText("Prices are the server's, as the customer will see them.").waitFor();
  const after = await partner.locator(".quote-lines-edit tfoot .cell-number").innerText();
  assert.notEqual(after, before, "the discount lowered the total");
  await shot(partner, "quotes-02-draft");
  assert.deepEqual(await axeViolations(partner), []);
  await partner.getByRole("button", { name: "Send to customer" }).click();
  await partner.getByText(`Sent to ${customerOrg}.`, { exact: false }).waitFor();
  const quoteUrl = new URL(partner.url()).pathname;
  const quoteId = Number(quoteUrl.split("/").pop());
  const number = (await partner.getByRole("heading", { level: 1 }).innerText()).replace("Quote ", "").trim();

  // Bills of materials in the three templates, and the print view.
  for (const template of ["generic", "distributor", "erp"]) {
    const bom = await api(partner, "GET", `/quotes/${quoteId}/bom.csv?template=${template}`);
    assert.equal(bom.status, 200, template);
    assert.ok(bom.body.split("\n").length >= 2, `${template}: a header and a line`);
  }
  await partner.getByRole("link", { name: "Print or save as PDF" }).click();
  await partner.waitForURL((url) => url.pathname === `${quoteUrl}/print`);
  await partner.locator(".quote-document").getByText(customerOrg).waitFor();
  assert.equal(await partner.getByRole("navigation", { name: "Main" }).count(), 0, "no navigation on paper");
  await partner.emulateMedia({ media: "print" });
  await shot(partner, "quotes-03-print");
  await partner.emulateMedia({ media: "screen" });

  // ---- The customer accepts it from Quotes, naming the installer.
  const installer = uniqueEmail("quote-installer");
  await customer.goto("/");
  await customer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Quotes" }).click();
  await customer.getByRole("link", { name: number }).click();
  await customer.getByRole("button", { name: "Accept quote" }).click();
  const accept = customer.getByRole("dialog", { name: "Accept this quote" });
  assert.equal(await accept.getByLabel("Installer email").inputValue(), customerEmail);
  await accept.getByLabel("Installer email").fill("not-an-address");
  await accept.getByRole("button", { name: "Accept and order" }).click();
  await accept.locator(".field-error").waitFor();
  await accept.getByLabel("Installer email").fill(installer);
  await shot(customer, "quotes-04-accept");
  assert.deepEqual(await axeViolations(customer), []);
  await accept.getByRole("button", { name: "Accept and order" }).click();
  await customer.getByText(/^Accepted\. Order \d+ is with the vendor/).waitFor();
  await customer.getByText("You accepted this quote: order", { exact: false }).waitFor();

  // ---- The vendor's operator fulfils the order, once.
  const vendor = await vendorOperator(browser, "quote-ops", "vendor-back-office-2026");
  await vendor.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Orders" }).click();
  const row = vendor.locator(".order-table tbody tr", { hasText: number });
  await row.getByText(installer).waitFor();
  await shot(vendor, "quotes-05-orders");
  assert.deepEqual(await axeViolations(vendor), []);
  await row.getByRole("button", { name: /^Fulfil order/ }).click();
  await vendor.getByText(`the vouchers were mailed to ${installer}`, { exact: false }).waitFor();
  await row.getByText("Fulfilled").waitFor();
  const orderId = Number((await row.locator(".cell-primary .cell-line").innerText()).replace("Order ", ""));
  const again = await api(vendor, "POST", `/orders/${orderId}/fulfil`, {});
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, "order_fulfilled");

  // ---- The installer's mail carries the voucher; the customer redeems it and assigns it.
  const mail = await mailedText(installer, "Your Tessera");
  const codes = mail.match(/\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b/g) ?? [];
  assert.equal(codes.length, 1, mail);
  await customer.goto("/locker");
  await customer.getByLabel("Voucher code").fill(codes[0]);
  await customer.getByRole("button", { name: "Redeem" }).click();
  await customer.getByText(/^Added .* Balance: /).waitFor();
  const plan = await api(customer, "POST", "/subscriptions/assign", { sku: "RUM-ADV-36", device_ids: [devices[0].id] }, { "Idempotency-Key": `qt-adv-${Date.now()}` });
  assert.equal(plan.status, 200, JSON.stringify(plan.body));
  assert.equal(plan.body.devices[0].current.tier, "ADV");

  assert.deepEqual(partner.errors, []);
  assert.deepEqual(customer.errors, []);
  assert.deepEqual(vendor.errors, []);
});
