/**
 * The later Python tool stored Python in DWLOGIC for some flows. Such text must be refused with
 * a clear message rather than sent to the database as if it were a block.
 */
const PYTHON_FIRST_LINE = /^(import\s+[\w.]+|from\s+[\w.]+\s+import\s|def\s+\w+\s*\(|async\s+def\s|class\s+\w+\s*[(:]|if\s+__name__\s*==)/;
const PYTHON_MARKERS = [
  /^\s*def\s+\w+\s*\(.*\)\s*(->[^:]*)?:\s*$/m,
  /__name__\s*==\s*['"]__main__['"]/,
  /^\s*(elif\s.*:|print\(|self\.\w)/m,
  /^\s*(import\s+[\w.]+|from\s+[\w.]+\s+import\s.+)\s*$/m,
];
/** Every PL/SQL block has a BEGIN, every PL/pgSQL block run by dwprc is a DO. */
const BLOCK_KEYWORD = /\b(BEGIN|DO)\b/i;

function firstCodeLine(text: string): string {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('--')) continue;
    if (trimmed.startsWith('#!')) return trimmed;
    if (trimmed.startsWith('#')) continue;
    return trimmed;
  }
  return '';
}

export function looksLikePython(text: string): boolean {
  const first = firstCodeLine(text);
  if (first.startsWith('#!') || PYTHON_FIRST_LINE.test(first)) return true;
  return !BLOCK_KEYWORD.test(text) && PYTHON_MARKERS.some((marker) => marker.test(text));
}
