import type { Config } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import type { FlowRegistry } from '../engine/loadFlows.js';
import type { Logger } from '../observe/logger.js';
import type { ConsoleClock } from './clock.js';
import type { Fragment } from './html.js';

/** What every page reads through: the database (by observe/ and scheduler/ readers only), the zones, the flows for `why`. */
export interface ConsoleContext {
  dialect: Dialect;
  config: Config;
  clock: ConsoleClock;
  flows: FlowRegistry;
  log: Logger;
}

export interface Page {
  title: string;
  body: Fragment | Fragment[];
}
