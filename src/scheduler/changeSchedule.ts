import type { Dialect } from '../db/dialects/dialect.js';
import { packageErrorMessage } from '../db/packageError.js';
import type { PackageArg, PackageEntryPoint } from '../db/packageEntryPoints.js';
import { UserError } from '../errors.js';
import { databaseNow } from './databaseNow.js';
import { initialiseSchedule, schedulesToInitialise } from './initialiseSchedule.js';

/**
 * One schedule operation, in one transaction: the package entry point does the change (the same
 * code the web UI runs, so validation and versioning exist once per database), then the current
 * row of `mapref` gets the NXT_RUN_DT the next scheduler tick would give it, so `schedule list`
 * shows it at once. A refusal of the package becomes a UserError carrying its one line.
 */
export async function changeSchedule(
  dialect: Dialect,
  zone: string,
  mapref: string,
  entry: PackageEntryPoint,
  args: readonly PackageArg[],
): Promise<unknown> {
  try {
    return await dialect.db.transaction().execute(async (trx) => {
      const result = await dialect.callPackage(trx, entry, args);
      const now = await databaseNow(dialect, trx);
      for (const row of await schedulesToInitialise(trx, zone).where('mapref', '=', mapref).execute()) {
        await initialiseSchedule(trx, row, zone, now);
      }
      return result;
    });
  } catch (error) {
    const message = packageErrorMessage(error);
    throw message === null ? error : new UserError(message);
  }
}
