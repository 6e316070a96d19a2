// pm2: N dwprc workers on this host against one database.
//   pm2 start deploy/ecosystem.config.cjs && pm2 save
// Put DWPRC_DATABASE_URL and the other settings in the environment pm2 is started from, or in
// `env` below (keep secrets out of version control: DWPRC_DATABASE_PASSWORD_FILE).
const path = require('node:path');

/** DWPRC_SHUTDOWN_GRACE in ms; pm2 must wait longer than this before it sends SIGKILL. */
const SHUTDOWN_GRACE_MS = 30_000;

module.exports = {
  apps: [
    {
      name: 'dwprc-worker',
      cwd: path.resolve(__dirname, '..'),
      // Run bin/dwprc as its own program (shebang), not inside pm2's require()-based wrapper:
      // dwprc is an ES module.
      script: './bin/dwprc',
      interpreter: 'none',
      args: 'worker',
      exec_mode: 'fork',
      instances: 4,
      // pm2 sends SIGINT, waits kill_timeout, then SIGKILL: leave time to finish or hand back runs.
      kill_timeout: SHUTDOWN_GRACE_MS + 15_000,
      autorestart: true,
      exp_backoff_restart_delay: 1000,
      // Each instance gets its own health/metrics port: 9461, 9462, …
      increment_var: 'DWPRC_HTTP_PORT',
      env: {
        NODE_ENV: 'production',
        TZ: 'UTC',
        DWPRC_HTTP_PORT: 9461,
        DWPRC_SHUTDOWN_GRACE: `${SHUTDOWN_GRACE_MS}ms`,
        DWPRC_CONCURRENCY: 4,
      },
    },
  ],
};
