import { html, type Fragment } from './html.js';

export const PAGES = [
  { path: '/', title: 'Now' },
  { path: '/timeline', title: 'Timeline' },
  { path: '/schedules', title: 'Schedules' },
  { path: '/chains', title: 'Chains' },
] as const;

/**
 * Every page: the navigation, the content in <main> (what the refresh script swaps), the zone
 * times are shown in. Scripts and styles come from /assets only (the CSP allows nothing else).
 */
export function layout(options: { title: string; path: string; zone: string; body: Fragment | Fragment[] }): Fragment {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · dwprc</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script>
</head>
<body>
<header>
<span class="brand">dwprc</span>
<nav>${PAGES.map((p) => html`<a href="${p.path}"${p.path === options.path ? html` class="here"` : ''}>${p.title}</a>`)}</nav>
<span class="meta">times in ${options.zone} · read-only · <span id="live" title="updates by itself when the database changes">live</span></span>
</header>
<main>${options.body}</main>
</body>
</html>`;
}
