import pg from 'pg';

/**
 * Cancels the statement running on backend `pid` (pg_cancel_backend). It uses a short-lived
 * connection of its own rather than the pool: the pool may be exhausted by the very work
 * being cancelled.
 */
export async function cancelBackend(pool: pg.Pool, pid: number): Promise<void> {
  const client = new pg.Client({ ...pool.options });
  await client.connect();
  try {
    await client.query('select pg_cancel_backend($1)', [pid]);
  } finally {
    await client.end();
  }
}
