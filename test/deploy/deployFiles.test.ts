import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadWorkerSettings } from '../../src/config.js';

/** Cheap static checks: the deployment files keep the keys that make shutdown and restarts safe. */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DEPLOY = path.join(ROOT, 'deploy');
const read = (file: string) => readFileSync(path.join(DEPLOY, file), 'utf8');
const graceMs = loadWorkerSettings({}).shutdownGraceMs;

/** An INI-style unit as section → key → every value given (keys may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const at = line.indexOf('=');
    assert.ok(current && at > 0, `not a key=value line inside a section: ${line}`);
    const key = line.slice(0, at);
    current.set(key, [...(current.get(key) ?? []), line.slice(at + 1)]);
  }
  return sections;
}

describe('deployment files', () => {
  test('systemd template: N instances, shared env file, UTC, restarts, a stop timeout above the grace, hardening', () => {
    const unit = parseUnit(read('dwprc-worker@.service'));
    const service = unit.get('Service')!;
    const one = (key: string) => {
      const values = service.get(key);
      assert.equal(values?.length, 1, `[Service] ${key} once`);
      return values![0]!;
    };
    assert.match(one('ExecStart'), /^\/usr\/bin\/node \/opt\/dwprc\/bin\/dwprc worker --id %H-%i$/);
    assert.ok(service.get('EnvironmentFile')!.includes('/etc/dwprc/dwprc.env'));
    assert.ok(service.get('Environment')!.includes('TZ=UTC'));
    assert.ok(service.get('Environment')!.includes('DWPRC_HTTP_PORT=946%i'), 'one port per instance');
    assert.equal(one('Restart'), 'always');
    assert.equal(one('KillSignal'), 'SIGTERM');
    assert.ok(Number(one('TimeoutStopSec')) * 1000 > graceMs, 'TimeoutStopSec above DWPRC_SHUTDOWN_GRACE');
    assert.equal(one('NoNewPrivileges'), 'yes');
    assert.equal(one('ProtectSystem'), 'strict');
    assert.notEqual(one('User'), 'root');
    assert.equal(unit.get('Install')!.get('WantedBy')![0], 'multi-user.target');
    // Report files must be writable under ProtectSystem=strict: inside the StateDirectory.
    assert.ok(service.get('Environment')!.includes(`DWPRC_REPORT_DIR=/var/lib/${one('StateDirectory')}/reports`));
  });

  test('Dockerfile: build stage, production-only runtime without scripts, non-root, dwprc worker entry point', () => {
    const text = read('Dockerfile');
    const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
    const froms = lines.filter((l) => l.startsWith('FROM '));
    assert.deepEqual(froms, ['FROM node:20-slim AS build', 'FROM node:20-slim AS runtime']);
    const [build, runtime] = text.split(/^FROM /m).slice(1);
    assert.match(build!, /^RUN npm ci\b/m);
    assert.match(build!, /^RUN npm run build$/m);
    assert.match(runtime!, /^RUN npm ci --omit=dev (?=.*--ignore-scripts)(?=.*--omit=optional)/m);
    assert.match(runtime!, /^COPY --from=build \/app\/dist \.\/dist$/m);
    const user = /^USER (\S+)$/m.exec(runtime!)?.[1];
    assert.ok(user && !['root', '0'].includes(user), `runtime USER is ${user}`);
    assert.match(runtime!, /TZ=UTC/);
    assert.match(runtime!, /^ENTRYPOINT \["node", "bin\/dwprc"\]$/m);
    assert.match(runtime!, /^CMD \["worker"\]$/m);
    // Every path copied from the build context exists in the repository.
    for (const line of lines.filter((l) => /^COPY (?!--from)/.test(l))) {
      for (const source of line.split(/\s+/).slice(1, -1)) assert.ok(existsSync(path.join(ROOT, source)), `${line}: ${source} missing`);
    }
    assert.match(read('Dockerfile.dockerignore'), /^node_modules$/m);
  });

  test('pm2 ecosystem file loads with require(): N fork instances, kill_timeout above the grace, UTC, a port per instance', () => {
    const require = createRequire(import.meta.url);
    const { apps } = require(path.join(DEPLOY, 'ecosystem.config.cjs')) as { apps: Record<string, unknown>[] };
    assert.equal(apps.length, 1);
    const app = apps[0]!;
    assert.ok(Number(app.instances) >= 2);
    assert.equal(app.exec_mode, 'fork');
    assert.ok(Number(app.kill_timeout) > graceMs);
    assert.equal(app.args, 'worker');
    assert.ok(existsSync(path.resolve(app.cwd as string, app.script as string)), 'script resolves to bin/dwprc');
    const env = app.env as Record<string, unknown>;
    assert.equal(env.TZ, 'UTC');
    assert.equal(app.increment_var, 'DWPRC_HTTP_PORT');
    assert.ok(Number(env.DWPRC_HTTP_PORT) > 0);
  });

  test('the Windows notes and the env example name what a replica needs', () => {
    const windows = read('windows-service.md');
    for (const word of ['DWPRC_DATABASE_URL', 'TZ', 'UTC', 'DWPRC_SHUTDOWN_GRACE', 'NSSM', 'node-windows']) assert.ok(windows.includes(word), word);
    assert.match(read('dwprc.env.example'), /^DWPRC_DATABASE_URL=/m);
    assert.doesNotMatch(read('dwprc.env.example'), /^DWPRC_HTTP_PORT=/m);
  });
});
