import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { freePort } from '../../src/db/embedded.js';
import { describeFrequency } from '../../src/schedule/index.js';
import { artifactPath, launchBrowser, type Browser } from '../support/browser.js';
import { BIN, runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { dwlogic, setFlow } from '../support/engine.js';
import { insertSchedule } from '../support/schedules.js';
import { waitFor } from '../support/waitFor.js';
import { serving, spawnWorker, stopWorkers, type WorkerProcess } from '../support/workerProcess.js';

/** The page's globals the tests touch (the project compiles without the DOM library). */
interface BrowserGlobals {
  document: { body: { dataset: Record<string, string | undefined> } };
}

const TOKEN = 'console-test-token-3f9a';
const XSS_MSG = '<script>window.__xss = 1</script> & "quoted"';
const XSS_MAPREF = 'X<img src=x onerror="window.__xss=2">';

/** An address of this machine other than loopback: a request to it comes from that address, as another host's would. */
function outsideAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;
}

/**
 * Runs of a night's loads earlier today, as DWPRCLOG holds them whoever wrote them (the PL/SQL
 * package did, before dwprc), spread over the part of the day that has passed, and schedules
 * still to come: what the README's picture of the timeline shows.
 */
async function seedEarlierRuns(t: TestDatabase): Promise<void> {
  const runs: [string, [number, number, 'PC' | 'FL' | 'ST', string?][]][] = [
    ['DW_CUSTOMERS', [[0.02, 0.05, 'PC'], [0.35, 0.38, 'PC'], [0.7, 0.73, 'PC']]],
    ['DW_ORDERS', [[0.06, 0.12, 'PC'], [0.39, 0.46, 'FL', 'ORA-01652: unable to extend temp segment by 128 in tablespace TEMP'], [0.5, 0.57, 'PC']]],
    ['DW_SALES_FACT', [[0.13, 0.24, 'PC'], [0.58, 0.68, 'ST', 'stopped: graceful stop requested']]],
    ['DW_STOCK', [[0.05, 0.08, 'PC'], [0.3, 0.33, 'PC'], [0.6, 0.63, 'PC'], [0.9, 0.93, 'PC']]],
    ['DW_FINANCE_MART', [[0.25, 0.34, 'PC'], [0.74, 0.86, 'PC']]],
  ];
  const now = Date.now();
  const dayStart = now - (now % 86_400_000);
  const span = Math.max(0, now - dayStart - 120_000);
  const at = (f: number) => new Date(dayStart + Math.round(f * span / 1000) * 1000);
  for (const [mapref, list] of runs) {
    for (const [from, to, status, msg] of list) {
      const prcid = Number(await t.dialect.selectValue(t.dialect.nextValue('dwprclogseq')));
      await t.dialect.db.insertInto('dwprclog').values({
        prcid, jobid: 1, jobflwid: 1, strtdt: at(from), enddt: at(to), status, reccrdt: at(from), recupdt: at(to), msg: msg ?? null, mapref, sessionid: 1,
        param1: null, param2: null, param3: null, param4: null, param5: null, param6: null, param7: null, param8: null, param9: null, param10: null,
        prclog: null,
      }).execute();
    }
  }
  const today = new Date(dayStart).toISOString().slice(0, 10);
  await insertSchedule(t.dialect, { mapref: 'DW_STOCK', frqcd: 'ID', frqhh: '-1', frqmi: '30', strtdt: today });
  await insertSchedule(t.dialect, { mapref: 'DW_FINANCE_MART', frqcd: 'DL', frqhh: '23', frqmi: '30', strtdt: today });
}

/**
 * The web console in Debian's chromium against real runs of every status made by a real worker:
 * each page shows what the database holds, and keeps up with it.
 */
