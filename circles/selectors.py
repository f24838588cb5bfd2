"""Read queries for circles. Permission questions live in accounts.permissions."""

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractIsoWeekDay
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.permissions import may_manage_circle
from libraries.models import Library, Municipality, Venue

from .models import (
    SDG,
    ActionStatus,
    Attendance,
    Circle,
    CircleKind,
    CircleStatus,
    Feedback,
    Meeting,
    Membership,
    MembershipRole,
    MembershipState,
    ProjectAction,
)

VISIBLE_STATUSES = (CircleStatus.OPEN, CircleStatus.RUNNING)
# A finished circle is no longer listed, but its page stays: members look back and give feedback.
PAGE_STATUSES = (*VISIBLE_STATUSES, CircleStatus.FINISHED)


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
    circle = _with_card_data(Circle.objects.filter(status__in=PAGE_STATUSES)).get(slug=slug)
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
            circle__status__in=PAGE_STATUSES,
        )
        .select_related("circle", "venue")
        .order_by("starts_at")
        .distinct()
    )


def waitlist_position(membership: Membership) -> int | None:
    """1 for the next person to get a seat; None when not on the waiting list."""
    if membership.state != MembershipState.WAITLISTED:
        return None
    ahead = Membership.objects.filter(circle_id=membership.circle_id, state=MembershipState.WAITLISTED).filter(
        Q(state_changed_at__lt=membership.state_changed_at)
        | Q(state_changed_at=membership.state_changed_at, pk__lt=membership.pk)
    )
    return ahead.count() + 1


def membership_overview(*, user, circle: Circle) -> dict:
    """What the circle page needs to know about the person: their membership, place in line, rights."""
    membership = membership_of(user, circle)
    is_active = membership is not None and membership.state == MembershipState.ACTIVE
    may_manage = may_manage_circle(user, circle)
    return {
        "membership": membership,
        "is_active_member": is_active,
        "waitlist_position": waitlist_position(membership) if membership else None,
        "may_manage": may_manage,
        "members": list(
            circle.memberships.filter(state=MembershipState.ACTIVE)
            .select_related("user")
            .order_by("-role", "user__display_name")
        )
        if is_active or may_manage
        else [],
    }


def members_for_management(*, circle: Circle) -> dict[str, list[Membership]]:
    """The circle's people grouped for the facilitator: requests, waiting list (in order) and members."""
    memberships = circle.memberships.select_related("user").order_by("state_changed_at", "pk")
    grouped: dict[str, list[Membership]] = {"pending": [], "waitlisted": [], "active": [], "banned": []}
    for membership in memberships:
        if membership.state in grouped:
            grouped[membership.state].append(membership)
    return grouped


def _unread_messages(user):
    """Per membership: messages in the circle's room past the person's read state, not their own, not deleted."""
    from chat.models import Message, ReadState

    last_read = ReadState.objects.filter(room__circle_id=OuterRef(OuterRef("circle_id")), user=user).values(
        "last_read_seq"
    )[:1]
    unread = (
        Message.objects.filter(room__circle_id=OuterRef("circle_id"), deleted_at__isnull=True)
        .filter(seq__gt=Coalesce(Subquery(last_read), Value(0), output_field=BigIntegerField()))
        .exclude(author=user)
        .order_by()
        .values("room_id")
        .annotate(count=Count("pk"))
        .values("count")[:1]
    )
    return Coalesce(Subquery(unread), Value(0), output_field=BigIntegerField())


