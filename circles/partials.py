"""Circle partials rendered once per process for each state of what they show: the circle card
(home page, catalogue) and the catalogue's filter fields."""

from django.utils.safestring import SafeString

from config.partials import RenderedPartials

from .forms import CircleFilterForm
from .models import Circle

CARD_TEMPLATE = "circles/_card.html"
FILTER_FIELDS_TEMPLATE = "circles/_filter_fields.html"

_cards = RenderedPartials(CARD_TEMPLATE, size=2048)
_filter_fields = RenderedPartials(FILTER_FIELDS_TEMPLATE, size=256)


def _shown(circle: Circle) -> tuple:
    """What circles/_card.html shows of the circle (selectors._with_card_data loads it)."""
    return (
        circle.pk,
        circle.slug,
        circle.title,
        circle.kind,
        circle.audience,
        circle.format,
        tuple((sdg.number, sdg.name_da, sdg.name_en) for sdg in circle.sdgs.all()),
        circle.next_meeting_at,
        None if circle.venue is None else circle.venue.name,
        circle.host_library.name,
        circle.seats_left,
    )


def circle_card(circle: Circle) -> SafeString:
    """circles/_card.html for the circle."""
    return _cards.render(_shown(circle), {"circle": circle})


def catalogue_filter_fields(form: CircleFilterForm) -> SafeString:
    """circles/_filter_fields.html for the catalogue's filter form (validated already)."""
    return _filter_fields.render(form.rendering_key(), {"form": form})
