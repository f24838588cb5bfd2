"""Read queries and permission questions for circles."""

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from .models import SDG, Circle, CircleStatus, Meeting, Membership, MembershipRole, MembershipState

VISIBLE_STATUSES = (CircleStatus.OPEN, CircleStatus.RUNNING)


def _with_card_data(circles: QuerySet[Circle]) -> QuerySet[Circle]:
    """What a circle card shows, in a constant number of queries: SDGs, place, next meeting, seats."""
    now = timezone.now()
    next_meeting = Meeting.objects.filter(circle=OuterRef("pk"), cancelled=False, starts_at__gte=now).order_by(
        "starts_at"
    )
    return (
        circles.select_related("host_library__municipality", "venue")
        .prefetch_related(Prefetch("sdgs", queryset=SDG.objects.order_by("number")))
        .annotate(
            next_meeting_at=Subquery(next_meeting.values("starts_at")[:1]),
            active_members=Count(
                "memberships",
                filter=Q(memberships__state=MembershipState.ACTIVE, memberships__role=MembershipRole.MEMBER),
            ),
        )
    )


def circle_list_upcoming(*, limit: int = 6) -> list[Circle]:
    """Open and running circles, the ones meeting soonest first."""
    circles = _with_card_data(Circle.objects.filter(status__in=VISIBLE_STATUSES))
    return list(circles.order_by(F("next_meeting_at").asc(nulls_last=True), "title")[:limit])


def circle_get_public(*, slug: str) -> Circle:
    """A circle that anyone may look at, with what its page shows."""
    circle = _with_card_data(Circle.objects.filter(status__in=VISIBLE_STATUSES)).get(slug=slug)
    circle.upcoming_meetings = list(
        circle.meetings.filter(starts_at__gte=timezone.now(), cancelled=False).select_related("venue")[:5]
    )
    circle.facilitators = [
        membership.user
        for membership in circle.memberships.filter(
            role=MembershipRole.FACILITATOR, state=MembershipState.ACTIVE
        ).select_related("user")
    ]
    return circle


def membership_of(user, circle: Circle) -> Membership | None:
    """The person's membership of the circle, whatever its state."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(circle=circle, user=user).first()


def user_may_manage_circle(user, circle: Circle) -> bool:
    """Facilitators of the circle and staff of its host library run it."""
    from libraries.selectors import user_is_library_staff

    if not user.is_authenticated:
        return False
    if user_is_library_staff(user, circle.host_library):
        return True
    return Membership.objects.filter(
        circle=circle, user=user, role=MembershipRole.FACILITATOR, state=MembershipState.ACTIVE
    ).exists()
