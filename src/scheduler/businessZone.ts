import { IANAZone } from 'luxon';
import type { Config } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import { UserError } from '../errors.js';

/** '+02:00' (what Oracle may report) → 'Etc/GMT-2' (IANA spells fixed offsets with the sign flipped). */
function offsetToIana(offset: string): string | null {
  const m = /^([+-])(\d{2}):00$/.exec(offset.trim());
  if (!m) return null;
  const hours = Number(m[2]);
  if (hours === 0) return 'UTC';
  return `Etc/GMT${m[1] === '+' ? '-' : '+'}${hours}`;
}

/**
 * The zone schedules are computed in: DWPRC_TIMEZONE, else the database session's zone.
 * Resolved once per worker; schedule arithmetic must not change zone mid-flight.
 */
export async function resolveBusinessZone(config: Config, dialect: Dialect): Promise<string> {
  if (config.timeZone) return config.timeZone;
  const session = await dialect.sessionTimeZone();
  const zone = IANAZone.isValidZone(session) ? session : offsetToIana(session);
  if (!zone) throw new UserError(`the database session time zone "${session}" is not an IANA zone; set DWPRC_TIMEZONE (e.g. Europe/London)`);
  return zone;
}
