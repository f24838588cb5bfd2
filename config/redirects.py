"""Where a form goes after it is saved: back to the page it came from, never off the site."""

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_to_next(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """To the `next` address the form posted when it is a path on this site, else to `fallback`.

    Only a path ("/...") counts, and it goes out as it is: Django's `redirect()` would read a
    bare word such as "0" as a view name and fail with a 500.
    """
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(next_url)
    return HttpResponseRedirect(fallback)
