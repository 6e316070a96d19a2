import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/schema.js';

/**
 * Records, at commit, the synchronous_commit each commit that writes `table` obeys: a deferred
 * constraint trigger runs just before the commit, with the transaction's settings in effect.
 * `label` names the rows.
 */
export async function recordCommitModes(db: Kysely<Database>, label: string, table: string, event: 'insert' | 'update'): Promise<void> {
  await sql.raw(`
    create table if not exists commit_modes (what text, mode text);
    create or replace function record_commit_mode() returns trigger language plpgsql as $$
      begin insert into commit_modes values (tg_argv[0], current_setting('synchronous_commit')); return null; end $$;
    create constraint trigger ${label.replace(/\W/g, '_')}_mode after ${event} on ${table} deferrable initially deferred
      for each row execute function record_commit_mode('${label}');`).execute(db);
}

/** [label, synchronous_commit] of every commit recorded, by label. */
export async function commitModes(db: Kysely<Database>): Promise<[string, string][]> {
  const { rows } = await sql<{ what: string; mode: string }>`select what, mode from commit_modes order by what, mode`.execute(db);
  return rows.map((r) => [r.what, r.mode]);
}