describe('dwprc console in a browser', () => {
  let t: TestDatabase;
  let worker: WorkerProcess;
  let consoleProcess: ChildProcess;
  let consoleOutput = '';
  let base: string;
  let workerBase: string;
  let browser: Browser;
  let page: Page;
  let env: Record<string, string>;
  let hourlyMinute: number;
  let okSchedule: number;

  before(async () => {
    t = await createTestDatabase();
    env = { DWPRC_DATABASE_URL: t.url, DWPRC_TIMEZONE: 'UTC' };
    await setFlow(t, 'C_OK', dwlogic('C_OK', `  CALL pkgdwprc.create_job_log(v_joblogid, v_sessionid, v_prcid, localtimestamp(0)::timestamp, 'C_OK', v_jobid, 12, 10, 2);`));
    await setFlow(t, 'C_FAIL', dwlogic('C_FAIL', `  RAISE EXCEPTION '${XSS_MSG}';`));
    await setFlow(t, 'C_STOPPED', dwlogic('C_STOPPED', '  PERFORM pg_sleep(60);'));
    await setFlow(t, 'C_RUNNING', dwlogic('C_RUNNING', '  PERFORM pg_sleep(300);'));
    await setFlow(t, XSS_MAPREF, dwlogic(XSS_MAPREF, '  NULL;'));
    // Schedules: C_OK every hour (from yesterday), C_CHILD after it, C_ORPHAN after a retired row of C_FAIL, a cycle.
    const now = new Date();
    hourlyMinute = (now.getUTCMinutes() + 30) % 60;
    const yesterday = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
    const ok = await insertSchedule(t.dialect, { mapref: 'C_OK', frqcd: 'ID', frqmi: String(hourlyMinute), strtdt: yesterday });
    okSchedule = ok;
    await insertSchedule(t.dialect, { mapref: 'C_CHILD', frqcd: 'DL', frqhh: '1', frqmi: '0', strtdt: yesterday, parent: ok });
    const oldFail = await insertSchedule(t.dialect, { mapref: 'C_FAIL', frqcd: 'DL', frqhh: '2', frqmi: '0', strtdt: yesterday });
    await t.dialect.db.updateTable('dwjobsch').set({ curflg: 'N' }).where('jobschid', '=', oldFail).execute();
    await insertSchedule(t.dialect, { mapref: 'C_FAIL', frqcd: 'DL', frqhh: '3', frqmi: '0', strtdt: yesterday });
    await insertSchedule(t.dialect, { mapref: 'C_ORPHAN', frqcd: 'DL', frqhh: '4', frqmi: '0', strtdt: yesterday, parent: oldFail });
    await insertSchedule(t.dialect, { mapref: 'C_LOST', frqcd: 'DL', frqhh: '4', frqmi: '0', strtdt: yesterday, parent: 99_999 });
    const a = await insertSchedule(t.dialect, { mapref: 'CY_A', frqcd: 'DL', frqhh: '5', frqmi: '0', strtdt: yesterday });
    const b = await insertSchedule(t.dialect, { mapref: 'CY_B', frqcd: 'DL', frqhh: '5', frqmi: '0', strtdt: yesterday, parent: a });
    await t.dialect.db.updateTable('dwjobsch').set({ dpndJobschid: b }).where('jobschid', '=', a).execute();

    await seedEarlierRuns(t);

    const workerPort = await freePort();
    workerBase = `http://127.0.0.1:${workerPort}`;
    // The scheduler's tick is pushed out of the way: the runs here are the ones the test makes.
    worker = spawnWorker(t.url, { DWPRC_POLL: '200ms', DWPRC_TICK: '1d', DWPRC_CONSOLE_TOKEN: '' }, ['--http', String(workerPort)]);
    await serving(t.dialect, worker);
    for (const [mapref, code] of [['C_OK', 0], ['C_FAIL', 1], [XSS_MAPREF, 0], ['C_OK', 0]] as const) {
      const r = await runCli(['run', mapref, '--wait'], env);
      assert.equal(r.code, code, `${mapref}: ${r.stdout}${r.stderr}`);
    }
    await runCli(['run', 'C_STOPPED'], env);
    await waitFor(async () => (await t.dialect.db.selectFrom('dwprclog').select('prcid').where('mapref', '=', 'C_STOPPED').where('status', '=', 'IP').execute()).length === 1, 'C_STOPPED running');
    assert.equal((await runCli(['stop', 'C_STOPPED', '--force', '--wait'], env)).code, 0);
    await runCli(['run', 'C_RUNNING'], env);
    await waitFor(async () => (await t.dialect.db.selectFrom('dwprclog').select('prcid').where('mapref', '=', 'C_RUNNING').where('status', '=', 'IP').execute()).length === 1, 'C_RUNNING running');

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    consoleProcess = spawn(process.execPath, [BIN, 'console', '--port', String(port)], {
      env: { ...process.env, ...env, DWPRC_CONSOLE_TOKEN: TOKEN, DWPRC_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    consoleProcess.stdout!.on('data', (d) => (consoleOutput += d));
    consoleProcess.stderr!.on('data', (d) => (consoleOutput += d));
    await waitFor(async () => (await fetch(`${base}/`).then((r) => r.status, () => 0)) === 401, 'the console to answer', 30_000);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (error) => assert.fail(`page error: ${error.message}`));
    await page.goto(`${base}/?token=${TOKEN}`);
  });

  after(async () => {
    await browser?.close();
    if (consoleProcess && consoleProcess.exitCode === null) {
      const exited = new Promise((resolve) => consoleProcess.once('exit', resolve));
      consoleProcess.kill('SIGTERM');
      await exited;
    }
    await runCli(['stop', 'C_RUNNING', '--force', '--wait', '--timeout', '20s'], env).catch(() => undefined);
    await stopWorkers([worker]);
    await t.drop();
  });

  const runsOfToday = () =>
    t.dialect.db.selectFrom('dwprclog').select(['prcid', 'mapref', 'status', 'msg']).orderBy('prcid').execute();

  test('a token is required: none or a wrong one is a 401 that shows no token; the right one as Bearer or ?token= (then a cookie) opens the pages', async () => {
    for (const url of [`${base}/`, `${base}/timeline`, `${base}/events`, `${base}/?token=wrong`, `${base}/mapref?m=C_OK`]) {
      const r = await fetch(url, { redirect: 'manual' });
      assert.equal(r.status, 401, url);
      assert.ok(!(await r.text()).includes(TOKEN));
    }
    assert.equal((await fetch(`${base}/`, { headers: { authorization: 'Bearer nope' } })).status, 401);
    const ok = await fetch(`${base}/schedules`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.ok(!(await ok.text()).includes(TOKEN));
    assert.match(ok.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
    // The ?token= visit redirected to the address without it.
    assert.equal(new URL(page.url()).search, '');
    assert.equal((await fetch(`${base}/`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status, 405);
    assert.ok(!consoleOutput.includes(TOKEN), consoleOutput);
  });

  test('Now: the queue, the running run against its expected time, the worker, the last failure with its reason (as text)', async () => {
    await page.goto(`${base}/`);
    const running = await page.locator('#running').innerText();
    assert.match(running, /C_RUNNING/);
    assert.match(await page.locator('#queue').innerText(), /CLAIMED\s+IMMEDIATE\s+1/);
    assert.equal(await page.locator('#workers tr').count(), 2);
    assert.match(await page.locator('#failures').innerText(), /C_FAIL[\s\S]*<script>window.__xss = 1<\/script> & "quoted"/);
    await page.screenshot({ path: await artifactPath('now.png'), fullPage: true });
  });

  test('Timeline: one bar per run of the day with its status, scheduled occurrences marked, hover shows the run, a click opens its MAPREF', async () => {
    await page.goto(`${base}/timeline`);
    const runs = await runsOfToday();
    const bars = await page.locator('#timeline rect.bar').evaluateAll((els) => els.map((e) => ({ prcid: Number(e.getAttribute('data-prcid')), mapref: e.getAttribute('data-mapref'), status: e.getAttribute('data-status') })));
    assert.deepEqual(bars.sort((x, y) => x.prcid - y.prcid), runs.map((r) => ({ prcid: Number(r.prcid), mapref: r.mapref, status: r.status })));
    assert.deepEqual(new Set(runs.map((r) => r.status)), new Set(['PC', 'FL', 'ST', 'IP']));
    // C_OK's hourly schedule: the occurrences of today still to come are marked, by the schedule engine.
    const marks = await page.locator('#timeline circle.scheduled[data-mapref="C_OK"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tip')));
    const now = new Date();
    const future = Array.from({ length: 24 }, (_, h) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), h, hourlyMinute))).filter((at) => at > now);
    assert.deepEqual(marks, future.map((at) => `C_OK: scheduled ${at.toISOString().slice(0, 16).replace('T', ' ')}, not yet run (JOBSCHID ${okSchedule})`));
    // Children and disabled schedules have no marks of their own.
    assert.equal(await page.locator('#timeline circle[data-mapref="C_CHILD"]').count(), 0);

    const failed = runs.find((r) => r.status === 'FL' && r.mapref === 'C_FAIL')!;
    const bar = page.locator(`#timeline rect.bar[data-prcid="${failed.prcid}"]`);
    await bar.hover();
    await waitFor(async () => (await page.locator('#tip').isVisible()) && (await page.locator('#tip').innerText()).includes(`PRCID ${failed.prcid}`), 'the hover card');
    assert.match(await page.locator('#tip').innerText(), /C_FAIL · PRCID \d+ · FL \(failed\)[\s\S]*MSG: <script>window.__xss = 1<\/script>/);
    await page.screenshot({ path: await artifactPath('timeline.png'), fullPage: true });
    await bar.click();
    await page.waitForURL(/\/mapref\?m=C_FAIL$/);
    assert.equal(await page.locator('h1').innerText(), 'C_FAIL');
  });

  test("the day's picture: earlier runs at their times, schedules still to come (the README's screenshot)", async () => {
    await page.goto(`${base}/timeline`);
    const failed = page.locator('#timeline rect.bar[data-mapref="DW_ORDERS"][data-status="FL"]');
    assert.match((await failed.getAttribute('data-tip'))!, /MSG: ORA-01652/);
    assert.ok((await page.locator('#timeline circle.scheduled[data-mapref="DW_STOCK"]').count()) >= 1);
    await failed.hover();
    await page.locator('main').screenshot({ path: await artifactPath('timeline-day.png') });
  });

  test('markup in a MSG or a MAPREF stays text on every page; no script of it runs', async () => {
    for (const path of ['/', '/timeline', '/schedules', '/chains', `/mapref?m=${encodeURIComponent(XSS_MAPREF)}`, '/mapref?m=C_FAIL']) {
      await page.goto(`${base}${path}`);
      assert.equal(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined, path);
      assert.equal(await page.locator('main script, main img').count(), 0, path);
    }
    assert.equal(await page.locator('h1').innerText(), 'C_FAIL');
    assert.match(await page.locator('#runs').innerText(), /<script>window.__xss = 1<\/script> & "quoted"/);
    await page.goto(`${base}/timeline`);
    assert.equal(await page.locator('#timeline .row text', { hasText: 'X<img src=x' }).count(), 1);
  });

  test('Schedules: every current schedule with its frequency in words, enabled, parent', async () => {
    await page.goto(`${base}/schedules`);
    const rows = await page.locator('#schedules tr[data-mapref]').evaluateAll((els) => els.map((e) => e.getAttribute('data-mapref')));
    const current = await t.dialect.db.selectFrom('dwjobsch').selectAll().where('curflg', '=', 'Y').orderBy('mapref').execute();
    assert.deepEqual(rows, current.map((s) => s.mapref));
    const ok = await page.locator('#schedules tr[data-mapref="C_OK"]').innerText();
    assert.ok(ok.includes(describeFrequency({ frqcd: 'ID', frqdd: null, frqhh: null, frqmi: String(hourlyMinute) })), ok);
    assert.match(await page.locator('#schedules tr[data-mapref="C_CHILD"]').innerText(), /after each successful run of its parent[\s\S]*C_OK/);
    await page.screenshot({ path: await artifactPath('schedules.png'), fullPage: true });
  });

  test('Chains: parents → children as a picture, nodes coloured by their last run, the cycle, the retired link and a link to no row visible', async () => {
    await page.goto(`${base}/chains`);
    const nodes = await page.locator('#chains g.node').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-mapref'), e.getAttribute('class')])));
    assert.equal(nodes.C_OK, 'node st-PC');
    assert.equal(nodes.C_FAIL, 'node st-FL');
    assert.equal(nodes.C_CHILD, 'node st-none');
    assert.equal(await page.locator('#chains path.edge[data-from="C_OK"][data-to="C_CHILD"]').count(), 1);
    assert.equal(await page.locator('#chains path.edge.retired[data-from="C_FAIL"][data-to="C_ORPHAN"]').count(), 1);
    assert.equal(await page.locator('#chains path.edge.cycle').count(), 2);
    assert.match(await page.locator('#cycles').innerText(), /CY_A → CY_B → CY_A/);
    assert.match(await page.locator('#retired').innerText(), /C_ORPHAN .* a retired row of C_FAIL/);
    assert.equal(await page.locator('#chains path.edge[data-from="#99999"][data-to="C_LOST"]').count(), 1);
    assert.equal(await page.locator('#chains g.node.missing').count(), 1);
    assert.match(await page.locator('#missing').innerText(), /C_LOST \(JOBSCHID \d+\) names JOBSCHID 99999, which no DWJOBSCH row has/);
    await page.screenshot({ path: await artifactPath('chains.png'), fullPage: true });
    await page.locator('#chains a', { has: page.locator('g.node[data-mapref="C_OK"]') }).click();
    await page.waitForURL(/\/mapref\?m=C_OK$/);
  });

  test('MAPREF page: its runs with counts, its DWJOBERR rows, and the why answer', async () => {
    await page.goto(`${base}/mapref?m=C_OK`);
    const runs = await runsOfToday();
    assert.equal(await page.locator('#runs tr[data-prcid]').count(), runs.filter((r) => r.mapref === 'C_OK').length);
    assert.match(await page.locator('#runs').innerText(), /12\/10\/2/);
    const why = JSON.parse((await runCli(['why', 'C_OK', '--json'], env)).stdout) as { answer: string };
    assert.ok((await page.locator('#why').innerText()).startsWith(why.answer.slice(0, 20)), why.answer);
    await page.goto(`${base}/mapref?m=C_FAIL`);
    assert.match(await page.locator('#errors').innerText(), /<script>window.__xss = 1<\/script>/);
    await page.screenshot({ path: await artifactPath('mapref.png'), fullPage: true });
  });

  test('open pages keep up: a new run appears on the timeline and the run that ends changes colour, without reloading', async () => {
    await page.goto(`${base}/timeline`);
    const before = await page.locator('#timeline rect.bar').count();
    await page.evaluate(() => ((globalThis as unknown as BrowserGlobals).document.body.dataset.marker = 'same page'));
    assert.equal((await runCli(['run', 'C_OK', '--wait'], env)).code, 0);
    await waitFor(async () => (await page.locator('#timeline rect.bar').count()) === before + 1, 'the new run on the open timeline', 15_000);
    const running = (await runsOfToday()).find((r) => r.mapref === 'C_RUNNING')!;
    assert.equal((await runCli(['stop', 'C_RUNNING', '--force', '--wait'], env)).code, 0);
    await waitFor(async () => (await page.locator(`#timeline rect.bar[data-prcid="${running.prcid}"]`).getAttribute('data-status')) === 'ST', 'the stopped run recoloured', 15_000);
    assert.equal(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.body.dataset.marker), 'same page');
  });

  test('a worker with --http serves the same pages beside /healthz, to this host without a token', async () => {
    const r = await fetch(`${workerBase}/timeline`);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /<svg id="timeline"/);
    assert.equal((await fetch(`${workerBase}/healthz`)).status, 200);
    assert.equal((await fetch(`${workerBase}/metrics`)).status, 200);
  });

  test('on the worker port, from another address without a token: 403 for the pages, /healthz as before', { skip: outsideAddress() ? false : 'this machine has no non-loopback IPv4 address to ask from' }, async () => {
    const outside = workerBase.replace('127.0.0.1', outsideAddress()!);
    const r = await fetch(`${outside}/timeline`);
    assert.equal(r.status, 403);
    assert.equal(await r.text(), '403: the console answers this host only unless DWPRC_CONSOLE_TOKEN is set\n');
    assert.equal((await fetch(`${outside}/healthz`)).status, 200);
  });
});
