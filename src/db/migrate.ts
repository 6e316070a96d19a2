import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Dialect, MigrationFile } from './dialects/dialect.js';
import type { Database } from './schema.js';
import { compareWithContract, CONTRACT } from './contract.js';
import { DRIFT_TABLES, schemaDrift } from './schemaDrift.js';
import { objectName, renameObjectsInSql } from './tableNames.js';

/** `sql/` at the package root, next to `src/` and `dist/`. */
export const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'sql');

const FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** The numbered files of `sql/<dialect>/`, in order, with the table prefix applied. */
export async function migrationFiles(dialect: Dialect['name'], tablePrefix: string, dir = SQL_DIR): Promise<MigrationFile[]> {
  const folder = path.join(dir, dialect);
  const names = (await readdir(folder)).filter((f) => FILE.test(f)).sort();
  return Promise.all(
    names.map(async (file) => {
      const [, version, name] = FILE.exec(file)!;
      const text = await readFile(path.join(folder, file), 'utf8');
      return { version: Number(version), name: name!, text: renameObjectsInSql(text, tablePrefix) };
    }),
  );
}

/** The version table's statements (exported to pin their Oracle SQL). */
export function appliedVersionsQuery(db: Kysely<Database>) {
  return db.selectFrom('dwprcver').select('version');
}

export function recordVersionStatement(db: Kysely<Database>, file: Pick<MigrationFile, 'version' | 'name'>) {
  return db.insertInto('dwprcver').values({ version: file.version, name: file.name });
}

export async function appliedVersions(dialect: Dialect): Promise<Set<number>> {
  const rows = await appliedVersionsQuery(dialect.db).execute();
  return new Set(rows.map((r) => Number(r.version)));
}

export interface MigrationResult {
  applied: { version: number; name: string }[];
  current: number;
  /** What an existing schema does differently and adding could not fix, one line each. */
  unreconciled: string[];
}

/** The drift of the schema as it now stands (db/schemaDrift.ts), and contract columns still missing. */
export async function unreconciledDrift(dialect: Dialect, tablePrefix: string): Promise<string[]> {
  const tables = await dialect.describeTables([...new Set([...Object.keys(CONTRACT), ...DRIFT_TABLES])]);
  const missing = compareWithContract(tables);
  return [
    ...missing.missingTables.map((t) => `${objectName(t.toLowerCase(), tablePrefix).toUpperCase()} is missing`),
    ...missing.missingColumns.map((c) => `${c} is missing`),
    ...schemaDrift(tables, tablePrefix),
  ];
}

/**
 * Applies every file not yet recorded in the version table, in order, each once. Safe to run
 * from several replicas at once (the dialect serialises the runs) and a no-op when current.
 */
export async function migrate(dialect: Dialect, tablePrefix: string): Promise<MigrationResult> {
  const files = await migrationFiles(dialect.name, tablePrefix);
  return dialect.withMigrationLock(async () => {
    await dialect.ensureVersionTable();
    const done = await appliedVersions(dialect);
    const applied: MigrationResult['applied'] = [];
    for (const file of files) {
      if (done.has(file.version)) continue;
      await dialect.applyMigration(file, async (db) => {
        await recordVersionStatement(db, file).execute();
      });
      applied.push({ version: file.version, name: file.name });
    }
    return { applied, current: files.at(-1)?.version ?? 0, unreconciled: await unreconciledDrift(dialect, tablePrefix) };
  });
}

/** Latest version in `sql/<dialect>/` and the latest applied one: `doctor` compares them. */
export async function schemaVersion(dialect: Dialect, tablePrefix: string): Promise<{ expected: number; applied: number | null }> {
  const files = await migrationFiles(dialect.name, tablePrefix);
  const expected = files.at(-1)?.version ?? 0;
  try {
    const done = await appliedVersions(dialect);
    return { expected, applied: done.size ? Math.max(...done) : 0 };
  } catch {
    return { expected, applied: null };
  }
}
