/**
 * End to end: the issue-13 journey across the five desks, through the UI only, in real Chromium
 * with a real server and the demo subjects, each person in their own browser context (zh-CN).
 * A coordinator (1280×800) registers a volunteer and publishes an activity under way; invites
 * the volunteer from their profile; the volunteer (390×844) joins by the link, signs up, checks in
 * by the activity's QR link and sees 已签到; the coordinator's check-in desk shows them without a
 * reload and checks them out two and a half hours later (the server's and the coordinator's
 * clocks moved together: no desk back-dates a check-in); the hours and points reach the phone
 * and a wall opened before, without a reload; the volunteer redeems at the till; after the till,
 * a certificate printed in the same session is one A4 page and its public check masks the name;
 * a need is raised, matched, accepted, paid for from the charity's fund by the bookkeeper (books
 * balanced), met and rated, and the wall's linkage Sankey and needs figures move live.
 * Screenshots of each step are kept as tests/artifacts/journey-*.png.
 *
 * Set-up outside the desks: staff accounts (no desk makes a first coordinator or bookkeeper)
 * and the demo subjects, so the wall and the lists are not empty.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { CLIENT_DIR } from '../../server/app.ts';
import { installSubjects } from '../../server/demo/index.ts';
import { startServer, TEST_PASSWORD, type TestServer } from '../support/server.ts';
import { dateTime } from '../../client/lib/format.ts';

const ARTIFACTS = path.resolve('tests/artifacts');
const DESK = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** Three 16:9 columns: the volunteers, the five subjects (with the linkage Sankey) and the needs. */
const WALL = { width: 5760, height: 1080 };
const TZ = 'Asia/Shanghai';
const MIN = 60_000;
const HOUR = 60 * MIN;

if (!fs.existsSync(path.join(CLIENT_DIR, 'console', 'index.html')) || !fs.existsSync(path.join(CLIENT_DIR, 'me', 'index.html'))) {
  throw new Error(`The client is not built (${CLIENT_DIR}): run npm run build:client before the e2e tests.`);
}

interface Person extends Page {
  errors: string[];
}

const eventually = <T>(check: () => T | Promise<T>, timeout = 10_000) => expect.poll(check, { timeout, interval: 50 });
let step = 0;
const shot = (page: Page | Locator, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `journey-${String(++step).padStart(2, '0')}-${name}.png`) });
const local = (ms: number) => dateTime(new Date(ms).toISOString(), TZ).replace(' ', 'T');

/** The server's clock and the coordinator's browser run together, moved forward by `offset`. */
let offset = 0;

async function person(browser: Browser, size: { width: number; height: number }, phone = false): Promise<Person> {
  const context: BrowserContext = await browser.newContext({
    viewport: size, locale: 'zh-CN', timezoneId: TZ, ...(phone ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {}),
  });
  const page = (await context.newPage()) as Person;
  page.setDefaultTimeout(10_000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return page;
}

async function signedIn(browser: Browser, url: string, username: string, clock = false): Promise<Person> {
  const page = await person(browser, DESK);
  if (clock) await page.clock.install({ time: Date.now() + offset });
  await page.goto(`${url}/console`);
  await page.waitForFunction(() => document.body.dataset.view === 'login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', TEST_PASSWORD);
  await page.click('form[data-form="login"] button[type="submit"]');
  await page.waitForFunction(() => document.body.dataset.view === 'shell');
  return page;
}

/**
 * The wall draws the linkage Sankey on a canvas. Its labels are drawn with fillText, the node's
 * name then its figure (`已满足  12` as two runs): keep, on the canvas, the figure drawn last
 * after the "met" label, so the test reads what the wall shows.
 */
function watchSankey(metLabel: string) {
  const fill = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, text: string, x: number, y: number, w?: number) {
    const canvas = this.canvas as HTMLCanvasElement & { lastText?: string };
    if (canvas.closest?.('[data-panel="linkage"]')) {
      if (canvas.lastText === metLabel) canvas.dataset.met = String(text).trim();
      canvas.lastText = String(text).trim();
    }
    return w === undefined ? fill.call(this, text, x, y) : fill.call(this, text, x, y, w);
  };
}

