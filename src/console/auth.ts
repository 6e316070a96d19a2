import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

const COOKIE = 'dwprc_console';

/** What the cookie holds: a keyed hash of the token, so the browser's cookie jar never has the token itself. */
function cookieValue(token: string): string {
  return createHmac('sha256', token).update('dwprc-console-session').digest('hex');
}

/** Compares in constant time (both sides hashed first, so lengths never differ). */
function same(a: string, b: string): boolean {
  const h = (s: string) => createHmac('sha256', 'dwprc-compare').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

const DENIED = '401: this console needs DWPRC_CONSOLE_TOKEN: open it once as /?token=… or send "Authorization: Bearer …"\n';

/**
 * DWPRC_CONSOLE_TOKEN, when set, is required for every page and event stream: as
 * `Authorization: Bearer TOKEN`, or as `?token=TOKEN`, which sets an HttpOnly, SameSite=Strict
 * cookie and redirects to the same address without the token (so it leaves the address bar,
 * the history and any link the page makes). A wrong or missing token is a 401 that names none.
 */
export function requireToken(token: string | null): MiddlewareHandler {
  return async (c, next) => {
    if (!token) return next();
    const url = new URL(c.req.url);
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!same(given, token)) return c.text(DENIED, 401);
      setCookie(c, COOKIE, cookieValue(token), { httpOnly: true, sameSite: 'Strict', path: '/' });
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (bearer !== undefined && same(bearer.trim(), token)) return next();
    const cookie = getCookie(c, COOKIE);
    if (cookie !== undefined && same(cookie, cookieValue(token))) return next();
    return c.text(DENIED, 401);
  };
}