def my_page(*, user) -> dict:
    """My circles (with my place in them), my next meetings and the requests I should answer."""
    from libraries.models import LibraryStaff

    memberships = list(
        Membership.objects.filter(
            user=user, state__in=(MembershipState.ACTIVE, MembershipState.PENDING, MembershipState.WAITLISTED)
        )
        .select_related("circle__host_library", "circle__venue")
        .annotate(unread=_unread_messages(user))
        .order_by("circle__title")
    )
    for membership in memberships:
        membership.position = waitlist_position(membership)
    active_circle_ids = [
        membership.circle_id for membership in memberships if membership.state == MembershipState.ACTIVE
    ]
    next_meetings = list(
        Meeting.objects.filter(circle_id__in=active_circle_ids, starts_at__gte=timezone.now(), cancelled=False)
        .select_related("circle", "venue")
        .order_by("starts_at")[:10]
    )
    facilitated = Membership.objects.filter(
        user=user, role=MembershipRole.FACILITATOR, state=MembershipState.ACTIVE
    ).values("circle_id")
    staffed_libraries = LibraryStaff.objects.filter(user=user).values("library_id")
    requests = list(
        Membership.objects.filter(state=MembershipState.PENDING)
        .filter(Q(circle_id__in=facilitated) | Q(circle__host_library_id__in=staffed_libraries))
        .select_related("user", "circle")
        .order_by("state_changed_at")
    )
    return {"memberships": memberships, "next_meetings": next_meetings, "requests": requests}


CATALOGUE_PAGE_SIZE = 20
COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")


def _catalogue_filter(circles: QuerySet[Circle], filters: dict) -> QuerySet[Circle]:
    """Narrow circles by the catalogue's filters; each one left empty or missing is ignored."""
    if filters.get("sdg"):
        circles = circles.filter(
            Exists(Circle.sdgs.through.objects.filter(circle=OuterRef("pk"), sdg__in=filters["sdg"]))
        )
    # Project groups span municipalities: a partner library counts as much as the host.
    if filters.get("municipality"):
        municipality = filters["municipality"]
        circles = circles.filter(
            Q(host_library__municipality=municipality)
            | Exists(
                Circle.partner_libraries.through.objects.filter(
                    circle=OuterRef("pk"), library__municipality=municipality
                )
            )
        )
    if filters.get("library"):
        library = filters["library"]
        circles = circles.filter(
            Q(host_library=library)
            | Exists(Circle.partner_libraries.through.objects.filter(circle=OuterRef("pk"), library=library))
        )
    for field in ("format", "audience", "language", "kind"):
        if filters.get(field):
            circles = circles.filter(**{field: filters[field]})
    if filters.get("weekday"):
        meetings_on_weekday = (
            Meeting.objects.filter(circle=OuterRef("pk"), cancelled=False, starts_at__gte=timezone.now())
            .annotate(local_weekday=ExtractIsoWeekDay("starts_at", tzinfo=COPENHAGEN))
            .filter(local_weekday=filters["weekday"])
        )
        circles = circles.filter(Exists(meetings_on_weekday))
    return circles


def _text_search(circles: QuerySet[Circle], words: str) -> QuerySet[Circle]:
    """Circles matching the words, annotated with `search_rank` (higher is better).

    PostgreSQL: full-text search with the Danish configuration, title above description.
    Elsewhere: every word must appear in the title or the description; title hits rank higher.
    """
    if connections[circles.db].vendor == "postgresql":
        vector = SearchVector("title", weight="A", config="danish") + SearchVector(
            "description", weight="B", config="danish"
        )
        query = SearchQuery(words, config="danish", search_type="websearch")
        return circles.alias(search=vector).filter(search=query).annotate(search_rank=SearchRank(vector, query))
    terms = words.split()
    for term in terms:
        circles = circles.filter(Q(title__icontains=term) | Q(description__icontains=term))
    title_hits = [Case(When(title__icontains=term, then=Value(1)), default=Value(0)) for term in terms]
    return circles.annotate(search_rank=sum(title_hits[1:], start=title_hits[0]))


def circle_search(*, filters: dict, page: int) -> Page:
    """Open and running circles matching the catalogue's filters, 20 to a page: best text match, then soonest.

    `filters` holds what `CircleFilterForm.filters()` returns: q, sdg (numbers), municipality, library,
    format, audience, language, weekday (ISO, 1 is Monday), kind, free_seats; a missing key means "any".
    An out-of-range page gives the last page.
    """
    circles = _catalogue_filter(Circle.objects.filter(status__in=VISIBLE_STATUSES), filters)
    circles = _with_card_data(circles)
    if filters.get("free_seats"):
        circles = circles.filter(Q(capacity__isnull=True) | Q(active_members__lt=F("capacity")))
    ordering = [F("next_meeting_at").asc(nulls_last=True), "title", "pk"]
    words = (filters.get("q") or "").strip()
    if words:
        circles = _text_search(circles, words)
        ordering.insert(0, F("search_rank").desc())
    return Paginator(circles.order_by(*ordering), CATALOGUE_PAGE_SIZE).get_page(page)


