"""Django's PostgreSQL backend, used when DATABASE_POOL_MAX_SIZE turns on its psycopg pool.

While PostgreSQL is down, the pool makes every getconn() wait its whole timeout for a
connection it cannot make, and one request asks several times (the session, the user, the
error page): a person would wait minutes for the 503 page. After one such wait this backend
asks PostgreSQL directly before waiting on the pool again: refused at once while it is down,
and once it answers, the pool (which checks each connection before lending it,
CONN_HEALTH_CHECKS) is used again. Nothing else changes.
"""

import threading

from django.db.backends.postgresql import base
from psycopg_pool import PoolTimeout


class DatabaseWrapper(base.DatabaseWrapper):
    # Shared by every thread of the process, like the pool itself.
    pool_failed = threading.Event()

    def get_new_connection(self, conn_params):
        if self.pool is not None and self.pool_failed.is_set():
            # Raises while PostgreSQL is down; Django turns it into its OperationalError.
            self.Database.connect(**conn_params).close()
            self.pool_failed.clear()
        try:
            return super().get_new_connection(conn_params)
        except PoolTimeout:
            self.pool_failed.set()
            raise
