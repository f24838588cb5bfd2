"""Django's PostgreSQL backend, with its psycopg pool failing fast while PostgreSQL is down (base.py)."""
