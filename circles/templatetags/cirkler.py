from django import template
from django.utils.safestring import mark_safe

from circles.forms import CircleFilterForm
from circles.markdown import render_markdown
from circles.models import SDG, Circle
from circles.partials import catalogue_filter_fields, circle_card

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    return mark_safe(render_markdown(text or ""))  # noqa: S308  (sanitized by nh3)


@register.inclusion_tag("circles/_sdg_badge.html")
def sdg_badge(sdg: SDG) -> dict:
    return {"sdg": sdg}


@register.simple_tag(name="circle_card")
def circle_card_tag(circle: Circle) -> str:
    """The circle's card (circles/_card.html), rendered once per state of the circle in this process."""
    return circle_card(circle)


@register.simple_tag(name="catalogue_filter_fields")
def catalogue_filter_fields_tag(form: CircleFilterForm) -> str:
    """The catalogue's filter fields (circles/_filter_fields.html), rendered once per state of the form in this process."""
    return catalogue_filter_fields(form)
