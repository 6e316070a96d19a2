import type { BenchServer } from './server.js';
import type { Sizes } from './sizes.js';
import type { SystemName } from './system.js';

export const SCENARIOS = ['throughput', 'commit', 'latency', 'claim', 'schedule', 'memory', 'python'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** One printed table: what a scenario shows a reader. */
export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
  /** How to read it: method, caveats. */
  notes?: string[];
}

/** A goal from the issue, checked against this run's figures. */
export interface Target {
  name: string;
  goal: string;
  /** The figure as printed. */
  actual: string;
  met: boolean | null;
}

export interface ScenarioOutput<D = unknown> {
  /** Machine-readable figures (written to the JSON). */
  data: D;
  tables: Table[];
  targets: Target[];
}

export interface BenchContext {
  server: BenchServer;
  sizes: Sizes;
  /** The queues to compare (all three unless --systems narrows it while developing). */
  systems: readonly SystemName[];
  /** Drains per throughput cell (--repeat): the table shows their median and range. */
  repeat: number;
  /** Outputs of the scenarios that ran before this one (ratios across scenarios). */
  earlier: Partial<Record<ScenarioName, ScenarioOutput>>;
  progress(message: string): void;
}

export type Scenario<D = unknown> = (ctx: BenchContext) => Promise<ScenarioOutput<D>>;
