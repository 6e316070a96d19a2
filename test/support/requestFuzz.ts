import fc from 'fast-check';

/**
 * DWPRCREQ rows as a careless or hostile UI might write them: valid requests dressed in every
 * allowed variation (case, padding, unknown fields, unicode, huge junk) and bad ones, each bad
 * by construction in named fields, so the test knows what must happen without re-implementing
 * the parser: a valid row ends DONE, a bad one FAILED with a reason naming one of `fields`.
 */

export type Expectation = { status: 'DONE' } | { status: 'FAILED'; fields: readonly string[] };

export interface FuzzCase {
  mapref: string;
  type: string;
  payload: string | null;
  expect: Expectation;
  /** Which generator made it, for a failing test's message. */
  kind: string;
}

export interface FuzzWorld {
  /** MAPREFs with an active DWLOGIC. */
  flows: readonly string[];
  /** A MAPREF nothing runs on: STOP rows aim here, so they never stop the valid runs. */
  idle: string;
  /** A DWMAPRSQL code that exists. */
  reportCode: string;
}

const DONE: Expectation = { status: 'DONE' };
const failed = (...fields: string[]): Expectation => ({ status: 'FAILED', fields });

/** Payload keys that mean something to some request type: junk keys never collide with them. */
const RESERVED = new Set([
  'params', 'truncate_flag', 'max_attempts', 'source', 'jobschid', 'scheduled_for', 'start_date', 'end_date', 'force',
  'request_id', 'start_timestamp', 'sql_code', 'format', 'file', ...Array.from({ length: 10 }, (_, i) => `param${i + 1}`),
]);

const SPECIAL = [
  '😀', '👍🏽', '👨‍👩‍👧', 'مرحبا بالعالم', 'שלום', '\u202Eevil\u202C', '\u200b', '\u0007', '\u001b[31m', '\t', '\n', '\r\n', '\u2028', '\u000b',
  '\u000c', 'e\u0301', '\ufeff', '𝕏', '"', "'", '\\', '%s', '${x}', "'; drop table dwprcreq; --", '\u0085', '\ud83d\ude00',
];

/** Clipped to `max` code points, as VARCHAR lengths count on PostgreSQL. */
const clipCodePoints = (s: string, max: number) => Array.from(s).slice(0, max).join('');

/** Text of any unicode (emoji, RTL, control characters) except NUL, which no text column stores. */
export function junkText(maxLength = 40): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.string({ unit: 'binary', maxLength }),
      fc.string({ unit: 'grapheme', maxLength }),
      fc.array(fc.constantFrom(...SPECIAL), { maxLength: 6 }).map((a) => a.join('')),
    )
    .map((s) => clipCodePoints(s.replaceAll('\u0000', ''), maxLength));
}

const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 6, arbitrary: junkText(60) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((n) => '🦄x'.repeat(n / 3)) },
);

const junkFields = fc.dictionary(
  junkText(20).filter((k) => !RESERVED.has(k.toLowerCase())),
  junkValue,
  { maxKeys: 3 },
);

/** A padded, re-cased spelling of a request type: the worker trims and ignores case. */
function spelled(type: string): fc.Arbitrary<string> {
  return fc.constantFrom(type, type.toLowerCase(), ` ${type}`, `${type[0]}${type.slice(1).toLowerCase()}\t`);
}

/** A JSON object as the payload; the empty one also as NULL, '' or blanks. */
function payloadText(body: Record<string, unknown>): fc.Arbitrary<string | null> {
  const text = JSON.stringify(body);
  return Object.keys(body).length === 0 ? fc.constantFrom<string | null>(null, '', '  ', '{}', text) : fc.constant(text);
}

const paramValue = fc.oneof(
  junkText(250),
  fc.constant('é'.repeat(250)),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(null),
);

const paramKey = fc.tuple(fc.integer({ min: 1, max: 10 }), fc.boolean()).map(([i, upper]) => (upper ? `PARAM${i}` : `param${i}`));

/** Valid parameters: flat keys, nested under `params` as an object or an array, or both. */
const validParams: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.dictionary(paramKey, paramValue, { maxKeys: 5 }),
  fc.dictionary(paramKey, paramValue, { maxKeys: 5 }).map((params) => ({ params })),
  fc.array(paramValue, { maxLength: 10 }).map((params) => ({ params })),
);

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const withoutUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const validRunOptions = fc.record({
  truncate_flag: optional(fc.constantFrom<unknown>('N', 'n', ' N ', false, '', null)),
  max_attempts: optional(fc.constantFrom<unknown>(1, 3, '2', ' 5 ', 100, null, '')),
});

