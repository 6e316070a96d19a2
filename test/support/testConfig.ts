import { loadConfig, type Config } from '../../src/config.js';

/** A Config for in-process workers in tests: short leases and polls, the given overrides. */
export function testConfig(url: string, worker: Partial<Config['worker']> = {}): Config {
  const config = loadConfig({ DWPRC_DATABASE_URL: url });
  return { ...config, worker: { ...config.worker, pollMs: 200, leaseMs: 3000, retryBaseMs: 50, shutdownGraceMs: 2000, ...worker } };
}