def _has_visible_circles(prefix: str = "") -> Q:
    return Q(**{f"{prefix}hosted_circles__status__in": VISIBLE_STATUSES}) | Q(
        **{f"{prefix}partner_circles__status__in": VISIBLE_STATUSES}
    )


def municipalities_with_visible_circles() -> QuerySet[Municipality]:
    """Municipalities where a library hosts or partners an open or running circle: the catalogue's choices."""
    return Municipality.objects.filter(_has_visible_circles("libraries__")).distinct().order_by("name")


def libraries_with_visible_circles() -> QuerySet[Library]:
    """Libraries that host or partner an open or running circle: the catalogue's choices."""
    return Library.objects.filter(_has_visible_circles()).distinct().order_by("name")


def _open_actions_first(actions: QuerySet[ProjectAction]) -> QuerySet[ProjectAction]:
    """Open actions before done ones; within each, the soonest due first and those without a date last."""
    done_last = Case(When(status=ActionStatus.DONE, then=Value(1)), default=Value(0))
    return actions.select_related("owner", "sdg").order_by(done_last, F("due_on").asc(nulls_last=True), "pk")


def project_actions_for_circle(*, circle: Circle) -> list[ProjectAction]:
    """A project group's actions with their owner and goal, open ones first."""
    return list(_open_actions_first(ProjectAction.objects.filter(circle=circle)))


def project_groups_of_library(*, library: Library) -> list[Circle]:
    """Open and running project groups the library hosts or is a partner in, each with its `open_actions`.

    Two queries whatever the number of groups and actions.
    """
    open_actions = _open_actions_first(ProjectAction.objects.exclude(status=ActionStatus.DONE))
    is_partner = Circle.partner_libraries.through.objects.filter(circle=OuterRef("pk"), library=library)
    return list(
        Circle.objects.filter(kind=CircleKind.PROJECT_GROUP, status__in=VISIBLE_STATUSES)
        .filter(Q(host_library=library) | Exists(is_partner))
        .prefetch_related(Prefetch("actions", queryset=open_actions, to_attr="open_actions"))
        .order_by("title")
    )


# Running a circle: the libraries one may start it at, its meetings and people, attendance, feedback.

RATING_CHOICES = [
    (1, gettext_lazy("Not good")),
    (2, gettext_lazy("Not so good")),
    (3, gettext_lazy("All right")),
    (4, gettext_lazy("Good")),
    (5, gettext_lazy("Very good")),
]


@dataclass(frozen=True)
class RatingCount:
    rating: int
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class FeedbackSummary:
    """Feedback summed up without names: how many, the average, how the ratings spread, the comments."""

    count: int
    average: float | None
    distribution: list[RatingCount]
    comments: list[str]


@dataclass(frozen=True)
class MeetingFeedback:
    meeting: Meeting
    summary: FeedbackSummary


def libraries_for_new_circle(*, user) -> list[Library]:
    """The libraries where the person may start a circle: where they are staff (every library for superusers)."""
    if not user.is_authenticated:
        return []
    libraries = Library.objects.select_related("municipality").order_by("name")
    if user.is_superuser:
        return list(libraries)
    return list(libraries.filter(staff__user=user).distinct())


def circle_for_running(*, slug: str) -> Circle:
    """A circle in any state, for the pages of those who run it."""
    return Circle.objects.select_related("host_library", "venue").get(slug=slug)


def meeting_of_circle(*, circle: Circle, pk: int) -> Meeting:
    """One meeting of the circle (a meeting of another circle is not found)."""
    meeting = Meeting.objects.select_related("venue").get(circle=circle, pk=pk)
    meeting.circle = circle
    return meeting


def meetings_for_planning(*, circle: Circle) -> list[Meeting]:
    """Every meeting of the circle, cancelled ones too, in time order."""
    return list(circle.meetings.select_related("venue").order_by("starts_at"))


