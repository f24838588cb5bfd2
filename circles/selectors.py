"""Read queries for circles. Permission questions live in accounts.permissions."""

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


def meetings_for_circle_calendar(*, circle: Circle) -> list[Meeting]:
    """Every meeting of the circle, cancelled ones too (calendars must learn of the cancellation)."""
    return list(circle.meetings.select_related("circle", "venue").order_by("starts_at"))


def meetings_for_person_calendar(*, user) -> list[Meeting]:
    """Every meeting of every circle the person takes part in actively, cancelled ones too."""
    return list(
        Meeting.objects.filter(
            circle__memberships__user=user,
            circle__memberships__state=MembershipState.ACTIVE,
            circle__status__in=(*VISIBLE_STATUSES, CircleStatus.FINISHED),
        )
        .select_related("circle", "venue")
        .order_by("starts_at")
        .distinct()
    )
