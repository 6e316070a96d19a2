/**
 * The later Python tool stored Python in DWLOGIC. What defines `execute_job` runs in a Python
 * child (src/engine/python/); other Python must be refused with a clear message rather than sent
 * to the database as if it were a block. Unlike the tool (any `FROM ` made text "Python"), a
 * block that starts with DECLARE, BEGIN or DO is always a block.
 */
const PYTHON_FIRST_LINE = /^(import\s+[\w.]+|from\s+[\w.]+\s+import\s|def\s+\w+\s*\(|async\s+def\s|class\s+\w+\s*[(:]|if\s+__name__\s*==)/;
const PYTHON_MARKERS = [
  /^\s*def\s+\w+\s*\(.*\)\s*(->[^:]*)?:\s*$/m,
  /__name__\s*==\s*['"]__main__['"]/,
  /^\s*(elif\s.*:|print\(|self\.\w)/m,
  /^\s*(import\s+[\w.]+|from\s+[\w.]+\s+import\s.+)\s*$/m,
];
/** Every PL/SQL block has a BEGIN, every PL/pgSQL block run by dwprc is a DO. */
const BLOCK_START = /^(DECLARE|BEGIN|DO)\b/i;
const EXECUTE_JOB = /^[ \t]*(async[ \t]+)?def[ \t]+execute_job[ \t]*\(/m;
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

/** A Python job flow: defines execute_job, and is not a block that merely mentions one. */
export function definesExecuteJob(text: string): boolean {
  return !BLOCK_START.test(firstCodeLine(text)) && EXECUTE_JOB.test(text);
}
