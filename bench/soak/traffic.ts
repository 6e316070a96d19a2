import { sql } from 'kysely';
import type { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { sleep } from '../lib/clock.js';
import { DWLOGIC_MAPREFS, TS_MAPREFS } from './flows.js';
import { pick } from './random.js';

const ALL_MAPREFS = [...TS_MAPREFS, ...DWLOGIC_MAPREFS];

/**
 * Schedules the UI would have saved: every minute for a dozen MAPREFs, and three of them parents
 * of a dependency child (inserted as rows, without NXT_RUN_DT, as the UI writes them).
 */
export async function insertSoakSchedules(dialect: PostgresDialect, startDay: Date): Promise<void> {
  await sql`insert into dwjobsch (jobschid, mapref, frqcd, frqhh, frqmi, strtdt, stflg, curflg, schflg, reccrdt, recupdt)
            select g, m, 'ID', '-1', '01', ${startDay}, 'A', 'Y', 'Y', localtimestamp, localtimestamp
              from unnest(${ALL_MAPREFS.slice(0, 12)}::text[]) with ordinality as u(m, g)`.execute(dialect.db);
  await sql`insert into dwjobsch (jobschid, mapref, frqcd, frqhh, frqmi, strtdt, stflg, curflg, schflg, dpnd_jobschid, reccrdt, recupdt)
            select 100 + g, m, 'DL', '0', '0', ${startDay}, 'A', 'Y', 'Y', g, localtimestamp, localtimestamp
              from unnest(${ALL_MAPREFS.slice(12, 15)}::text[]) with ordinality as u(m, g)`.execute(dialect.db);
}

/** Schedules off, as at the end of a soak: the queue can settle. */
export async function disableSchedules(dialect: PostgresDialect): Promise<void> {
  await sql`update dwjobsch set schflg = 'N'`.execute(dialect.db);
}

export interface Traffic {
  /** Ids of every request the traffic inserted. */
  inserted: string[];
  counts: Record<'immediate' | 'history' | 'stop', number>;
  stop(): Promise<void>;
}

/**
 * Ad-hoc requests as the UI writes them (plain INSERTs), about `perSecond` a second: mostly
 * IMMEDIATE (PARAM1 = the request's own id, so its runs can be traced), some HISTORY over two
 * days, and STOPs (a quarter forced) for MAPREFs that are running.
 */
export function startTraffic(dialect: PostgresDialect, random: () => number, perSecond: number): Traffic {
  const inserted: string[] = [];
  const counts = { immediate: 0, history: 0, stop: 0 };
  let running = true;
  let n = 0;
  const insert = async (id: string, mapref: string, type: string, payload: object) => {
    await sql`insert into dwprcreq (request_id, mapref, request_type, payload) values (${id}, ${mapref}, ${type}, ${JSON.stringify(payload)})`.execute(dialect.db);
    inserted.push(id);
  };
  const loop = (async () => {
    while (running) {
      n += 1;
      const roll = random();
      if (roll < 0.04) {
        const { rows } = await sql<{ m: string }>`
          select mapref as m from dwprcreq where status = 'CLAIMED' and request_type in ('IMMEDIATE', 'HISTORY')`.execute(dialect.db);
        if (rows.length) {
          await insert(`X${n}`, pick(random, rows).m, 'STOP', { force: random() < 0.25 ? 'Y' : 'N' });
          counts.stop += 1;
        }
      } else if (roll < 0.07) {
        await insert(`H${n}`, pick(random, TS_MAPREFS), 'HISTORY', { start_date: '2026-01-01', end_date: '2026-01-02' });
        counts.history += 1;
      } else {
        await insert(`A${n}`, pick(random, ALL_MAPREFS), 'IMMEDIATE', { param1: `A${n}` });
        counts.immediate += 1;
      }
      await sleep((2 * random() * 1000) / perSecond);
    }
  })();
  return {
    inserted,
    counts,
    async stop() {
      running = false;
      await loop;
    },
  };
}
