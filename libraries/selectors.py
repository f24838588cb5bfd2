"""Read queries for libraries. Permission questions live in accounts.permissions."""

from dataclasses import dataclass

from django.db.models import Prefetch

from circles.models import SDG, Circle
from circles.selectors import VISIBLE_STATUSES, project_groups_of_library
from resources.models import Resource, Visibility

from .models import ActionPlanArea, Initiative, Library


@dataclass(frozen=True)
class ActionPlanPart:
    """One of the three parts of an action plan, with its initiatives in order."""

    area: ActionPlanArea
    initiatives: list[Initiative]

    @property
    def label(self) -> str:
        return self.area.label


def library_get_public(*, slug: str) -> Library:
    """A library with everything its public page shows, in a constant number of queries.

    Adds `visible_circles`, `public_resources`, `action_plan` (the parts that have
    initiatives, in the certification model's order), `commitment_list` and `project_groups` (the project
    groups it hosts or is a partner in, each with its `open_actions`).
    """
    library = (
        Library.objects.select_related("municipality")
        .prefetch_related(
            "venues",
            Prefetch(
                "hosted_circles",
                queryset=Circle.objects.filter(status__in=VISIBLE_STATUSES),
                to_attr="visible_circles",
            ),
            Prefetch(
                "resources",
                queryset=Resource.objects.filter(visibility=Visibility.PUBLIC).order_by("title"),
                to_attr="public_resources",
            ),
            Prefetch(
                "initiatives",
                queryset=Initiative.objects.prefetch_related(Prefetch("sdgs", queryset=SDG.objects.order_by("number"))),
                to_attr="initiative_list",
            ),
            Prefetch("commitments", to_attr="commitment_list"),
        )
        .get(slug=slug)
    )
    library.action_plan = action_plan_parts(library.initiative_list)
    library.project_groups = project_groups_of_library(library=library)
    return library


def action_plan_parts(initiatives: list[Initiative]) -> list[ActionPlanPart]:
    """Initiatives grouped by the part of the plan they belong to; parts without initiatives are left out."""
    parts = []
    for area in ActionPlanArea:
        in_area = [initiative for initiative in initiatives if initiative.area == area]
        if in_area:
            parts.append(ActionPlanPart(area=area, initiatives=in_area))
    return parts
