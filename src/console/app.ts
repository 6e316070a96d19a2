import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { errorMessage } from '../errors.js';
import { changeMark } from '../observe/changeMark.js';
import { CONSOLE_CSS, CONSOLE_JS } from './assets.js';
import { requireToken } from './auth.js';
import { ChangeFeed } from './changeFeed.js';
import type { ConsoleContext, Page } from './context.js';
import { layout } from './layout.js';
import { chainsPage } from './pages/chains.js';
import { maprefPage } from './pages/mapref.js';
import { nowPage } from './pages/now.js';
import { schedulesPage } from './pages/schedules.js';
import { timelinePage } from './pages/timeline.js';

export interface ConsoleOptions {
  /** DWPRC_CONSOLE_TOKEN; null: no token asked. */
  token: string | null;
  /** How often the change mark is read while a page is open. */
  pollMs?: number;
}

export interface ConsoleApp {
  fetch: (request: Request) => Response | Promise<Response>;
  close(): void;
}

/** Nothing but this origin's own script and style; no frames, no forms elsewhere, no referrer. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

const SSE_PING_MS = 15_000;

/**
 * The read-only web console: Now, Timeline, Schedules, Chains and MAPREF pages rendered on the
 * server from the database's rows, an event stream that tells open pages to refresh, and the two
 * assets. GET and HEAD only: no route writes anything.
 */
export function createConsoleApp(ctx: ConsoleContext, options: ConsoleOptions): ConsoleApp {
  const feed = new ChangeFeed(() => changeMark(ctx.dialect.db), options.pollMs ?? 2000, ctx.log);
  const app = new Hono();
  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return c.text('405: the console is read-only\n', 405, { allow: 'GET, HEAD' });
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  app.use('*', requireToken(options.token));

  const page = (path: string, render: (c: { req: { query(name: string): string | undefined } }) => Promise<Page>) =>
    app.get(path, async (c) => {
      const { title, body } = await render(c);
      return c.html(layout({ title, path, zone: ctx.clock.businessZone, body }));
    });
  page('/', () => nowPage(ctx));
  page('/timeline', (c) => timelinePage(ctx, { day: c.req.query('day'), from: c.req.query('from'), to: c.req.query('to') }));
  page('/schedules', () => schedulesPage(ctx));
  page('/chains', () => chainsPage(ctx));
  app.get('/mapref', async (c) => {
    const mapref = (c.req.query('m') ?? '').trim();
    if (mapref === '') return c.redirect('/', 303);
    const { title, body } = await maprefPage(ctx, mapref);
    return c.html(layout({ title, path: '/mapref', zone: ctx.clock.businessZone, body }));
  });

  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      const unsubscribe = feed.subscribe(() => void stream.writeSSE({ event: 'change', data: 'database' }).catch(() => undefined));
      stream.onAbort(unsubscribe);
      while (!stream.aborted && !stream.closed) {
        await stream.sleep(SSE_PING_MS);
        await stream.write(': ping\n\n').catch(() => undefined);
      }
      unsubscribe();
    }),
  );
  app.get('/assets/console.js', (c) => c.body(CONSOLE_JS, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.get('/assets/console.css', (c) => c.body(CONSOLE_CSS, 200, { 'content-type': 'text/css; charset=utf-8' }));

  app.notFound((c) => c.text('404: not a console page (try / /timeline /schedules /chains)\n', 404));
  app.onError((error, c) => {
    // The message may quote database text: logged, never put into a page.
    ctx.log.warn({ err: errorMessage(error), path: new URL(c.req.url).pathname }, 'console page failed');
    return c.text('500: the page could not be read from the database (see the console log)\n', 500);
  });
  return { fetch: app.fetch, close: () => feed.close() };
}
