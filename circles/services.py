"""Every change to circles, memberships and meetings. Each runs in a transaction and checks who may do it."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from accounts.permissions import may_appoint_facilitator, may_create_circle, may_manage_circle
from chat.models import Room
from config.errors import ServiceError
from libraries.models import Library, Venue

from . import errors
from .models import (
    SDG,
    Audience,
    Circle,
    CircleKind,
    CircleStatus,
    JoinPolicy,
    Language,
    Meeting,
    MeetingFormat,
    Membership,
    MembershipRole,
    MembershipState,
)


def _unique_slug(title: str) -> str:
    base = slugify(title)[:150] or "cirkel"
    slug, counter = base, 2
    while Circle.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@transaction.atomic
def circle_create(
    *,
    created_by: User,
    host_library: Library,
    title: str,
    sdgs: Iterable[SDG],
    description: str = "",
    kind: CircleKind = CircleKind.LEARNING_CIRCLE,
    audience: Audience = Audience.EVERYONE,
    format: MeetingFormat = MeetingFormat.IN_PERSON,
    language: Language = Language.DANISH,
    venue: Venue | None = None,
    online_url: str = "",
    capacity: int | None = None,
    join_policy: JoinPolicy = JoinPolicy.OPEN,
    status: CircleStatus = CircleStatus.DRAFT,
    partner_libraries: Iterable[Library] = (),
    starts_on: datetime.date | None = None,
    rhythm: str = "",
    slug: str = "",
) -> Circle:
    """Create a circle with its discussion room. Only staff of the host library may."""
    if not may_create_circle(created_by, host_library):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    circle = Circle(
        title=title,
        slug=slug or _unique_slug(title),
        description=description,
        kind=kind,
        audience=audience,
        format=format,
        language=language,
        host_library=host_library,
        venue=venue,
        online_url=online_url,
        capacity=capacity,
        join_policy=join_policy,
        status=status,
        starts_on=starts_on,
        rhythm=rhythm,
        created_by=created_by,
    )
    circle.full_clean()
    circle.save()
    circle.sdgs.set(sdgs)
    circle.partner_libraries.set(partner_libraries)
    Room.objects.create(circle=circle)
    return circle


@transaction.atomic
def facilitator_appoint(*, appointed_by: User, circle: Circle, user: User) -> Membership:
    """Make a person a facilitator of the circle. Staff of the host library appoint facilitators."""
    if not may_appoint_facilitator(appointed_by, circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    membership, _created = Membership.objects.update_or_create(
        circle=circle,
        user=user,
        defaults={
            "role": MembershipRole.FACILITATOR,
            "state": MembershipState.ACTIVE,
            "state_changed_at": timezone.now(),
        },
    )
    return membership


@transaction.atomic
def membership_join(*, circle: Circle, user: User) -> Membership:
    """Join a circle: active when there is a seat, waitlisted when full, pending when a facilitator approves."""
    # Lock the circle row: two people taking the last seat at once must queue here.
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if circle.status not in (CircleStatus.OPEN, CircleStatus.RUNNING):
        raise ServiceError("circle_not_open", errors.CIRCLE_NOT_OPEN)
    existing = Membership.objects.filter(circle=circle, user=user).first()
    if existing is not None:
        if existing.state == MembershipState.BANNED:
            raise ServiceError("banned", errors.BANNED)
        if existing.state != MembershipState.REMOVED:
            raise ServiceError("already_member", errors.ALREADY_MEMBER)
    if circle.join_policy == JoinPolicy.APPROVAL:
        state = MembershipState.PENDING
    elif circle.seats_left == 0:
        state = MembershipState.WAITLISTED
    else:
        state = MembershipState.ACTIVE
    now = timezone.now()
    membership, _created = Membership.objects.update_or_create(
        circle=circle,
        user=user,
        defaults={"role": MembershipRole.MEMBER, "state": state, "state_changed_at": now},
    )
    return membership


@transaction.atomic
def meeting_create(
    *,
    created_by: User,
    circle: Circle,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue: Venue | None = None,
    online_url: str = "",
    agenda: str = "",
) -> Meeting:
    """Schedule one meeting. Facilitators of the circle and staff of its library may."""
    if not may_manage_circle(created_by, circle):
        raise ServiceError("not_allowed", errors.NOT_ALLOWED)
    meeting = Meeting(
        circle=circle,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue if venue is not None else circle.venue,
        online_url=online_url or circle.online_url,
        agenda=agenda,
    )
    meeting.full_clean()
    meeting.save()
    return meeting
