import { chromium } from 'playwright-core';
const [,, url, out, w, scroll] = process.argv;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const p = await b.newPage({ viewport: { width: Number(w), height: 800 } });
await p.goto(url, { waitUntil: 'networkidle' });
if (scroll) { await p.evaluate((y) => window.scrollTo(0, Number(y)), scroll); await p.waitForTimeout(300); }
await p.screenshot({ path: out });
await b.close();
