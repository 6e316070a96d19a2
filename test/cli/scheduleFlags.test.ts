import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasRuleFlags, ruleInput } from '../../src/cli/scheduleFlags.js';
import { describeFrequency } from '../../src/schedule/index.js';
import { UserError } from '../../src/errors.js';

/** The flags of `schedule set/next` → DWJOBSCH fields, as text the package then validates. */
describe('schedule rule flags', () => {
  const fields = (flags: Parameters<typeof ruleInput>[1]) => {
    const { frqcd, frqdd, frqhh, frqmi, strtdt, enddt } = ruleInput('M', flags);
    return [frqcd, frqdd, frqhh, frqmi, strtdt, enddt];
  };
  const usage = (flags: Parameters<typeof ruleInput>[1], message: string) =>
    assert.throws(() => ruleInput('M', flags), (e: unknown) => e instanceof UserError && e.exitCode === 2 && e.message === message);

  test('--at splits into hour and minute as typed; codes and weekdays are upper-cased', () => {
    assert.deepEqual(fields({ frq: 'wk', day: 'mon', at: '09:30', start: '2027-01-04', end: '2027-12-31' }), ['WK', 'MON', '09', '30', '2027-01-04', '2027-12-31']);
    assert.deepEqual(fields({ frq: 'DL', at: '9:5', start: '2027-01-04' }), ['DL', null, '9', '5', '2027-01-04', null]);
    assert.deepEqual(fields({ frq: 'MN', day: '031', hh: '01', mi: '30' }), ['MN', '031', '01', '30', null, null]);
  });

  test('intraday: --every N is FRQHH -1 / FRQMI N; --mi alone is "every hour at :MI" (the hour is ignored, stored 00)', () => {
    assert.deepEqual(fields({ frq: 'id', every: '15' }), ['ID', null, '-1', '15', null, null]);
    assert.deepEqual(fields({ frq: 'ID', mi: '05' }), ['ID', null, '00', '05', null, null]);
    assert.deepEqual(fields({ frq: 'DL', mi: '05' }), ['DL', null, null, '05', null, null], 'outside ID a missing hour is the package\'s refusal');
  });

  test('values are not judged here (the package or the engine refuses them with COMPAT.md\'s message)', () => {
    assert.deepEqual(fields({ frq: 'XX', at: '25:61' }), ['XX', null, '25', '61', null, null]);
    assert.deepEqual(fields({}), [null, null, null, null, null, null]);
  });

  test('flag misuse is a usage error (exit 2)', () => {
    usage({ frq: 'ID', every: '5', mi: '3' }, '--every replaces --at, --hh and --mi');
    usage({ frq: 'DL', every: '5' }, '--every is for --frq ID (every N minutes)');
    usage({ frq: 'DL', at: '09:30', hh: '9' }, 'give either --at HH:MI or --hh and --mi, not both');
    usage({ frq: 'DL', at: '0930' }, '--at must be HH:MI, e.g. 09:30; got "0930"');
  });

  test('hasRuleFlags sees any rule flag or --tz', () => {
    assert.equal(hasRuleFlags({}), false);
    assert.equal(hasRuleFlags({ end: '2027-01-01' }), true);
    assert.equal(hasRuleFlags({ tz: 'UTC' }), true);
  });

  test('frequencies as the list shows them', () => {
    assert.equal(describeFrequency({ frqcd: 'WK', frqdd: 'MON', frqhh: '9', frqmi: '30' }), 'WK MON 09:30');
    assert.equal(describeFrequency({ frqcd: 'DL', frqdd: 'ABC', frqhh: '00', frqmi: '00' }), 'DL 00:00');
    assert.equal(describeFrequency({ frqcd: 'MN', frqdd: '31', frqhh: '01', frqmi: '30' }), 'MN 31 01:30');
    assert.equal(describeFrequency({ frqcd: 'ID', frqdd: null, frqhh: '-1', frqmi: '15' }), 'ID every 15 min');
    assert.equal(describeFrequency({ frqcd: 'ID', frqdd: null, frqhh: '07', frqmi: '5' }), 'ID hourly at :05');
  });
});
