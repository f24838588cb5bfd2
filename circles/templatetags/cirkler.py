from django import template
from django.utils.safestring import mark_safe

from circles.markdown import render_markdown
from circles.models import SDG

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    return mark_safe(render_markdown(text or ""))  # noqa: S308  (sanitized by nh3)


@register.inclusion_tag("circles/_sdg_badge.html")
def sdg_badge(sdg: SDG) -> dict:
    return {"sdg": sdg}
