import { html, raw } from 'hono/html';

/**
 * Pages are built with hono's `html` tagged template: every interpolated value is escaped
 * (text and attribute alike), so a MSG or MAPREF holding markup shows as text; only nested
 * html`` fragments pass through. `raw` is for markup made here, never for database values.
 */
export { html, raw };

export type Fragment = ReturnType<typeof html>;

/** The CSS class of a DWPRCLOG status (PC, FL, ST, IP; anything else: unknown). */
export function statusClass(status: string | null | undefined): string {
  return ['PC', 'FL', 'ST', 'IP'].includes(status ?? '') ? `st-${status}` : 'st-none';
}

export const STATUS_WORDS: Readonly<Record<string, string>> = { PC: 'completed', FL: 'failed', ST: 'stopped', IP: 'running' };

/** The link to a MAPREF's page (a query parameter: a MAPREF may hold '/' or anything else). */
export function maprefHref(mapref: string): string {
  return `/mapref?m=${encodeURIComponent(mapref)}`;
}
