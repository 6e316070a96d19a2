import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { loadConfig, validTimeZone } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import { UserError } from '../errors.js';
import { occurrences, type FrequencyRule } from '../schedule/index.js';
import { resolveBusinessZone } from '../scheduler/businessZone.js';
import { databaseNow } from '../scheduler/databaseNow.js';
import { linkDependency } from '../scheduler/linkDependency.js';
import { listSchedules } from '../scheduler/listSchedules.js';
import { readCurrentSchedule } from '../scheduler/readCurrentSchedule.js';
import { saveSchedule } from '../scheduler/saveSchedule.js';
import { viewFields, type ScheduleView } from '../scheduler/scheduleView.js';
import { setScheduleEnabled } from '../scheduler/setScheduleEnabled.js';
import { withDatabase } from './context.js';
import { formatTable, print } from './output.js';
import { addRuleOptions, hasRuleFlags, ruleInput, type RuleFlags } from './scheduleFlags.js';
import { isoIn, ruleOf, scheduleRecord, scheduleRow, scheduleSummary, withWeekday } from './scheduleOutput.js';

interface JsonOption {
  json?: boolean;
}

const MAX_PREVIEW = 1000;

/** Runs a change in the business zone, then prints the MAPREF's current schedule. */
async function changeAndShow(mapref: string, options: JsonOption, change: (dialect: Dialect, zone: string) => Promise<unknown>): Promise<void> {
  const { view, zone } = await withDatabase(async ({ config, connection }) => {
    const zone = await resolveBusinessZone(config, connection.dialect);
    await change(connection.dialect, zone);
    return { view: (await readCurrentSchedule(connection.dialect, mapref))!, zone };
  });
  print({ zone, ...scheduleRecord(view, zone) }, options, () => scheduleSummary(view, zone));
}

function previewCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PREVIEW) throw new UserError(`-n must be a whole number 1 … ${MAX_PREVIEW}, got "${text}"`, 2);
  return n;
}

/** --from: ISO 8601; without an offset it is a wall time in `zone`. */
function previewFrom(text: string, zone: string): DateTime {
  const from = DateTime.fromISO(text.trim(), { zone });
  if (!from.isValid) throw new UserError(`--from must be an ISO 8601 date or date-time such as 2027-01-01T09:00, got "${text}"`, 2);
  return from;
}

function firstOccurrences(rule: FrequencyRule, from: DateTime, count: number): DateTime[] {
  const found: DateTime[] = [];
  for (const occurrence of occurrences(rule, from)) {
    found.push(occurrence);
    if (found.length === count) break;
  }
  return found;
}

/** Why a MAPREF's rule does not fire by itself now: said on stderr, so stdout stays the list. */
function previewNote(view: ScheduleView): string | null {
  if (!view.enabled) return `note: ${view.mapref} is disabled; these are the occurrences of its rule once enabled`;
  if (view.parent) return `note: ${view.mapref} runs after ${view.parent}, not on these occurrences of its own rule`;
  return null;
}

interface NextOptions extends RuleFlags, JsonOption {
  tz?: string;
  from?: string;
  count: string;
}

/**
 * `schedule next`: a rule given by flags is previewed without any database (no withDatabase:
 * no connection, no embedded server); a MAPREF's current schedule is read from the database.
 */
