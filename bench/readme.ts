/**
 * `npm run bench:readme`: puts bench/results/latest.md (the latest full run) into README.md
 * between its bench markers, so that the README's figures are that run's, verbatim.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './lib/processes.js';

const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';

/** latest.md with its title as a line of text, its headings one level down (they sit under a README heading). */
function readmeFragment(latest: string): string {
  const body = latest.replace(/^# dwprc bench, (.*)\n+/, 'Started $1. ');
  return body.replace(/^### /gm, '#### ').trim();
}

function replaceBetweenMarkers(readme: string, fragment: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md: the markers ${START} … ${END} are missing`);
  return `${readme.slice(0, start + START.length)}\n${fragment}\n${readme.slice(end)}`;
}

const readmePath = path.join(ROOT, 'README.md');
const latest = await readFile(path.join(ROOT, 'bench', 'results', 'latest.md'), 'utf8');
await writeFile(readmePath, replaceBetweenMarkers(await readFile(readmePath, 'utf8'), readmeFragment(latest)));
console.log('README.md: the latest full run put between the bench markers');
