import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { isoDateIn, usableZone } from '../../src/engine/zoneDay.js';

/** The reference: a fresh Luxon DateTime for every instant, no memory of the last day. */
const reference = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toISODate();

const HOUR = 3_600_000;
// DST in both directions, a fixed offset, a zone that skipped a whole day (Apia, 2011-12-30),
// one whose DST change fell at midnight (São Paulo before 2019), a half-hour offset, UTC.
const ZONES = ['Europe/Berlin', 'America/New_York', 'UTC+05:30', 'Pacific/Apia', 'America/Sao_Paulo', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'];

describe('isoDateIn', () => {
  it('agrees with a fresh Luxon date at every 7 minutes over days with DST changes, skipped days and midnight changes', () => {
    const spans = [
      ['2011-12-27', '2012-01-02'], // Apia skipped 2011-12-30
      ['2018-10-31', '2018-11-06'], // São Paulo: midnight → 01:00 on 2018-11-04
      ['2019-02-14', '2019-02-19'], // São Paulo: back at midnight
      ['2026-03-27', '2026-04-06'], // Berlin and Lord Howe (half-hour DST)
      ['2026-10-23', '2026-11-03'], // both directions again
    ];
    let checked = 0;
    for (const [from, to] of spans) {
      const start = DateTime.fromISO(`${from}T00:00:00Z`).toMillis();
      const end = DateTime.fromISO(`${to}T00:00:00Z`).toMillis();
      // The zones take turns at each instant, so every call may find another zone's day remembered.
      for (let ms = start; ms <= end; ms += 7 * 60_000) {
        for (const zone of ZONES) {
          assert.equal(isoDateIn(new Date(ms), zone), reference(ms, zone), `${zone} at ${new Date(ms).toISOString()}`);
          checked += 1;
        }
      }
    }
    assert.ok(checked > 50_000);
  });

  it('is right at the last and first millisecond of a day, and going back in time', () => {
    const zone = 'Europe/Berlin';
    const midnight = DateTime.fromISO('2026-03-29T00:00:00', { zone }).toMillis(); // the day clocks go forward
    for (const ms of [midnight - 1, midnight, midnight + 23 * HOUR - 1, midnight + 23 * HOUR, midnight - 1, midnight - 25 * HOUR]) {
      assert.equal(isoDateIn(new Date(ms), zone), reference(ms, zone), new Date(ms).toISOString());
    }
  });

  it('refuses a zone Luxon cannot use, naming it, every time', () => {
    for (let i = 0; i < 2; i++) {
      assert.throws(() => isoDateIn(new Date(), 'Mars/Olympus'), { message: 'business time zone "Mars/Olympus" is not usable' });
      assert.throws(() => usableZone('Mars/Olympus'), { message: 'business time zone "Mars/Olympus" is not usable' });
    }
    assert.equal(usableZone('Asia/Tokyo'), 'Asia/Tokyo');
  });

  it('stays right past the number of zones it remembers', () => {
    const zones = Array.from({ length: 40 }, (_, i) => `UTC${i % 2 ? '+' : '-'}${String(i % 14).padStart(2, '0')}:00`);
    const ms = DateTime.fromISO('2026-12-06T23:30:00Z').toMillis();
    for (let round = 0; round < 2; round++) for (const zone of zones) assert.equal(isoDateIn(new Date(ms), zone), reference(ms, zone), zone);
  });
});