const isoDay = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const plusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function valid(world: FuzzWorld): fc.Arbitrary<FuzzCase> {
  const flow = fc.constantFrom(...world.flows);
  const immediate = fc
    .record({ mapref: flow, type: spelled('IMMEDIATE'), params: validParams, options: validRunOptions, junk: junkFields })
    .chain(({ mapref, type, params, options, junk }) =>
      payloadText({ ...junk, ...params, ...withoutUndefined(options) }).map((payload) => ({ mapref, type, payload, expect: DONE, kind: 'valid IMMEDIATE' })),
    );
  const history = fc
    .record({ mapref: flow, type: spelled('HISTORY'), start: isoDay, days: fc.integer({ min: 0, max: 2 }), pad: fc.boolean(), options: validRunOptions, junk: junkFields })
    .map(({ mapref, type, start, days, pad, options, junk }) => ({
      mapref,
      type,
      payload: JSON.stringify({ ...junk, start_date: pad ? ` ${start} ` : start, end_date: plusDays(start, days), ...withoutUndefined(options) }),
      expect: DONE,
      kind: 'valid HISTORY',
    }));
  const refresh = fc
    .record({ mapref: junkText(100).filter((m) => m.trim() !== ''), type: spelled('REFRESH_SCHEDULE'), junk: junkFields })
    .chain(({ mapref, type, junk }) => payloadText(junk).map((payload) => ({ mapref, type, payload, expect: DONE, kind: 'valid REFRESH_SCHEDULE' })));
  const stop = fc
    .record({
      type: spelled('STOP'),
      force: optional(fc.constantFrom<unknown>('Y', 'n', true, false, '')),
      target: optional(fc.oneof(junkText(40).map((id) => ({ request_id: `none-${id}`.slice(0, 64) })), fc.constant({ start_timestamp: '2026-01-01 10:00:00' }))),
      junk: junkFields,
    })
    .map(({ type, force, target, junk }) => ({
      mapref: world.idle,
      type,
      payload: JSON.stringify({ ...junk, ...withoutUndefined({ force }), ...target }),
      expect: DONE,
      kind: 'valid STOP',
    }));
  const report = fc
    .record({ type: spelled('REPORT'), format: optional(fc.constantFrom('CSV', 'xlsx', ' csv ')), params: fc.constantFrom<unknown>([], {}), junk: junkFields })
    .map(({ type, format, params, junk }) => ({
      mapref: world.idle,
      type,
      payload: JSON.stringify({ ...junk, sql_code: world.reportCode, params, ...withoutUndefined({ format }) }),
      expect: DONE,
      kind: 'valid REPORT',
    }));
  return fc.oneof({ weight: 5, arbitrary: immediate }, { weight: 2, arbitrary: history }, refresh, stop, report);
}

const VALID_TYPES = new Set(['IMMEDIATE', 'HISTORY', 'STOP', 'REPORT', 'REFRESH_SCHEDULE']);

/** A value that is not JSON text of an object. */
const notAnObject = fc.oneof(
  junkText(80).filter((s) => {
    try {
      const v = JSON.parse(s) as unknown;
      return v === null || typeof v !== 'object' || Array.isArray(v);
    } catch {
      return s.trim() !== '';
    }
  }),
  fc.constantFrom('[1,2]', '"text"', '42', 'true', 'null', '{"param1": ', '{param1: "x"}', "{'a': 1}", '{"a":1}}', '\ufeff{}'),
  fc.jsonValue().filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map((v) => JSON.stringify(v)),
);

