/**
 * The entry points of the compatibility package that dwprc itself calls: PKGDWPRC on Oracle
 * (sql/oracle/031_pkgdwprc.sql), schema pkgdwprc on PostgreSQL (sql/postgres/031_…). The web UI
 * calls the same ones, so each operation has one implementation per database. Only names listed
 * here reach SQL text; parameters are the package's own, in its order (a test compares them).
 */
export const PACKAGE_ENTRY_POINTS = {
  create_job_schedule: { params: ['p_mapref', 'p_frqcd', 'p_frqdd', 'p_frqhh', 'p_frqmi', 'p_strtdt', 'p_enddt'], returns: 'number' },
  enable_disable_schedule: { params: ['p_mapref', 'p_action'], returns: null },
  create_job_dependency: { params: ['p_parent_mapref', 'p_child_mapref'], returns: null },
} as const satisfies Record<string, { params: readonly string[]; returns: 'number' | null }>;

export type PackageEntryPoint = keyof typeof PACKAGE_ENTRY_POINTS;

/** Values the entry points take: text, numbers, and wall-clock Dates (UTC fields = stored fields). */
export type PackageArg = string | number | Date | null;

/**
 * The entry point's definition, after checking the name against the list and the number of
 * arguments against its parameters: a mistake here is a bug in dwprc, not user input.
 */
export function packageEntryPoint(entry: PackageEntryPoint, args: readonly PackageArg[]) {
  if (!Object.hasOwn(PACKAGE_ENTRY_POINTS, entry)) throw new Error(`not a package entry point dwprc calls: ${String(entry)}`);
  const definition = PACKAGE_ENTRY_POINTS[entry];
  if (args.length !== definition.params.length) {
    throw new Error(`${entry} takes ${definition.params.length} arguments (${definition.params.join(', ')}), got ${args.length}`);
  }
  return definition;
}
