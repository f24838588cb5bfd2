"""PostgreSQL down: every page answers 503 with a static page instead of a 500.

The page is rendered without a request, so no context processor, session or database is
touched. A view that fails on the database is caught by `process_exception`; a 500 made
elsewhere (a middleware that writes the session, a template) is turned into the 503 when
the database does not answer at that moment. Nothing is kept between requests: Django opens
a fresh connection (CONN_HEALTH_CHECKS), so the site recovers by itself once PostgreSQL is back.
"""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.deprecation import MiddlewareMixin

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def outage_response() -> HttpResponse:
    """503 with the bilingual outage page; never cached, with a hint when to try again."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def database_answers() -> bool:
    """Does the database answer now? Inside a transaction (a test's) the answer cannot be asked: yes."""
    if connection.in_atomic_block:
        return True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        connection.close()
        return False
    return True


class DatabaseOutageMiddleware(MiddlewareMixin):
    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.error("database unavailable, answering 503: %s", exception)
            return outage_response()
        return None

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if response.status_code == 500 and not database_answers():
            logger.error("database unavailable, answering 503 instead of 500 for %s", request.path)
            return outage_response()
        return response