/** A row of a valid type but a bad value in one place; `fields` name that place. */
function bad(world: FuzzWorld): fc.Arbitrary<FuzzCase> {
  const flow = fc.constantFrom(...world.flows);
  const run = fc.constantFrom('IMMEDIATE', 'HISTORY');
  // Parameters are IMMEDIATE's: a HISTORY sets PARAM1 to the day and ignores them.
  const immediate = fc.constant('IMMEDIATE');
  const runPayload = (type: string, extra: Record<string, unknown>) =>
    JSON.stringify(type === 'HISTORY' ? { start_date: '2026-03-01', end_date: '2026-03-01', ...extra } : extra);
  const cases: fc.Arbitrary<FuzzCase>[] = [
    fc
      .record({ type: junkText(30).filter((t) => !VALID_TYPES.has(t.trim().toUpperCase())), mapref: flow, payload: fc.option(notAnObject, { nil: null }) })
      .map((r) => ({ ...r, expect: failed('REQUEST_TYPE'), kind: 'bad REQUEST_TYPE' })),
    fc
      .record({ type: fc.constantFrom(...VALID_TYPES), mapref: fc.constantFrom('', ' ', '\t', '\u3000\u00a0', '\n\r') })
      .map((r) => ({ ...r, payload: null, expect: failed('MAPREF'), kind: 'blank MAPREF' })),
    fc
      .record({ type: fc.constantFrom(...VALID_TYPES), mapref: flow, payload: notAnObject })
      .map((r) => ({ ...r, expect: failed('PAYLOAD'), kind: 'PAYLOAD not an object' })),
    fc
      .record({ type: run, mapref: fc.oneof(junkText(100), fc.constant('M'.repeat(100)), fc.constant('FUZZ_A\nFUZZ_B')).filter((m) => m.trim() !== '' && !world.flows.includes(m.trim())) })
      .map((r) => ({ ...r, payload: runPayload(r.type, {}), expect: failed('MAPREF'), kind: 'unknown MAPREF' })),
    fc
      .record({ type: immediate, mapref: flow, i: fc.integer({ min: 1, max: 10 }), length: fc.integer({ min: 251, max: 20_000 }), nested: fc.boolean() })
      .map(({ type, mapref, i, length, nested }) => {
        const value = '👍x'.repeat(length);
        const params = nested ? { params: { [`param${i}`]: value } } : { [`param${i}`]: value };
        return { type, mapref, payload: runPayload(type, params), expect: failed(`param${i}`), kind: 'param too long' };
      }),
    fc
      .record({ type: immediate, mapref: flow, i: fc.integer({ min: 1, max: 10 }), value: fc.oneof(fc.boolean(), fc.array(junkValue, { maxLength: 3 }), fc.dictionary(junkText(5), junkValue, { maxKeys: 3 })) })
      .map(({ type, mapref, i, value }) => ({ type, mapref, payload: runPayload(type, { [`param${i}`]: value }), expect: failed(`param${i}`), kind: 'param of a wrong type' })),
    fc
      .record({ type: immediate, mapref: flow, depth: fc.integer({ min: 5_000, max: 50_000 }) })
      .map(({ type, mapref, depth }) => ({
        type,
        mapref,
        payload: `{"param1":${'['.repeat(depth)}${']'.repeat(depth)}}`,
        expect: failed('param1'),
        kind: 'deeply nested param',
      })),
    fc
      .record({ type: immediate, mapref: flow, i: fc.integer({ min: 1, max: 10 }), before: junkText(10) })
      .map(({ type, mapref, i, before }) => ({ type, mapref, payload: runPayload(type, { [`param${i}`]: `${before}\u0000after` }), expect: failed(`param${i}`), kind: 'NUL in a param' })),
    fc
      .record({ type: immediate, mapref: flow, params: fc.oneof(junkText(20).filter((s) => s !== ''), fc.integer(), fc.boolean(), fc.array(paramValue, { minLength: 11, maxLength: 15 })) })
      .map(({ type, mapref, params }) => ({ type, mapref, payload: runPayload(type, { params }), expect: failed('params'), kind: 'bad params' })),
    fc
      .record({ type: run, mapref: flow, flag: fc.oneof(fc.constantFrom<unknown>('X', 'yes', 'YN', 1, 0, [], {}, 'Y N'), junkText(5).filter((s) => !/^\s*[YN]?\s*$/i.test(s))) })
      .map(({ type, mapref, flag }) => ({ type, mapref, payload: runPayload(type, { truncate_flag: flag }), expect: failed('truncate_flag'), kind: 'bad truncate_flag' })),
    fc
      .record({ type: run, mapref: flow, max: fc.constantFrom<unknown>(0, 101, 1.5, -3, 'abc', [], {}, '1e3', 'NaN', [0]) })
      .map(({ type, mapref, max }) => ({ type, mapref, payload: runPayload(type, { max_attempts: max }), expect: failed('max_attempts'), kind: 'bad max_attempts' })),
    fc
      .record({
        mapref: flow,
        field: fc.constantFrom('start_date', 'end_date'),
        value: fc.oneof(fc.constantFrom<unknown>('2027-02-30', '2027-13-01', '20270101', 'yesterday', 123, {}, [], '2027-1-1', '2027-01-01T00:00:00', true), junkText(12).filter((s) => !/^\s*\d{4}-\d{2}-\d{2}\s*$/.test(s) && s.trim() !== '')),
      })
      .map(({ mapref, field, value }) => ({
        mapref,
        type: 'HISTORY',
        payload: JSON.stringify({ start_date: '2026-03-01', end_date: '2026-03-02', [field]: value }),
        expect: failed(field),
        kind: `bad ${field}`,
      })),
    fc
      .record({ mapref: flow, start: isoDay, days: fc.integer({ min: 1, max: 4000 }) })
      .map(({ mapref, start, days }) => ({
        mapref,
        type: 'HISTORY',
        payload: JSON.stringify({ start_date: start, end_date: plusDays(start, -days) }),
        expect: failed('start_date', 'end_date'),
        kind: 'dates out of order',
      })),
    // No start_date and no DWPARAMS HIST_LOAD row to fall back on: refused by the engine.
    flow.map((mapref) => ({ mapref, type: 'HISTORY', payload: JSON.stringify({ end_date: '2026-03-01' }), expect: failed('start_date'), kind: 'no start_date' })),
    ...(
      [
        ['force', fc.oneof(fc.constantFrom<unknown>(1, [], {}, 'yes', 'YY'), junkText(10).filter((s) => !/^\s*[YN]?\s*$/i.test(s)))],
        ['request_id', fc.oneof(fc.constantFrom<unknown>(1, [], {}, true), junkText(10).map((s) => `${s}x`.repeat(70)))],
        ['start_timestamp', fc.oneof(fc.constantFrom<unknown>(1, [], {}, true, 'yesterday', '2026-13-45 99:99:99', '01.03.2026 10:00'), junkText(12).filter((s) => s.trim() !== '' && !/^\s*\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(s)))],
      ] as const
    ).map(([field, value]) =>
      value.map((v) => ({ mapref: world.idle, type: 'STOP', payload: JSON.stringify({ [field]: v }), expect: failed(field), kind: `bad STOP ${field}` })),
    ),
    ...(
      [
        ['sql_code', fc.oneof(fc.constantFrom<unknown>(7, true, {}, 'NO_SUCH_CODE', 'x'.repeat(101)), junkText(10).filter((s) => s.trim() !== ''))],
        ['format', fc.oneof(fc.constantFrom<unknown>(7, true, 'PDF', 'csvx', {}), junkText(6).filter((s) => !['CSV', 'XLSX'].includes(s.trim().toUpperCase())))],
        ['file', fc.oneof(fc.constantFrom<unknown>(7, true, '../etc/passwd', 'a b.csv', '..', 'x/y', 'f'.repeat(201)), junkText(8).filter((s) => s.trim() !== '' && !/^[\w.-]+$/.test(s.trim())))],
        ['params', fc.oneof(fc.constantFrom<unknown>(7, true, 'text', [{}], { a: [1] }), junkText(8).filter((s) => s !== ''))],
      ] as const
    ).map(([field, value]) =>
      value.map((v) => ({ mapref: world.idle, type: 'REPORT', payload: JSON.stringify({ sql_code: world.reportCode, [field]: v }), expect: failed(field), kind: `bad REPORT ${field}` })),
    ),
    fc.constant({ mapref: world.idle, type: 'REPORT', payload: '{"format":"CSV"}', expect: failed('sql_code'), kind: 'REPORT without sql_code' }),
  ];
  return fc.oneof(...cases);
}

/** `count` cases, about a third of them valid, all drawn from `seed`. */
export function fuzzCases(world: FuzzWorld, count: number, seed: number): FuzzCase[] {
  const arb = fc.oneof({ weight: 1, arbitrary: valid(world) }, { weight: 2, arbitrary: bad(world) });
  return fc.sample(arb, { seed, numRuns: count }).map((c) => ({ ...c, mapref: clipCodePoints(c.mapref, 100), type: clipCodePoints(c.type, 30) }));
}

