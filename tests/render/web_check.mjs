// Checks the web edition in Debian's Chromium, driven by playwright-core (no browser download;
// Playwright gives the browser a fresh temporary profile).
//
//   node tests/render/web_check.mjs URL [--screenshots DIR] [--quick] [--phone] [--query WORDS]
//
// For each viewport (1280 px and 375 px wide) and colour scheme (light, dark), with and without
// JavaScript, it loads the page and reports as JSON on stdout: axe-core violations (WCAG 2.2 A/AA
// and best practices), horizontal overflow, requests that leave the page's folder, fonts that failed,
// characters per line of the text, and whether search and the contents highlight work.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const args = process.argv.slice(2);
const url = args[0];
const shotsAt = args.indexOf("--screenshots");
const shots = shotsAt >= 0 ? args[shotsAt + 1] : null;
const quick = args.includes("--quick");  // one run: wide (or --phone too), light, with scripts
const phoneToo = args.includes("--phone");
const queryAt = args.indexOf("--query");
const query = queryAt >= 0 ? args[queryAt + 1] : "personal information";
const folder = url.slice(0, url.lastIndexOf("/") + 1);

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});

async function axe(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"], preload: false });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })) }));
  }, TAGS);
  return result;
}

const started = Date.now();
const log = (what) => process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)}s ${what}\n`);
const report = { url, runs: [] };
const viewports = quick && !phoneToo ? [["wide", 1280, 900]] : [["wide", 1280, 900], ["phone", 375, 740]];
for (const [name, width, height] of viewports) {
  for (const scheme of quick ? ["light"] : ["light", "dark"]) {
    for (const js of quick ? [true] : [true, false]) {
      const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme,
        reducedMotion: "reduce", deviceScaleFactor: 1, isMobile: name === "phone", hasTouch: name === "phone" });
      // "Without JavaScript": the page's own script is replaced by an empty one (axe itself needs scripts).
      if (!js) await context.route(/\/site\.js(\?|$)/, (r) => r.fulfill({ body: "", contentType: "text/javascript" }));
      const page = await context.newPage();
      const requests = [];
      const failed = [];
      const errors = [];
      page.on("request", (r) => requests.push(r.url()));
      page.on("requestfailed", (r) => failed.push(`${r.url()} ${r.failure() && r.failure().errorText}`));
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      log(`${name} ${scheme} js=${js}`);
      await page.goto(url, { waitUntil: "load" });
      await page.evaluate(() => document.fonts.ready);
      const run = { viewport: name, width, scheme, js };
      run.fonts = await page.evaluate(() => [...document.fonts].map((f) => `${f.family} ${f.weight} ${f.style}: ${f.status}`));
      run.overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      run.measure = await page.evaluate(() => {
        // Characters per full line of the body text: the text of long paragraphs over their line count.
        const lines = [];
        for (const p of [...document.querySelectorAll("main p")].slice(0, 80)) {
          const lh = parseFloat(getComputedStyle(p).lineHeight);
          const n = Math.round(p.getBoundingClientRect().height / lh);
          if (n >= 4) lines.push(p.textContent.replace(/\s+/g, " ").trim().length / n);
        }
        lines.sort((a, b) => a - b);
        return lines.length ? Math.round(lines[Math.floor(lines.length / 2)]) : 0;
      });
      log("axe");
      // Keyboard: the first Tab shows the skip link, the next ones outline what they reach.
      run.focus = [];
      for (let i = 0; i < 3; i++) {
        await page.keyboard.press("Tab");
        run.focus.push(await page.evaluate(() => {
          const el = document.activeElement, r = el.getBoundingClientRect(), cs = getComputedStyle(el);
          return { text: el.textContent.trim().slice(0, 30), visible: r.width > 0 && r.top >= 0 && r.bottom <= innerHeight,
                   outline: cs.outlineStyle === "none" ? 0 : parseFloat(cs.outlineWidth) };
        }));
      }
      await page.keyboard.press("Escape");
      await page.evaluate(() => document.activeElement && document.activeElement.blur());
      run.axe = await axe(page);
      log("axe done");
      if (shots && !js) {
        // no screenshot: the pictures show the page as most readers get it, with scripts
      } else if (shots) {
        await page.screenshot({ path: join(shots, `${name}-${scheme}.png`) });
        await page.screenshot({ path: join(shots, `${name}-${scheme}-full.png`), fullPage: true });
      }
      if (js) {
        run.search_visible = await page.isVisible("#search-input");
        if (name === "phone") {
          run.contents_collapsed = await page.evaluate(() => !document.querySelector(".toc-box").open);
        }
        // The contents follow the reader: scroll to a section, the entry for it is marked.
        const spyTarget = await page.evaluate(() => {
          const links = [...document.querySelectorAll(".toc a[href^='#']")];
          const link = links[Math.floor(links.length / 2)];
          const target = document.getElementById(link.getAttribute("href").slice(1));
          window.scrollTo({ top: target.getBoundingClientRect().top + window.scrollY + 5, behavior: "instant" });
          return link.getAttribute("href");
        });
        await page.waitForTimeout(150);
        if (shots) await page.screenshot({ path: join(shots, `${name}-${scheme}-reading.png`) });
        run.spy = await page.evaluate((href) => {
          const cur = document.querySelector(".toc a[aria-current='true']");
          return { expected: href, current: cur ? cur.getAttribute("href") : null };
        }, spyTarget);
        // Search: a phrase from the text finds its passage; following the result reaches it.
        await page.evaluate(() => window.scrollTo({ top: 0, behavior: "instant" }));
        await page.fill("#search-input", query);
        await page.press("#search-input", "Enter");
        run.search_status = await page.textContent("#search-status");
        run.search_results = await page.locator("#search-results li").count();
        run.search_marks = await page.locator("#search-results mark").count();
        run.axe_search = await axe(page);
        if (shots) await page.screenshot({ path: join(shots, `${name}-${scheme}-search.png`) });
        if (run.search_results) await page.click("#search-results li:first-child a");
        await page.waitForTimeout(100);
        run.search_hit = await page.evaluate(() => {
          const hit = document.querySelector(".search-hit");
          if (!hit) return null;
          const r = hit.getBoundingClientRect();
          return { text: hit.textContent.slice(0, 80), in_view: r.top >= 0 && r.top < window.innerHeight,
                   focused: document.activeElement === hit };
        });
        await page.fill("#search-input", "zzqxv no such words");
        await page.press("#search-input", "Enter");
        run.search_none = await page.textContent("#search-status");
      }
      if (url.startsWith("http")) {  // on a web server the download links answer with the files
        run.downloads = await page.evaluate(async () => Promise.all(
          [...document.querySelectorAll("a[download]")].map(async (a) => {
            const r = await fetch(a.href);
            return { href: a.getAttribute("href"), status: r.status, size: (await r.arrayBuffer()).byteLength };
          })));
      }
      run.errors = errors;
      run.failed = failed;
      run.outside = requests.filter((r) => !r.startsWith(folder));
      run.requests = requests.length;
      report.runs.push(run);
      await context.close();
    }
  }
}
await browser.close();
process.stdout.write(JSON.stringify(report, null, 1) + "\n");
