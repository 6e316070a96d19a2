import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRequest } from '../../src/queue/parseRequest.js';
import type { ClaimedRow } from '../../src/queue/request.js';

const row = (over: Partial<ClaimedRow>): ClaimedRow => ({
  requestId: 'r1', mapref: 'M1', requestType: 'IMMEDIATE', payload: null, attempts: 1, prcid: null, stopRequested: 'N', ...over,
});

function reason(over: Partial<ClaimedRow>): string {
  const r = parseRequest(row(over));
  assert.equal(r.ok, false, 'expected a refusal');
  return (r as { reason: string }).reason;
}

function parsed(over: Partial<ClaimedRow>) {
  const r = parseRequest(row(over));
  if (!r.ok) assert.fail(r.reason);
  return r.request;
}

describe('parseRequest', () => {
  test('request type is trimmed and case-insensitive; unknown types name the accepted values', () => {
    assert.equal(parsed({ requestType: '  immediate ' }).type, 'IMMEDIATE');
    assert.equal(parsed({ requestType: 'Refresh_Schedule' }).type, 'REFRESH_SCHEDULE');
    assert.equal(reason({ requestType: 'RUN' }), 'REQUEST_TYPE must be one of IMMEDIATE, HISTORY, STOP, REPORT, REFRESH_SCHEDULE; got "RUN"');
    assert.match(reason({ requestType: null }), /^REQUEST_TYPE must be one of .*; got ""$/);
  });

  test('payload: absent or empty is {}, otherwise a JSON object', () => {
    assert.deepEqual(parsed({ payload: null }).payload, {});
    assert.deepEqual(parsed({ payload: '  ' }).payload, {});
    assert.match(reason({ payload: '{bad' }), /^PAYLOAD must be a JSON object: /);
    assert.equal(reason({ payload: '[1,2]' }), 'PAYLOAD must be a JSON object, got "[1,2]"');
    assert.equal(reason({ payload: 'null' }), 'PAYLOAD must be a JSON object, got "null"');
  });

  test('MAPREF must be present and at most 100 characters', () => {
    assert.equal(reason({ mapref: null }), 'MAPREF must be provided');
    assert.equal(reason({ mapref: '   ' }), 'MAPREF must be provided');
    assert.equal(reason({ mapref: 'x'.repeat(101) }), 'MAPREF must be at most 100 characters, got 101');
    assert.equal(parsed({ mapref: '  M1 ' }).mapref, 'M1');
  });

  test('IMMEDIATE params flat, nested, as an array, numbers as text; at most 250 characters', () => {
    const flat = parsed({ payload: JSON.stringify({ param1: 'a', param3: 7, truncate_flag: 'y' }) });
    assert.ok(flat.type === 'IMMEDIATE');
    assert.deepEqual(flat.params.slice(0, 3), ['a', null, '7']);
    assert.equal(flat.truncate, true);
    const nested = parsed({ payload: JSON.stringify({ params: { param2: 'b', PARAM10: 'z' } }) });
    assert.ok(nested.type === 'IMMEDIATE');
    assert.deepEqual([nested.params[1], nested.params[9]], ['b', 'z']);
    const array = parsed({ payload: JSON.stringify({ params: ['x', 'y'] }) });
    assert.ok(array.type === 'IMMEDIATE');
    assert.deepEqual(array.params.slice(0, 3), ['x', 'y', null]);
    assert.equal(reason({ payload: JSON.stringify({ param4: 'x'.repeat(251) }) }), 'param4 must be at most 250 characters, got 251');
    assert.equal(reason({ payload: JSON.stringify({ param1: { a: 1 } }) }), 'param1 must be text or a number, got "{"a":1}"');
    assert.equal(reason({ payload: JSON.stringify({ truncate_flag: 'X' }) }), 'truncate_flag must be Y or N, got "X"');
    assert.equal(reason({ payload: JSON.stringify({ max_attempts: 0 }) }), 'max_attempts must be a whole number from 1 to 100, got "0"');
  });

  test('HISTORY dates are YYYY-MM-DD calendar dates in order', () => {
    const h = parsed({ requestType: 'HISTORY', payload: JSON.stringify({ start_date: '2027-02-01', end_date: '2027-02-28' }) });
    assert.ok(h.type === 'HISTORY');
    assert.deepEqual([h.startDate, h.endDate], ['2027-02-01', '2027-02-28']);
    assert.equal(reason({ requestType: 'HISTORY', payload: JSON.stringify({ start_date: '2027-02-30' }) }), 'start_date must be a date YYYY-MM-DD, got "2027-02-30"');
    assert.equal(reason({ requestType: 'HISTORY', payload: JSON.stringify({ end_date: '01-02-2027' }) }), 'end_date must be a date YYYY-MM-DD, got "01-02-2027"');
    assert.equal(
      reason({ requestType: 'HISTORY', payload: JSON.stringify({ start_date: '2027-03-02', end_date: '2027-03-01' }) }),
      'start_date must not be after end_date (2027-03-02 > 2027-03-01)',
    );
    const open = parsed({ requestType: 'HISTORY', payload: null });
    assert.ok(open.type === 'HISTORY');
    assert.deepEqual([open.startDate, open.endDate], [null, null]);
  });

  test('STOP and REPORT payloads', () => {
    const stop = parsed({ requestType: 'STOP', payload: JSON.stringify({ force: 'Y', request_id: 'abc' }) });
    assert.ok(stop.type === 'STOP');
    assert.deepEqual([stop.force, stop.targetRequestId], [true, 'abc']);
    const report = parsed({ requestType: 'REPORT', payload: JSON.stringify({ sql_code: 'SALES', format: 'xlsx', params: [1] }) });
    assert.ok(report.type === 'REPORT');
    assert.deepEqual([report.sqlCode, report.format, report.params], ['SALES', 'XLSX', [1]]);
    assert.equal(reason({ requestType: 'REPORT', payload: '{}' }), 'sql_code must be provided (a DWMAPRSQL code)');
    assert.equal(reason({ requestType: 'REPORT', payload: JSON.stringify({ sql_code: 'S', format: 'PDF' }) }), 'format must be CSV or XLSX, got "PDF"');
    assert.match(reason({ requestType: 'REPORT', payload: JSON.stringify({ sql_code: 'S', file: '../etc/passwd' }) }), /^file must be a plain file name/);
  });

  test('firings keep where they came from', () => {
    const r = parsed({ payload: JSON.stringify({ source: 'schedule', jobschid: 12, scheduled_for: '2027-01-01T09:30:00Z' }) });
    assert.ok(r.type === 'IMMEDIATE');
    assert.deepEqual(r.firing, { source: 'schedule', jobschid: 12, scheduledFor: '2027-01-01T09:30:00Z' });
  });

  test('garbage never throws and every reason is one printable line naming its field', () => {
    const deep = `{"param1":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    assert.equal(reason({ payload: deep }), 'param1 must be text or a number, got "[...]"');
    assert.equal(reason({ requestType: 'RUN\nNOW\u2028\u0007' }), 'REQUEST_TYPE must be one of IMMEDIATE, HISTORY, STOP, REPORT, REFRESH_SCHEDULE; got "RUN\\u000aNOW\\u2028\\u0007"');
    const json = reason({ payload: '{\n"a": x\n}' });
    assert.match(json, /^PAYLOAD must be a JSON object: /);
    assert.doesNotMatch(json, /[\u0000-\u001f]/);
    assert.equal(reason({ payload: JSON.stringify({ param2: 'a\u0000b' }) }), 'param2 must not contain the NUL character (U+0000)');
    assert.equal(reason({ requestType: '😀'.repeat(70) }), `REQUEST_TYPE must be one of IMMEDIATE, HISTORY, STOP, REPORT, REFRESH_SCHEDULE; got "${'😀'.repeat(57)}..."`, 'cut between characters');
  });

  test('MAPREF length counts characters as the column does (an emoji is one)', () => {
    assert.equal(parsed({ mapref: '😀'.repeat(100) }).mapref, '😀'.repeat(100));
    assert.equal(reason({ mapref: '\u3000\u00a0' }), 'MAPREF must be provided');
  });

  test('only ASCII blanks pad REQUEST_TYPE and MAPREF, exactly as the claim SQL strips them', () => {
    const r = parsed({ requestType: '\t history\r\n', mapref: '\f M1 \u000b', payload: '{}' });
    assert.deepEqual([r.type, r.mapref], ['HISTORY', 'M1']);
    assert.equal(parsed({ mapref: '\u00a0M1' }).mapref, '\u00a0M1', 'a no-break space is part of the MAPREF');
    assert.match(reason({ requestType: '\u00a0IMMEDIATE' }), /^REQUEST_TYPE must be one of/);
    assert.match(reason({ requestType: 'ımmedıate' }), /^REQUEST_TYPE must be one of/, 'only ASCII letters fold case');
  });

  test('STOP start_timestamp is a time YYYY-MM-DD HH:MM:SS', () => {
    const stop = parsed({ requestType: 'STOP', payload: JSON.stringify({ start_timestamp: '2026-05-06T07:08:09.123' }) });
    assert.ok(stop.type === 'STOP');
    assert.equal(stop.startTimestamp, '2026-05-06 07:08:09');
    for (const bad of ['yesterday', '2026-13-45 99:99:99', '06.05.2026 07:08:09', '2026-05-06']) {
      assert.equal(reason({ requestType: 'STOP', payload: JSON.stringify({ start_timestamp: bad }) }), `start_timestamp must be a time YYYY-MM-DD HH:MM:SS, got "${bad}"`);
    }
  });
});
