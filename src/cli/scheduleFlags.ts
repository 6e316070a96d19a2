import type { Command } from 'commander';
import { UserError } from '../errors.js';
import type { ScheduleInput } from '../scheduler/saveSchedule.js';

/** The rule flags of `schedule set` and `schedule next`, as commander hands them over. */
export interface RuleFlags {
  frq?: string;
  day?: string;
  at?: string;
  hh?: string;
  mi?: string;
  every?: string;
  start?: string;
  end?: string;
}

export const RULE_FLAG_NAMES = ['frq', 'day', 'at', 'hh', 'mi', 'every', 'start', 'end'] as const satisfies readonly (keyof RuleFlags)[];

export function addRuleOptions(command: Command): Command {
  return command
    .option('--frq <code>', 'frequency: DL daily, WK weekly, FN fortnightly, MN monthly, HY half-yearly, YR yearly, ID intraday')
    .option('--day <day>', 'WK/FN: MON … SUN; MN/HY/YR: day of the month 1 … 31 (a shorter month runs on its last day)')
    .option('--at <HH:MI>', 'time of day, e.g. 09:30 (ID: only the minute counts, every hour)')
    .option('--hh <hour>', 'hour 0 … 23 (instead of --at)')
    .option('--mi <minute>', 'minute 0 … 59 (instead of --at; ID alone: every hour at this minute)')
    .option('--every <minutes>', 'ID only: every N minutes (1 … 59) from the start; stored as FRQHH -1, FRQMI N')
    .option('--start <date>', 'first day, YYYY-MM-DD (not in the past)')
    .option('--end <date>', 'last day, YYYY-MM-DD, inclusive');
}

const usage = (message: string) => new UserError(message, 2);

/** Hour and minute text as entered (the package or the engine validates the values). */
function time(flags: RuleFlags, code: string | null): { frqhh: string | null; frqmi: string | null } {
  if (flags.every !== undefined) {
    if (flags.at !== undefined || flags.hh !== undefined || flags.mi !== undefined) throw usage('--every replaces --at, --hh and --mi');
    if (code !== 'ID') throw usage('--every is for --frq ID (every N minutes)');
    return { frqhh: '-1', frqmi: flags.every.trim() };
  }
  if (flags.at !== undefined) {
    if (flags.hh !== undefined || flags.mi !== undefined) throw usage('give either --at HH:MI or --hh and --mi, not both');
    const m = /^(\d{1,2}):(\d{1,2})$/.exec(flags.at.trim());
    if (!m) throw usage(`--at must be HH:MI, e.g. 09:30; got "${flags.at}"`);
    return { frqhh: m[1]!, frqmi: m[2]! };
  }
  // Intraday ignores the hour; the package still wants one, so "every hour at :MI" needs only --mi.
  const hour = flags.hh?.trim() ?? (code === 'ID' && flags.mi !== undefined ? '00' : null);
  return { frqhh: hour, frqmi: flags.mi?.trim() ?? null };
}

/**
 * The DWJOBSCH fields the flags describe. Codes and weekdays are upper-cased (stored as the UI
 * stores them); values are not checked here: the package (`set`) or the engine (`next`) refuses
 * them with the messages of COMPAT.md.
 */
export function ruleInput(mapref: string, flags: RuleFlags): ScheduleInput {
  const code = flags.frq?.trim().toUpperCase() || null;
  return {
    mapref,
    frqcd: code,
    frqdd: flags.day?.trim().toUpperCase() || null,
    ...time(flags, code),
    strtdt: flags.start?.trim() || null,
    enddt: flags.end?.trim() || null,
  };
}

/** Whether any rule flag was given (`schedule next` takes either a MAPREF or the flags). */
export function hasRuleFlags(flags: RuleFlags & { tz?: string }): boolean {
  return [...RULE_FLAG_NAMES, 'tz' as const].some((name) => flags[name] !== undefined);
}
