// `cargo xtask bench`: release wasm size (raw, gzip, brotli) and the first render
// of the sign-in page in headless Chromium. Prints a Markdown table to paste into
// docs/benchmarks.md.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { chromium } from "playwright-core";

const dist = process.argv[2] ?? "dist";
const BASE_URL = process.env.BASE_URL ?? "http://127.0.0.1:8080";
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
function sizes(file) {
  const data = readFileSync(join(dist, file));
  const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  return { raw: data.length, gzip: gzipSync(data, { level: 9 }).length, brotli: br.length };
}

const files = readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f));
console.log("| asset | raw | gzip | brotli |\n|---|---|---|---|");
for (const f of files.sort()) {
  const s = sizes(f);
  const name = f.replace(/-[0-9a-f]{12,16}(?=[._])/, "");
  console.log(`| ${name} | ${kb(s.raw)} | ${kb(s.gzip)} | ${kb(s.brotli)} |`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
async function firstRender(context) {
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/signin`, { waitUntil: "commit" });
  await page.waitForSelector("#email", { state: "visible" });
  const ms = await page.evaluate(() => performance.now());
  await page.close();
  return ms;
}
const cold = [];
const warm = [];
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext();
  cold.push(await firstRender(context)); // empty cache
  warm.push(await firstRender(context)); // cached assets
  await context.close();
}
await browser.close();
console.log(`\n| first render of /signin (median of ${RUNS}) | ms |\n|---|---|`);
console.log(`| cold cache | ${median(cold).toFixed(0)} |`);
console.log(`| warm cache | ${median(warm).toFixed(0)} |`);
