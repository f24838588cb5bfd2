"""Shared materials on other pages: a circle's materials on its page, adopted materials on a library's page."""

from django import template
from django.contrib.auth.models import AnonymousUser

from accounts.permissions import may_manage_circle
from circles.models import Circle
from libraries.models import Library
from resources.models import ResourceAdoption, Visibility
from resources.selectors import circle_resources

register = template.Library()


def _person(context: template.Context):
    request = context.get("request")
    return getattr(request, "user", None) or AnonymousUser()


@register.inclusion_tag("resources/_circle_materials.html", takes_context=True)
def circle_materials(context: template.Context, circle: Circle, may_manage: bool | None = None) -> dict:
    """The circle's materials the person may see, and for those who run it a link to share more.

    `may_manage`: may_manage_circle's answer when the page has it already (asked here otherwise).
    """
    person = _person(context)
    return {
        "circle": circle,
        "resources": circle_resources(user=person, circle=circle),
        "may_share": may_manage_circle(person, circle) if may_manage is None else may_manage,
    }


@register.inclusion_tag("resources/_library_adopted.html")
def library_adopted_materials(library: Library) -> dict:
    """Materials of other libraries that this library uses, credited to the library that made them (public ones)."""
    adoptions = (
        ResourceAdoption.objects.filter(library=library, resource__visibility=Visibility.PUBLIC)
        .select_related("resource__owner_library")
        .order_by("resource__title")
    )
    return {"adoptions": list(adoptions)}
