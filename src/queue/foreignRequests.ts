import { type Expression, type RawBuilder, sql, type SqlBool } from 'kysely';
import { UserError } from '../errors.js';
import { requestTypeKey, unpadded } from './padding.js';

/**
 * Requests that belong to another service beside dwprc (the DMS tool's file-upload and report
 * services): never claimed, never updated. A row is foreign when its REQUEST_TYPE is a rule's
 * type, its MAPREF starts with the rule's prefix (when the rule has one), and its payload
 * carries no `sql_code` (a REPORT with `sql_code` is dwprc's own contract, whoever wrote it).
 */
export interface ForeignRule {
  /** REQUEST_TYPE, upper case, compared unpadded as the parser reads it. */
  type: string;
  /** MAPREF must start with this (case-sensitive); null = any MAPREF. */
  maprefPrefix: string | null;
}

/** The tool's FILE_UPLOAD rows (MAPREF FLUPLD:<ref>) and its report module's REPORT:<id> rows. */
export const DEFAULT_FOREIGN_REQUESTS = 'FILE_UPLOAD,REPORT=REPORT:';

const TYPE = /^[A-Z][A-Z0-9_]{0,29}$/;
const MAX_RULES = 20;

/** DWPRC_FOREIGN_REQUESTS: `TYPE` or `TYPE=MAPREF_PREFIX`, comma-separated; `none` = no row is foreign. */
export function parseForeignRequests(field: string, raw: string | undefined): ForeignRule[] {
  const text = raw === undefined || raw.trim() === '' ? DEFAULT_FOREIGN_REQUESTS : raw.trim();
  if (text.toLowerCase() === 'none') return [];
  const rules = text.split(',').map((entry) => {
    const at = entry.indexOf('=');
    const type = (at < 0 ? entry : entry.slice(0, at)).trim().toUpperCase();
    const prefix = at < 0 ? null : entry.slice(at + 1).trim();
    if (!TYPE.test(type)) {
      throw new UserError(`${field}: "${entry.trim()}" is not TYPE or TYPE=MAPREF_PREFIX (TYPE: a REQUEST_TYPE such as FILE_UPLOAD; or "none")`);
    }
    if (prefix !== null && (prefix === '' || prefix.length > 100)) {
      throw new UserError(`${field}: the MAPREF prefix of "${entry.trim()}" must be 1 to 100 characters`);
    }
    return { type, maprefPrefix: prefix };
  });
  if (rules.length > MAX_RULES) throw new UserError(`${field}: at most ${MAX_RULES} entries, got ${rules.length}`);
  return rules;
}

export const DEFAULT_FOREIGN_RULES: readonly ForeignRule[] = parseForeignRequests('DWPRC_FOREIGN_REQUESTS', undefined);

/** The rules as they are written in the setting (for logs and doctor). */
export function foreignRulesText(rules: readonly ForeignRule[]): string {
  return rules.length ? rules.map((r) => (r.maprefPrefix === null ? r.type : `${r.type}=${r.maprefPrefix}`)).join(',') : 'none';
}

/** The same decision in TypeScript, for rows already read (and the exhaustive tests). */
export function isForeignRequest(rules: readonly ForeignRule[], row: { requestType: string | null; mapref: string | null; payload: string | null }): boolean {
  if (row.payload?.includes('"sql_code"')) return false;
  const type = requestTypeKey(row.requestType);
  const mapref = unpadded(row.mapref);
  return rules.some((r) => r.type === type && (r.maprefPrefix === null || mapref.startsWith(r.maprefPrefix)));
}

/** A request row's columns as the claim compares them: type upper-cased and both unpadded (see queue/padding.ts). */
export interface RequestKeys {
  type: Expression<string>;
  mapref: Expression<string>;
  payload: Expression<string | null>;
}

/**
 * The rules as one SQL condition that is never NULL (TRUE = foreign). Each dialect passes its
 * own unpadding expressions; the claim adds `NOT` to it, `status` and `doctor` count with it.
 * Every value is a bind; the prefix is compared with SUBSTR, so `_` and `%` in it are literal.
 */
export function foreignRequestCondition(rules: readonly ForeignRule[], keys: RequestKeys): RawBuilder<SqlBool> {
  if (rules.length === 0) return sql<SqlBool>`(1 = 0)`;
  const matches = rules.map((r) =>
    r.maprefPrefix === null
      ? sql`${keys.type} = ${r.type}`
      : sql`(${keys.type} = ${r.type} and substr(${keys.mapref}, 1, ${r.maprefPrefix.length}) = ${r.maprefPrefix})`,
  );
  // LIKE works on a CLOB on Oracle and on text here. Its `_` matches any one character: no
  // other key is spelled like sql_code, and an ESCAPE clause would need a literal in the text.
  const noSqlCode = sql`(${keys.payload} is null or ${keys.payload} not like ${'%"sql_code"%'})`;
  return sql<SqlBool>`(case when (${sql.join(matches, sql` or `)}) and ${noSqlCode} then 1 else 0 end = 1)`;
}