async function previewNext(mapref: string | undefined, options: NextOptions): Promise<void> {
  const count = previewCount(options.count);
  let zone: string;
  let rule: FrequencyRule;
  let from: DateTime;
  if (mapref !== undefined) {
    if (hasRuleFlags(options)) throw new UserError('give either MAPREF (its current schedule, in the business zone) or the rule flags, not both', 2);
    ({ zone, rule, from } = await withDatabase(async ({ config, connection }) => {
      const zone = await resolveBusinessZone(config, connection.dialect);
      const view = await readCurrentSchedule(connection.dialect, mapref);
      if (!view) throw new UserError(`No schedule found for mapping ${mapref}.`);
      const note = previewNote(view);
      if (note) process.stderr.write(`${note}\n`);
      const from = options.from ? previewFrom(options.from, zone) : await databaseNow(connection.dialect);
      return { zone, rule: ruleOf(viewFields(view), zone), from };
    }));
  } else {
    const configured = options.tz ? validTimeZone('--tz', options.tz.trim()) : loadConfig().timeZone;
    if (!configured) throw new UserError('--tz is required to preview a rule (or set DWPRC_TIMEZONE), e.g. --tz Europe/London', 2);
    zone = configured;
    rule = ruleOf(ruleInput('(preview)', options), zone);
    from = options.from ? previewFrom(options.from, zone) : DateTime.now();
  }
  const found = firstOccurrences(rule, from, count);
  print(found.map((o) => isoIn(o, zone)), options, () => (found.length ? found.map((o) => withWeekday(o, zone)).join('\n') : '(none)'));
}

export function registerSchedule(program: Command): void {
  const schedule = program.command('schedule').description('schedules of MAPREFs (DWJOBSCH): save, enable, link, list, preview');

  addRuleOptions(
    schedule
      .command('set <mapref>')
      .description('save the schedule of MAPREF (a new version when it changed; enabled or not as before)'),
  )
    .option('--json', 'print the saved schedule as JSON')
    .action(async (mapref: string, options: RuleFlags & JsonOption) => {
      const input = ruleInput(mapref, options);
      await changeAndShow(mapref, options, (dialect, zone) => saveSchedule(dialect, input, zone));
    });

  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    schedule
      .command(`${name} <mapref>`)
      .description(enabled ? 'let the current schedule of MAPREF fire (from now on)' : 'stop the current schedule of MAPREF from firing')
      .option('--json', 'print the schedule as JSON')
      .action(async (mapref: string, options: JsonOption) => {
        await changeAndShow(mapref, options, (dialect, zone) => setScheduleEnabled(dialect, mapref, enabled, zone));
      });
  }

  schedule
    .command('depend <child>')
    .description('run CHILD after each successful run of --on PARENT instead of on its own frequency (--none: on its own again)')
    .option('--on <parent>', 'the parent MAPREF')
    .option('--none', 'remove the link')
    .option('--json', 'print the child schedule as JSON')
    .action(async (child: string, options: { on?: string; none?: boolean } & JsonOption) => {
      if ((options.on === undefined) === !options.none) throw new UserError('give either --on PARENT or --none', 2);
      await changeAndShow(child, options, (dialect, zone) => linkDependency(dialect, child, options.on ?? null, zone));
    });

  schedule
    .command('list')
    .description('current schedules: frequency, enabled, parent, next and last run (in the business zone)')
    .option('--json', 'print JSON (instants in UTC and in the zone)')
    .action(async (options: JsonOption) => {
      const list = await withDatabase(async ({ config, connection }) => listSchedules(connection.dialect, await resolveBusinessZone(config, connection.dialect)));
      print({ zone: list.zone, schedules: list.schedules.map((v) => scheduleRecord(v, list.zone)) }, options, () =>
        [`times in ${list.zone}`, formatTable(list.schedules.map((v) => scheduleRow(v, list.zone)))].join('\n'),
      );
    });

  addRuleOptions(
    schedule
      .command('next [mapref]')
      .description("preview occurrences of a rule given by flags (no database needed), or of MAPREF's current schedule"),
  )
    .option('--tz <zone>', 'IANA zone the rule is read in (default DWPRC_TIMEZONE); a MAPREF uses the business zone')
    .option('--from <iso>', 'occurrences at or after this instant, ISO 8601 (no offset: read in the zone); default now')
    .option('-n, --count <n>', 'how many occurrences', '10')
    .option('--json', 'print a JSON array of ISO 8601 instants with offsets')
    .action(previewNext);
}
