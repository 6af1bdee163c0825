// Drives Debian's chromium (playwright-core, no browser download) against a
// running dockd: loads the status page, says "LOADED" on stdout so the test
// docks a recorder, then watches bay BAY's card without ever reloading:
// offloading with a moving progress bar, then ready. Screenshots go to OUT_DIR.
//   node status_page.js URL BAY OUT_DIR
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const [url, bay, outDir] = process.argv.slice(2);
const flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];

function fail(message) {
  console.error("FAIL: " + message);
  process.exitCode = 1;
}

async function card(page) {
  return page.evaluate((id) => {
    const el = document.querySelector('.bay[data-bay="' + id + '"]');
    if (!el) return null;
    return {
      state: el.dataset.state,
      words: el.querySelector(".state").textContent,
      percent: parseFloat(el.querySelector(".fill").dataset.percent || "0"),
      width: el.querySelector(".fill").getBoundingClientRect().width,
      progress: el.querySelector(".progress-text").textContent,
      recorder: el.querySelector(".recorder").textContent,
      officer: el.querySelector(".officer").textContent,
      safe: !el.querySelector(".safe").hidden,
      colour: getComputedStyle(el).borderLeftColor,
      marker: window.__loadedOnce === true,
    };
  }, bay);
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "dockd-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium", headless: true, args: flags, viewport: { width: 1280, height: 800 },
  });
  try {
    const page = context.pages()[0] || (await context.newPage());
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    let navigations = 0;
    page.on("framenavigated", (f) => { if (f === page.mainFrame()) navigations++; });
    await page.goto(url, { waitUntil: "load" });
    await page.waitForSelector('.bay[data-bay="' + bay + '"][data-state="empty"]', { timeout: 15000 });
    await page.evaluate(() => { window.__loadedOnce = true; });
    console.log("LOADED");

    const seen = [];  // every distinct observation while offloading
    let ready = null, offloadShot = false;
    const deadline = Date.now() + 90000;
    while (Date.now() < deadline) {
      const c = await card(page);
      if (c && c.state === "offloading") {
        if (!seen.length || seen[seen.length - 1].percent !== c.percent) seen.push(c);
        if (!offloadShot && c.percent > 20) {
          await page.screenshot({ path: path.join(outDir, "status_page_offloading.png"), fullPage: true });
          offloadShot = true;
        }
      }
      if (c && c.state === "ready") { ready = c; break; }
      await page.waitForTimeout(100);
    }
    if (!ready) return fail("bay " + bay + " never showed ready; saw " + JSON.stringify(seen.slice(-2)));
    const moving = seen.filter((c) => c.percent > 0 && c.percent < 100);
    if (moving.length < 2) fail("progress bar did not move while offloading: " + JSON.stringify(seen));
    for (let i = 1; i < seen.length; i++)
      if (seen[i].percent < seen[i - 1].percent) fail("progress went backwards: " + JSON.stringify(seen));
    if (moving.length && !(moving[0].width < moving[moving.length - 1].width)) fail("bar width did not grow");
    if (!seen.length || !/Copying/.test(seen[0].words)) fail("offloading not shown in words: " + JSON.stringify(seen[0]));
    if (!/Ready/.test(ready.words) || !ready.safe || ready.percent !== 100) fail("ready card wrong: " + JSON.stringify(ready));
    if (!ready.marker || navigations !== 1) fail("the page reloaded (navigations: " + navigations + ")");
    if (errors.length) fail("page errors: " + errors.join("; "));
    await page.screenshot({ path: path.join(outDir, "status_page.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(outDir, "status_page_phone.png"), fullPage: true });
    console.log(JSON.stringify({ offloading_samples: seen.length, first: seen[0], ready }));
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => fail(e.stack || String(e)));
