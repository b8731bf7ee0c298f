// The dashboard in a real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core): load GET / while pages are being pushed,
// check that the figures move, save a screenshot.
//   node dashboard.mjs HTTP_HOSTPORT SCREENSHOT.png
import { chromium } from 'playwright-core';

const [hostport, shot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync'],
});
let failed = 0;
function check(cond, what) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  if (!cond) failed++;
}
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
  await page.goto(`http://${hostport}/`);
  // The first snapshot arrives at once over Server-Sent Events.
  await page.waitForFunction(() => Number(document.body.dataset.updates) >= 1,
                             null, { timeout: 15000 });
  const first = Number(await page.evaluate(() => document.body.dataset.pages));
  // The figures move while the pusher keeps pushing.
  await page.waitForFunction(
    (f) => Number(document.body.dataset.pages) > f &&
           Number(document.body.dataset.updates) >= 3,
    first, { timeout: 20000 });
  const later = Number(await page.evaluate(() => document.body.dataset.pages));
  check(later > first, `pages received moved: ${first} -> ${later}`);
  const shown = await page.textContent('#pages');
  check(Number(shown) >= later, `the page shows ${shown} pages`);
  const state = await page.textContent('#state');
  check(state === 'ready', `state reads "${state}"`);
  const latest = await page.$$eval('#latest tr', (r) => r.length);
  check(latest > 0, `${latest} latest titles listed`);
  // The busiest events: articles, sources, title, countries; the busiest
  // first (the seeds hold stories that share an event).
  const events = await page.$$eval('#events tr', (rows) =>
    rows.map((r) => [...r.children].map((td) => td.textContent)));
  check(events.length > 0 && events.every((e) => e.length === 4 && e[2]),
        `${events.length} busiest events listed`);
  check(events.length > 0 && Number(events[0][0]) >= 2 &&
        events.every((e, i) => i === 0 || Number(e[0]) <= Number(events[i - 1][0])),
        `the busiest first: ${events.map((e) => e[0]).join(',')} articles`);
  // The health of the worker: the store, memory, time per page, problems.
  const stories = Number(await page.textContent('#stories'));
  check(stories > 0, `${stories} stories remembered shown`);
  const rss = await page.textContent('#rss');
  check(/MiB|GiB/.test(rss), `worker memory reads "${rss}"`);
  await page.waitForFunction(
    () => / ms$/.test(document.getElementById('latency').textContent), null,
    { timeout: 20000 });
  check(true, `mean time per page reads "${await page.textContent('#latency')}"`);
  const problems = await page.$$eval('#problems tr', (r) => r.length);
  check(problems === 3, `${problems} problem counters listed`);
  const stateClass = await page.getAttribute('#state', 'class');
  check(!stateClass, 'the state is not marked bad when ready');
  // The chart's history survives a reload (kept in the browser).
  const kept = await page.evaluate(
    () => JSON.parse(localStorage.getItem('wd-hist') || '[]').length);
  await page.reload();
  await page.waitForFunction(() => Number(document.body.dataset.updates) >= 1,
                             null, { timeout: 15000 });
  const restored = await page.evaluate(
    () => JSON.parse(localStorage.getItem('wd-hist') || '[]').length);
  check(kept > 0 && restored >= kept,
        `chart history kept across a reload: ${kept} -> ${restored} points`);
  // (the picture with a few more seconds of figures)
  await page.waitForFunction(() => Number(document.body.dataset.updates) >= 4,
                             null, { timeout: 20000 });
  await page.screenshot({ path: shot, fullPage: true });
  check(true, `screenshot saved to ${shot}`);
} catch (e) {
  console.log(`FAIL ${e.message}`);
  failed++;
} finally {
  await browser.close();
}
console.log(`${failed ? 0 : 1} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
