/**
 * The samples of a Prometheus text exposition, keyed as written: `name{a="x",b="y"}` (labels in
 * the order the registry prints them) or `name` alone. Comments and blank lines are skipped.
 */
export function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}
