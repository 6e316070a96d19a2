import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { scrubSecrets } from '../src/observe/logger.js';

describe('configuration', () => {
  test('no DWPRC_DATABASE_URL means the embedded database under ./.dwprc', () => {
    const c = loadConfig({}, '/srv/app');
    assert.deepEqual(c.database, { kind: 'embedded', home: '/srv/app/.dwprc' });
    assert.equal(c.tablePrefix, 'DW');
    assert.equal(c.schema, null);
    assert.equal(c.reportDir, '/srv/app/reports');
    assert.equal(c.flowsDir, null);
  });

  test('DWPRC_REPORT_DIR is resolved against the working directory', () => {
    assert.equal(loadConfig({ DWPRC_REPORT_DIR: 'out/rpt' }, '/srv/app').reportDir, '/srv/app/out/rpt');
    assert.equal(loadConfig({ DWPRC_REPORT_DIR: '/data/reports' }, '/srv/app').reportDir, '/data/reports');
  });

  test('DWPRC_FLOWS_DIR is resolved against the working directory', () => {
    assert.equal(loadConfig({ DWPRC_FLOWS_DIR: 'flows' }, '/srv/app').flowsDir, '/srv/app/flows');
    assert.equal(loadConfig({ DWPRC_FLOWS_DIR: '/opt/flows' }, '/srv/app').flowsDir, '/opt/flows');
  });

  test('oracle:// URLs become user, password and connect string', () => {
    const c = loadConfig({ DWPRC_DATABASE_URL: 'oracle://dw_user:s%40cret@db.example:1522/DWPDB' });
    assert.deepEqual(c.database, { kind: 'oracle', user: 'dw_user', password: 's@cret', connectString: 'db.example:1522/DWPDB' });
  });

  test('the Oracle password may come from DWPRC_DATABASE_PASSWORD or a file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dwprc-cfg-'));
    const file = path.join(dir, 'pw');
    writeFileSync(file, 'from-file\n');
    const a = loadConfig({ DWPRC_DATABASE_URL: 'oracle://u@h/S', DWPRC_DATABASE_PASSWORD: 'from-env' });
    const b = loadConfig({ DWPRC_DATABASE_URL: 'oracle://u@h/S', DWPRC_DATABASE_PASSWORD_FILE: file });
    assert.equal(a.database.kind === 'oracle' && a.database.password, 'from-env');
    assert.equal(b.database.kind === 'oracle' && b.database.password, 'from-file');
    assert.equal(b.database.kind === 'oracle' && b.database.connectString, 'h:1521/S');
    assert.throws(() => loadConfig({ DWPRC_DATABASE_URL: 'oracle://u@h/S' }), /no password/);
  });

  test('DWPRC_ORACLE_ALERTS: off unless set to 1 (or true/yes/on); anything else is refused', () => {
    assert.equal(loadConfig({}).oracleAlerts, false);
    assert.equal(loadConfig({ DWPRC_ORACLE_ALERTS: '0' }).oracleAlerts, false);
    assert.equal(loadConfig({ DWPRC_ORACLE_ALERTS: '1' }).oracleAlerts, true);
    assert.equal(loadConfig({ DWPRC_ORACLE_ALERTS: ' Yes ' }).oracleAlerts, true);
    assert.throws(() => loadConfig({ DWPRC_ORACLE_ALERTS: '2' }), /^UserError: DWPRC_ORACLE_ALERTS must be 1 \(on\) or 0 \(off\), got "2"$/);
  });

  test('bad values fail with one line naming the variable and what is accepted', () => {
    assert.throws(() => loadConfig({ DWPRC_DATABASE_URL: 'mysql://x' }), /^UserError: DWPRC_DATABASE_URL must start with postgres:\/\/, postgresql:\/\/ or oracle:\/\/$/);
    assert.throws(() => loadConfig({ DWPRC_SCHEMA: 'dw; drop table x' }), /DWPRC_SCHEMA must be a plain identifier/);
    assert.throws(() => loadConfig({ DWPRC_TABLE_PREFIX: '1DW' }), /DWPRC_TABLE_PREFIX must be a plain identifier/);
    assert.throws(() => loadConfig({ DWPRC_TIMEZONE: 'Mars/Base' }), /DWPRC_TIMEZONE must be an IANA time zone/);
    assert.throws(() => loadConfig({ DWPRC_POOL_MAX: '0' }), /DWPRC_POOL_MAX must be a whole number ≥ 1, got "0"/);
  });

  test('secrets in URLs are scrubbed from messages', () => {
    assert.equal(scrubSecrets('connect postgres://admin:hunter2@db:5432/x failed'), 'connect postgres://admin:***@db:5432/x failed');
  });
});
