import type { CompiledQuery } from 'kysely';

/**
 * Hot statements built once per shape. Building a statement with Kysely and compiling it cost a
 * worker more CPU than the database took to run it (a quarter of a worker's CPU in a drain's
 * profile). A statement whose text depends only on its shape (which optional parts it has) is
 * built once with markers in the places of its values; every use after that puts the values into
 * the compiled parameters, and sends the same text: PreparingClient finds it prepared.
 */
export class StatementTemplates {
  readonly #templates = new Map<string, Template>();

  /**
   * `build` receives a marker in the place of each of `values`, must hand each one to Kysely as a
   * bind value, untouched, and returns the compiled statement: a marker that does not come out as a parameter of its own (put
   * into the text, transformed, or dropped) is an error, found at the first use.
   */
  compile<const V extends readonly unknown[]>(shape: string, values: V, build: (markers: V) => CompiledQuery): CompiledQuery {
    let template = this.#templates.get(shape);
    if (!template) {
      template = makeTemplate(shape, values.length, build as (markers: readonly unknown[]) => CompiledQuery);
      this.#templates.set(shape, template);
    }
    const { compiled, slots } = template;
    // Field by field: a spread followed by the new parameters costs V8 (Node 20) more than the rest of this.
    return { query: compiled.query, queryId: compiled.queryId, sql: compiled.sql, parameters: compiled.parameters.map((p, i) => (slots[i]! >= 0 ? values[slots[i]!] : p)) };
  }
}

interface Template {
  compiled: CompiledQuery;
  /** Per parameter: the index of the value it takes, or -1 for a constant of the statement. */
  slots: number[];
}

const MARKER = /^~dwprc-bind-(\d+)~$/;

function makeTemplate(shape: string, count: number, build: (markers: readonly unknown[]) => CompiledQuery): Template {
  // Printable ASCII: nothing on the way (such as the application name's cleaning) alters it.
  const markers = Array.from({ length: count }, (_, i) => `~dwprc-bind-${i}~`);
  const compiled = build(markers);
  const slots = compiled.parameters.map((p) => (typeof p === 'string' ? Number(MARKER.exec(p)?.[1] ?? -1) : -1));
  const missing = markers.filter((_, i) => !slots.includes(i));
  if (missing.length || compiled.sql.includes('~dwprc-bind-')) {
    throw new Error(`statement template ${shape}: values ${missing.join(', ') || '(in the text)'} are not bind parameters of their own`);
  }
  return { compiled, slots };
}
