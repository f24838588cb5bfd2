"""The actions block of a project group's page, with the status forms for those who may change them."""

from django import template
from django.contrib.auth.models import AnonymousUser
from django.utils.text import capfirst

from accounts.permissions import may_edit_project_actions
from circles.models import ActionStatus, Circle
from circles.selectors import project_actions_for_circle

register = template.Library()


@register.inclusion_tag("circles/_project_actions.html", takes_context=True)
def project_actions(context: template.Context, circle: Circle) -> dict:
    request = context.get("request")
    person = getattr(request, "user", None) or AnonymousUser()
    return {
        "circle": circle,
        "actions": project_actions_for_circle(circle=circle),
        "may_edit": may_edit_project_actions(person, circle),
        "statuses": [(value, capfirst(label)) for value, label in ActionStatus.choices],
        "csrf_token": context.get("csrf_token"),
    }
