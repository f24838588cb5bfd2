"""pytest plugin loaded before Django (`-p config.testing` in pyproject.toml).

The settings refuse to start without a secret key when debug is off, and pytest-django
imports them before any conftest.py runs, so the test environment is set here. The
tests run Django with DEBUG off at request time either way (pytest-django sees to that).
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
