import fs from 'node:fs';
import { chromium } from 'playwright-core';
const [,, a, b, x, y, w, h, out] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: +w, height: +h * 2 + 10 } });
const d = (f) => 'data:image/png;base64,' + fs.readFileSync(f).toString('base64');
await page.setContent(`<style>body{margin:0}div{width:${w}px;height:${h}px;overflow:hidden;position:relative;margin-bottom:10px}img{position:absolute;left:-${x}px;top:-${y}px}</style><div><img src="${d(a)}"></div><div><img src="${d(b)}"></div>`);
await page.screenshot({ path: out });
await browser.close();
