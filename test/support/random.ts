import { randomInt } from 'node:crypto';

/**
 * mulberry32: a tiny seeded PRNG. Chaos and fuzz tests draw everything from one, so a failing
 * run is replayed by setting its printed seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `envName` when set (a replay), else a fresh one. */
export function testSeed(envName: string): number {
  const raw = process.env[envName];
  if (raw === undefined || raw === '') return randomInt(0, 2 ** 31);
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`${envName} must be an integer seed, got "${raw}"`);
  return seed;
}
