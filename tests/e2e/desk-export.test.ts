/**
 * End to end: a dispatcher exports the queue's tab they are looking at from the console's
 * "导出" menu, and the browser downloads an Excel file holding those cases under Chinese
 * headers (and a CSV with its byte-order mark). Screenshots of the open menu at 1280×800 in
 * both languages, kept in tests/artifacts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { request, sampleReport, startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';

const ARTIFACTS = path.resolve('tests/artifacts');

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html'))) {
  throw new Error(`The console is not built (${CLIENT_DIR}): run npm run build before the e2e tests.`);
}

let server: TestServer;
let browser: Browser;
let page: Page;
let code: string;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startServer();
  const community = server.app.directory.defaultCommunity()!.id;
  await server.app.auth.accounts.users.create(null, community, { username: 'chen-disp', displayName: '陈晓', role: 'dispatcher', password: TEST_PASSWORD, mustChangePassword: false });
  const r = await request(`${server.url}/api/v1/events`, { method: 'POST', body: sampleReport({ title: '=1+2 桂花苑路灯', gridId: 'G01' }) });
  code = r.body.event.code;
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  page = await context.newPage();
  await page.goto(`${server.url}/console`);
  await page.waitForFunction(() => document.body.dataset.view === 'login');
  await page.fill('input[name="username"]', 'chen-disp');
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('form[data-form="login"] button[type="submit"]');
  await page.waitForFunction(() => document.body.dataset.view === 'shell');
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function downloadFrom(p: Page, format: 'xlsx' | 'csv'): Promise<{ name: string; file: string }> {
  await p.click('[data-export] summary');
  const [download] = await Promise.all([p.waitForEvent('download'), p.click(`[data-export-format="${format}"]`)]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cerebellum-export-')), download.suggestedFilename());
  await download.saveAs(file);
  return { name: download.suggestedFilename(), file };
}

describe('the desk\'s export menu', () => {
  it('downloads the tab shown as an Excel file with Chinese headers and the case in it', async () => {
    await page.goto(`${server.url}/console/events?tab=triage&grid=G01`);
    await page.locator(`tr[data-case="${code}"]`).waitFor();
    await page.click('[data-export] summary');
    await page.locator('[data-export-format="xlsx"]').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'desk-export-menu.png') });
    await page.keyboard.press('Escape');
    const { name, file } = await downloadFrom(page, 'xlsx');
    expect(name).toMatch(/^案件台账-\d{8}\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1, 4)).toEqual(['编号', '案卷号', '标题']);
    const codes: unknown[] = [];
    sheet.eachRow((r, n) => n > 1 && codes.push(r.getCell(2).value));
    expect(codes).toContain(code);
    const row = sheet.getRows(2, sheet.rowCount - 1)!.find((r) => r.getCell(2).value === code)!;
    expect(row.getCell(3).value).toBe("'=1+2 桂花苑路灯");
  });

  it('downloads a CSV with its byte-order mark, and names the English file in English', async () => {
    const csv = await downloadFrom(page, 'csv');
    expect([...fs.readFileSync(csv.file).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    await page.goto(`${server.url}/console/events?tab=triage&grid=G01&lang=en`);
    await page.locator(`tr[data-case="${code}"]`).waitFor();
    await page.click('[data-export] summary');
    await page.screenshot({ path: path.join(ARTIFACTS, 'desk-export-menu-en.png') });
    await page.keyboard.press('Escape');
    const { name } = await downloadFrom(page, 'xlsx');
    expect(name).toMatch(/^cases-\d{8}\.xlsx$/);
  });
});
