import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig, parseDuration } from '../../src/config.js';

describe('configuration of the operations endpoints', () => {
  test('DWPRC_HTTP_PORT: off by default, a port 1–65535 otherwise', () => {
    assert.equal(loadConfig({}).httpPort, null);
    assert.equal(loadConfig({ DWPRC_HTTP_PORT: ' 9464 ' }).httpPort, 9464);
    for (const bad of ['0', '65536', '80a', '-1', '1.5']) {
      assert.throws(() => loadConfig({ DWPRC_HTTP_PORT: bad }), new RegExp(`^UserError: DWPRC_HTTP_PORT must be a port number from 1 to 65535, got "${bad}"$`));
    }
  });

  test('DWPRC_ALERT_WEBHOOK: an http(s) URL; a bad one is refused without echoing it', () => {
    assert.equal(loadConfig({}).alertWebhook, null);
    assert.equal(loadConfig({ DWPRC_ALERT_WEBHOOK: 'https://hooks.example/T0/secret' }).alertWebhook, 'https://hooks.example/T0/secret');
    assert.throws(() => loadConfig({ DWPRC_ALERT_WEBHOOK: 'hooks.example/secret-token' }), (e: Error) => {
      assert.equal(e.message, 'DWPRC_ALERT_WEBHOOK must be an http:// or https:// URL');
      return true;
    });
    assert.throws(() => loadConfig({ DWPRC_ALERT_WEBHOOK: 'ftp://u:secret-token@h/x' }), (e: Error) => {
      assert.equal(e.message, 'DWPRC_ALERT_WEBHOOK must be an http:// or https:// URL, got a ftp:// URL');
      return true;
    });
  });

  test('durations in days for retention', () => {
    assert.equal(parseDuration('--older-than', '30d'), 30 * 86_400_000);
    assert.equal(parseDuration('--older-than', '12h'), 12 * 3_600_000);
  });
});
