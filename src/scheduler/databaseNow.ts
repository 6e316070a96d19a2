import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';

/** "Now" by the database clock, the only clock schedules use (DESIGN.md, Clock). */
export async function databaseNow(dialect: Dialect, db: Kysely<Database> = dialect.db): Promise<DateTime> {
  return DateTime.fromJSDate(await dialect.selectValue(dialect.utcNow(), db), { zone: 'utc' });
}