describe('the five desks, one volunteer’s and one need’s journey', () => {
  let server: TestServer;
  let browser: Browser;
  let coord: Person;
  let keeper: Person;
  let phone: Person;
  let wall: Person;
  let volunteerId = 0;
  let activityId = 0;
  let needId = 0;
  let certificateNo = '';
  const name = '欧阳春华';

  const kpi = (name: string) => wall.locator(`[data-kpi="${name}"]`).first().getAttribute('data-value').then(Number);
  const sankeyMet = () => wall.locator('[data-panel="linkage"] canvas').first().getAttribute('data-met').then(Number);

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    for (const f of fs.readdirSync(ARTIFACTS)) if (f.startsWith('journey-')) fs.rmSync(path.join(ARTIFACTS, f));
    server = await startServer({ now: () => Date.now() + offset });
    await installSubjects(server.app, Date.now());
    const community = server.app.directory.defaultCommunity()!.id;
    const users = server.app.auth.accounts.users;
    await users.create(null, community, { username: 'li-coord', displayName: '李婷', role: 'coordinator', password: TEST_PASSWORD, mustChangePassword: false });
    await users.create(null, community, { username: 'he-keeper', displayName: '何会计', role: 'charity_keeper', password: TEST_PASSWORD, mustChangePassword: false });
    browser = await launchBrowser();
    // The wall: a paired display in a browser of its own, opened before anything happens.
    wall = await person(browser, WALL);
    await wall.addInitScript(watchSankey, '已满足');
    await wall.goto(`${server.url}/screen?scenes=volunteers,subjects,needs#display=${server.displayToken}`);
    await wall.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    coord = await signedIn(browser, server.url, 'li-coord', true);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('registers a volunteer and publishes an activity under way', async () => {
    await coord.click('[data-nav-link="volunteers"]');
    await coord.locator('table[data-table="volunteers"]').waitFor();
    await coord.click('[data-action="register-volunteer"]');
    const form = coord.locator('form[data-form="volunteer"]');
    await form.waitFor();
    await form.locator('input[name="name"]').fill(name);
    await form.locator('input[name="phone"]').fill('13955550123');
    await form.locator('input[name="idNumber"]').fill('11010519491231002X');
    await form.locator('input[name="skills"]').fill('助老');
    await form.locator('button[type="submit"]').click();
    await form.waitFor({ state: 'detached' });
    const row = coord.locator('table[data-table="volunteers"] tbody tr', { hasText: name });
    await row.waitFor();
    volunteerId = Number(await row.getAttribute('data-volunteer'));
    expect(volunteerId).toBeGreaterThan(0);
    await shot(coord, 'registry');

    await coord.click('[data-nav-link="activities"]');
    await coord.click('[data-action="new-activity"]');
    const a = coord.locator('form[data-form="activity"]');
    await a.waitFor();
    const now = Date.now() + offset;
    await a.locator('input[name="title"]').fill('桂花苑敬老助餐');
    await a.locator('input[name="startsAt"]').fill(local(now - 10 * MIN));
    await a.locator('input[name="endsAt"]').fill(local(now + 4 * HOUR));
    await a.locator('input[name="place"]').fill('桂花苑老年食堂');
    await a.locator('input[name="capacity"]').fill('12');
    await a.locator('[data-action="save-draft"]').click();
    await coord.waitForURL((u) => /^\/console\/activities\/\d+$/.test(u.pathname));
    activityId = Number(new URL(coord.url()).pathname.split('/').pop());
    await coord.click('[data-action="publish"]');
    await eventually(() => coord.locator('[data-activity-facts]').innerText()).toContain('报名中');
    await shot(coord, 'activity');
  });

  it('invites the volunteer from their profile; on their phone they join, sign up and check in by the QR link', async () => {
    await coord.click('[data-nav-link="volunteers"]');
    await coord.locator('table[data-table="volunteers"] tbody tr', { hasText: name }).locator('a').first().click();
    await coord.waitForURL((u) => u.pathname === `/console/volunteers/${volunteerId}`);
    await coord.click(`[data-invite-volunteer="${volunteerId}"]`);
    const link = coord.locator('[data-invite-dialog] input');
    await eventually(() => link.inputValue()).toMatch(/\/me\/join#.+/);
    const invitation = await link.inputValue();
    await shot(coord, 'invite');
    await coord.keyboard.press('Escape');
    await coord.locator('[data-invite-dialog]').waitFor({ state: 'hidden' });

    // The desk opened before the volunteer checks in: it must hear the check-in.
    await coord.goto(`${server.url}/console/activities/${activityId}/check-in`);
    const qr = coord.locator('[data-check-in-qr] img');
    await qr.waitFor();
    const checkInUrl = (await qr.getAttribute('data-qr-url'))!;
    expect(checkInUrl).toMatch(new RegExp(`^${server.url}/me/check-in/[0-9A-F]{12}$`));

    phone = await person(browser, PHONE, true);
    await phone.goto(invitation);
    await phone.getByTestId('username').waitFor();
    expect(await phone.getByTestId('username').textContent()).toBe('13955550123');
    await phone.fill('input[name="password"]', 'my-own-password-1');
    await phone.fill('input[name="confirm"]', 'my-own-password-1');
    await shot(phone, 'phone-join');
    await phone.getByRole('button', { name: '开通并登录' }).click();
    const card = phone.locator(`[data-activity="${activityId}"]`);
    await card.waitFor();
    await card.getByRole('button', { name: '报名' }).click();
    await eventually(() => card.textContent()).toContain('已报名');
    await shot(phone, 'phone-signed-up');

    await phone.goto(checkInUrl);
    await eventually(() => phone.locator('.checkin.done').textContent()).toContain('已签到');
    await shot(phone, 'phone-checked-in');
  });

  it('shows the check-in at the desk without a reload, and checks out with the hours and points shown first', async () => {
    const hoursBefore = await kpi('volunteers.hoursMonth');
    const pointsBefore = await kpi('volunteers.pointsIssuedMonth');
    // The volunteer looks at their own figures on the phone before the check-out, and leaves it there.
    await phone.getByRole('button', { name: '返回活动列表' }).click();
    await phone.locator('.tabs a', { hasText: '我的' }).click();
    await eventually(() => phone.getByTestId('hours').textContent()).toBe('0');
    const person = coord.locator(`[data-desk-list="in"] [data-person="${volunteerId}"]`);
    await person.waitFor();
    expect(await person.getAttribute('data-status')).toBe('checked_in');
    await shot(coord, 'desk-checked-in');

    // Two and a half hours of service, on the server and on the coordinator's screen alike.
    offset += 2.5 * HOUR;
    await coord.clock.setSystemTime(Date.now() + offset);
    await person.locator('[data-action="check-out"]').click();
    const dialog = coord.locator('form[data-form="check-out"]');
    await dialog.waitFor();
    expect(await dialog.locator('[data-hours-line]').innerText()).toBe('2.5 小时 · 25 积分');
    await shot(coord, 'desk-check-out');
    await dialog.locator('[data-action="confirm-check-out"]').click();
    await dialog.waitFor({ state: 'detached' });
    await eventually(() => coord.locator('[data-desk-message]').innerText()).toContain('2.5 小时 · 25 积分');

    // The wall, open since before, moves without a reload.
    await eventually(() => kpi('volunteers.pointsIssuedMonth')).toBe(pointsBefore + 25);
    await eventually(() => kpi('volunteers.hoursMonth')).toBeCloseTo(hoursBefore + 2.5, 1);
    await wall.waitForTimeout(800);
    await shot(wall, 'wall-after-check-out');
    await shot(wall.locator('[data-scene="volunteers"]'), 'wall-volunteers');

    // The phone, untouched since, shows them by itself (its live line, server/volunteers/me-live.ts).
    await eventually(() => phone.getByTestId('hours').textContent()).toBe('2.5');
    await eventually(() => phone.getByTestId('balance').textContent()).toBe('25');
    await shot(phone, 'phone-mine');
  });

  it('redeems the points at the till: the balance, the stock and the wall move', async () => {
    const redeemedBefore = await kpi('volunteers.pointsRedeemedMonth');
    await coord.click('[data-nav-link="exchange"]');
    await coord.waitForURL((u) => u.pathname === '/console/exchange');
    await coord.click('[data-exchange-tab="catalogue"]');
    await coord.click('[data-item-add]');
    const form = coord.locator('[data-item-form]');
    await form.waitFor();
    await coord.fill('[data-item-name]', '桂花社区帆布袋');
    await coord.fill('[data-item-price]', '20');
    await form.locator('input[inputmode="numeric"]').nth(1).fill('3');
    await form.locator('button[type="submit"]').click();
    await form.waitFor({ state: 'detached' });
    const itemId = Number(await coord.locator('tr[data-catalogue-item]', { hasText: '桂花社区帆布袋' }).getAttribute('data-catalogue-item'));

    await coord.click('[data-exchange-tab="cashier"]');
    await coord.fill('[data-till-search]', name);
    await coord.press('[data-till-search]', 'Enter');
    await eventually(() => coord.locator('[data-till-balance]').getAttribute('data-till-balance')).toBe('25');
    const item = coord.locator(`[data-item="${itemId}"]`);
    expect(await item.getAttribute('data-stock')).toBe('3');
    await item.click();
    await coord.click('[data-till-redeem]');
    const receipt = coord.locator('[data-receipt]');
    await receipt.waitFor();
    expect(await receipt.locator('[data-receipt-balance]').innerText()).toBe('5 积分');
    await shot(coord, 'till-receipt');
    await eventually(() => item.getAttribute('data-stock')).toBe('2');
    await eventually(() => kpi('volunteers.pointsRedeemedMonth')).toBe(redeemedBefore + 20);
    await coord.getByRole('button', { name: '下一位' }).click();
  });

  it('after the till, prints a certificate on one A4 page, and its public check masks the name', async () => {
    // The same session, no reload: the receipt's print stylesheet is still loaded.
    await coord.click('[data-nav-link="volunteers"]');
    await coord.locator('table[data-table="volunteers"] tbody tr', { hasText: name }).locator('a').first().click();
    await eventually(() => coord.locator('[data-figure="balance"]').innerText()).toBe('5');
    await coord.click('[data-action="issue-certificate"]');
    const item = coord.locator('[data-certificate]').first();
    await item.waitFor();
    certificateNo = (await item.getAttribute('data-certificate'))!;
    expect(certificateNo).toMatch(/^ZYZM-\d{4}-\d{6}$/);
    await item.locator('a').click();
    await coord.locator(`[data-certificate-sheet="${certificateNo}"]`).waitFor();
    await shot(coord, 'certificate');
    const pdf = (await coord.pdf({ preferCSSPageSize: true, printBackground: true })).toString('latin1');
    fs.writeFileSync(path.join(ARTIFACTS, 'journey-certificate.pdf'), pdf, 'latin1');
    expect(pdf.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).toHaveLength(1);
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf);
    expect(box && [Math.round(Number(box[1])), Math.round(Number(box[2]))]).toEqual([595, 842]);
    // What prints, as a picture (after the PDF: Chromium's PDF after an emulated print media falls back to Letter).
    await coord.emulateMedia({ media: 'print' });
    await shot(coord, 'certificate-print');
    await coord.emulateMedia({ media: 'screen' });

    const anyone = await person(browser, DESK);
    await anyone.goto(`${server.url}/console/verify/${certificateNo}`);
    await anyone.locator('[data-verify="valid"]').waitFor();
    const shown = await anyone.locator('[data-verify-name]').innerText();
    expect(shown).not.toContain('春华');
    expect(shown).toContain('*');
    await shot(anyone, 'verify');
    await anyone.context().close();
    await coord.getByRole('link', { name: '返回档案' }).click();
    await coord.locator('[data-figures]').waitFor();
  });

  it('raises a need, matches and accepts it, pays for it from the fund, meets and rates it, and the wall moves live', async () => {
    const metBefore = await sankeyMet();
    const metTodayBefore = await kpi('needs.metToday');
    await coord.goto(`${server.url}/console/lists`); // (independent of where the certificate left the page)
    await coord.locator('[data-flow]').waitFor();
    await coord.click('[data-raise]');
    const form = coord.locator('form[data-form="raise-need"]');
    await form.waitFor();
    await form.locator('input[name="title"]').fill('独居老人家中水管漏水');
    await form.locator('select[name="category"]').selectOption('repair');
    await form.locator('select[name="gridId"]').selectOption('G03');
    await form.locator('input[name="residentName"]').fill('欧阳明月');
    await form.locator('input[name="residentPhone"]').fill('13812345678');
    await form.locator('select[name="urgency"]').selectOption('high');
    await shot(coord, 'raise-need');
    await form.locator('[data-submit]').click();
    await coord.waitForURL((u) => /^\/console\/lists\/needs\/\d+$/.test(u.pathname));
    needId = Number(new URL(coord.url()).pathname.split('/').pop());

    await coord.click('[data-propose]');
    const first = coord.locator('[data-suggestions] [data-match]').first();
    await first.waitFor();
    await first.locator('[data-accept]').click();
    await coord.click('[data-confirm-accept]');
    await eventually(() => coord.locator('[data-need-status]').getAttribute('data-need-status')).toBe('matched');
    await shot(coord, 'need-matched');

    // The bookkeeper records a gift and pays for this need while it is open (the picker lists open needs only).
    keeper = await signedIn(browser, server.url, 'he-keeper');
    await keeper.goto(`${server.url}/console/charity`);
    await keeper.locator('table[data-table="donations"]').waitFor();
    const yuan = async (figure: string) => Number((await keeper.locator(`[data-figure="${figure}"]`).innerText()).replace(/[¥,]/g, ''));
    await keeper.click('[data-tab="books"]');
    await keeper.locator('[data-balanced="money"]').waitFor();
    const [givenBefore, paidBefore] = [await yuan('given'), await yuan('paid-out')];
    const raisedBefore = await kpi('charity.raisedMonthCents');
    const disbursedBefore = await kpi('charity.disbursedMonthCents');
    await keeper.click('[data-tab="donations"]');
    await keeper.click('[data-action="record-donation"]');
    const gift = keeper.locator('form[data-form="donation"]');
    await gift.waitFor();
    await gift.locator('input[name="donorName"]').fill('孙丽华');
    await gift.locator('input[name="amount"]').fill('800');
    await gift.locator('button[type="submit"]').click();
    await gift.waitFor({ state: 'detached' });
    await keeper.click('[data-action="disburse"]');
    const pay = keeper.locator('form[data-form="disbursement"]');
    await pay.waitFor();
    expect(await pay.locator(`select[name="target"] option[value="need:${needId}"]`).innerText()).not.toContain('欧阳明月');
    await pay.locator('select[name="target"]').selectOption(`need:${needId}`);
    await pay.locator('input[name="amount"]').fill('300');
    await pay.locator('input[name="purpose"]').fill('更换水管材料费');
    await shot(keeper, 'disburse');
    await pay.locator('button[type="submit"]').click();
    await pay.waitFor({ state: 'detached' });
    await keeper.click('[data-tab="books"]');
    await eventually(() => keeper.locator('[data-balanced="money"]').innerText()).toBe('平衡 ✓');
    await eventually(() => yuan('given')).toBe(givenBefore + 800);
    await eventually(() => yuan('paid-out')).toBe(paidBefore + 300);
    await eventually(() => kpi('charity.raisedMonthCents')).toBe(raisedBefore + 80_000);
    await eventually(() => kpi('charity.disbursedMonthCents')).toBe(disbursedBefore + 30_000);
    await shot(keeper, 'books');

    await coord.click('[data-do="start"]');
    await eventually(() => coord.locator('[data-need-status]').getAttribute('data-need-status')).toBe('in_progress');
    await coord.locator('[data-step="meet"] textarea').fill('已更换水管，居民确认');
    await coord.click('[data-do="meet"]');
    await eventually(() => coord.locator('[data-need-status]').getAttribute('data-need-status')).toBe('met');
    await coord.locator('[data-step="rate"] input[value="5"]').check();
    await coord.click('[data-do="rate"]');
    await eventually(() => coord.locator('[data-need-status]').getAttribute('data-need-status')).toBe('rated');
    await shot(coord, 'need-rated');

    await eventually(() => kpi('needs.metToday')).toBe(metTodayBefore + 1);
    await eventually(() => sankeyMet()).toBe(metBefore + 1);
    await wall.waitForTimeout(800);
    await shot(wall, 'wall-after-need');
    await shot(wall.locator('[data-scene="subjects"]'), 'wall-subjects');
    await shot(wall.locator('[data-scene="needs"]'), 'wall-needs');
    expect([...coord.errors, ...phone.errors, ...keeper.errors, ...wall.errors]).toEqual([]);
  });
});