def venues_for_meetings(*, circle: Circle) -> QuerySet[Venue]:
    """Where the circle's meetings can be: the meeting places of its host and partner libraries."""
    return (
        Venue.objects.filter(Q(library_id=circle.host_library_id) | Q(library__partner_circles=circle))
        .select_related("library")
        .distinct()
        .order_by("library__name", "name")
    )


def facilitators_of(*, circle: Circle) -> list[Membership]:
    """The circle's facilitators, by name."""
    return list(
        circle.memberships.filter(role=MembershipRole.FACILITATOR)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )


def active_members_of(*, circle: Circle) -> list[Membership]:
    """The circle's active members (not its facilitators), by name: the attendance list."""
    return list(
        circle.memberships.filter(role=MembershipRole.MEMBER, state=MembershipState.ACTIVE)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )


def attendance_of(*, meeting: Meeting) -> dict:
    """Who was recorded as present, and how many were on the list, or `recorded` False when nobody took it."""
    rows = list(Attendance.objects.filter(meeting=meeting).values_list("user_id", "present"))
    present = {user_id for user_id, was_there in rows if was_there}
    return {"recorded": bool(rows), "present_ids": present, "present": len(present), "listed": len(rows)}


def summarise_feedback(ratings_and_comments: Iterable[tuple[int, str]]) -> FeedbackSummary:
    """Count, average, spread and comments of some feedback. Comments are sorted, so their order says nothing of who."""
    rows = list(ratings_and_comments)
    count = len(rows)
    per_rating = {rating: 0 for rating, _label in RATING_CHOICES}
    for rating, _comment in rows:
        per_rating[rating] += 1
    return FeedbackSummary(
        count=count,
        average=round(sum(rating for rating, _comment in rows) / count, 1) if count else None,
        distribution=[
            RatingCount(rating, label, per_rating[rating], round(100 * per_rating[rating] / count) if count else 0)
            for rating, label in reversed(RATING_CHOICES)
        ],
        comments=sorted(comment for _rating, comment in rows if comment.strip()),
    )


def feedback_for_meeting(*, meeting: Meeting) -> FeedbackSummary:
    return summarise_feedback(Feedback.objects.filter(meeting=meeting).values_list("rating", "comment"))


def feedback_for_circle(*, circle: Circle) -> tuple[FeedbackSummary, list[MeetingFeedback]]:
    """The circle's feedback summed up in all, and per meeting that has taken place (or has feedback), in two queries."""
    rows = list(Feedback.objects.filter(meeting__circle=circle).values_list("meeting_id", "rating", "comment"))
    with_feedback = {meeting_id for meeting_id, _rating, _comment in rows}
    meetings = circle.meetings.filter(
        Q(starts_at__lte=timezone.now(), cancelled=False) | Q(pk__in=with_feedback)
    ).order_by("starts_at")
    per_meeting = [
        MeetingFeedback(
            meeting,
            summarise_feedback((rating, comment) for meeting_id, rating, comment in rows if meeting_id == meeting.pk),
        )
        for meeting in meetings
    ]
    return summarise_feedback((rating, comment) for _meeting_id, rating, comment in rows), per_meeting


def feedback_for_export(*, circle: Circle) -> list[tuple]:
    """(meeting start, rating, comment) for each piece of the circle's feedback; no names, not in the order given."""
    return list(
        Feedback.objects.filter(meeting__circle=circle)
        .order_by("meeting__starts_at", "rating", "comment")
        .values_list("meeting__starts_at", "rating", "comment")
    )


def feedback_given(*, user, meeting: Meeting) -> bool:
    return user.is_authenticated and Feedback.objects.filter(meeting=meeting, user=user).exists()


def person_with_email(*, email: str):
    """The active person whose account has this e-mail address, or None."""
    return get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()


def drafts_of_library(*, library: Library) -> list[Circle]:
    """The library's circles that are still drafts, newest first: only its staff and their facilitators see them."""
    return list(library.hosted_circles.filter(status=CircleStatus.DRAFT).order_by("-created_at", "title"))
