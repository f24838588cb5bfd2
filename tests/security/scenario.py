"""One small world for the security tests: two libraries, their circles, and a person in each role.

The eight roles are seen from the target circle (`circle`, hosted by `library`):

| role              | who                                                                          |
| ----------------- | ---------------------------------------------------------------------------- |
| anonymous         | nobody logged in                                                             |
| other_member      | active member of `other_circle` (hosted by `other_library`)                  |
| member            | active member of `circle` and of the project group `project`                 |
| other_facilitator | active facilitator of `other_circle`                                         |
| facilitator       | active facilitator of `circle` and of `project`                              |
| other_staff       | LibraryStaff (staff) of `other_library`                                      |
| staff             | LibraryStaff (staff) of `library`                                            |
| library_admin     | LibraryStaff (admin) of `library`: the highest role libraries.StaffRole has  |

"Library admin" is the library's own administrator role (libraries.StaffRole.ADMIN), not Django's
is_staff/is_superuser: nobody in these eight roles may use Django's admin site, which is the
site operator's tool.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import User
from chat.models import Message, Report, ReportReason, Room
from chat.services import message_post
from circles.models import (
    SDG,
    Circle,
    CircleKind,
    Feedback,
    Meeting,
    MembershipRole,
    ProjectAction,
)
from circles.sdg_data import sdgs_load
from libraries.models import Commitment, Initiative, Library, StaffRole, Venue
from resources.models import Resource, Visibility
from tests import factories

ROLES = (
    "anonymous",
    "other_member",
    "member",
    "other_facilitator",
    "facilitator",
    "other_staff",
    "staff",
    "library_admin",
)


@dataclass
class Scenario:
    library: Library
    other_library: Library
    circle: Circle
    project: Circle
    other_circle: Circle
    room: Room
    message: Message
    meeting: Meeting
    project_action: ProjectAction
    venue: Venue
    initiative: Initiative
    commitment: Commitment
    users: dict[str, User | AnonymousUser]
    resources: dict[str, Resource] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def member(self) -> User:
        return self.users["member"]

    @property
    def facilitator(self) -> User:
        return self.users["facilitator"]


def build_scenario() -> Scenario:
    """The world above, stored in the test database."""
    if not SDG.objects.exists():
        sdgs_load(SDG)
    goal = SDG.objects.get(number=13)
    library = factories.LibraryFactory()
    other_library = factories.LibraryFactory()
    venue = factories.VenueFactory(library=library)
    circle = factories.CircleFactory(host_library=library, venue=venue, sdgs=[goal])
    project = factories.CircleFactory(host_library=library, venue=venue, kind=CircleKind.PROJECT_GROUP, sdgs=[goal])
    other_circle = factories.CircleFactory(
        host_library=other_library, venue=factories.VenueFactory(library=other_library), sdgs=[goal]
    )

    member = factories.UserFactory(display_name="Mette Medlem")
    facilitator = factories.UserFactory(display_name="Finn Facilitator")
    other_member = factories.UserFactory(display_name="Ole Andenmedlem")
    other_facilitator = factories.UserFactory(display_name="Frida Andenfacilitator")
    for target in (circle, project):
        factories.MembershipFactory(circle=target, user=member)
        factories.MembershipFactory(circle=target, user=facilitator, role=MembershipRole.FACILITATOR)
    factories.MembershipFactory(circle=other_circle, user=other_member)
    factories.MembershipFactory(circle=other_circle, user=other_facilitator, role=MembershipRole.FACILITATOR)
    staff = factories.LibraryStaffFactory(library=library, role=StaffRole.STAFF).user
    library_admin = factories.LibraryStaffFactory(library=library, role=StaffRole.ADMIN).user
    other_staff = factories.LibraryStaffFactory(library=other_library, role=StaffRole.STAFF).user

    # A meeting that has started: attendance and feedback pages are open for it.
    started = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    meeting = factories.MeetingFactory(
        circle=circle, starts_at=started, ends_at=started + datetime.timedelta(hours=2), agenda="Dagsorden"
    )
    Feedback.objects.create(meeting=meeting, user=None, rating=4, comment="Godt møde")
    project_action = ProjectAction.objects.create(circle=project, title="Plant træer", created_by=facilitator)
    room = circle.room
    message, _created = message_post(room=room, author=member, body="Hej alle", client_id=uuid.uuid4())
    initiative = factories.InitiativeFactory(library=library, sdgs=[goal])
    commitment = factories.CommitmentFactory(library=library)
    report = Report.objects.create(message=message, reporter=facilitator, reason=ReportReason.OFFENSIVE)
    resources = {
        "public": factories.ResourceFactory(owner_library=library, visibility=Visibility.PUBLIC),
        "staff": factories.ResourceFactory(owner_library=library, visibility=Visibility.STAFF),
        "circle": factories.ResourceFactory(owner_library=library, visibility=Visibility.CIRCLE, circle=circle),
    }
    return Scenario(
        library=library,
        other_library=other_library,
        circle=circle,
        project=project,
        other_circle=other_circle,
        room=room,
        message=message,
        meeting=meeting,
        project_action=project_action,
        venue=venue,
        initiative=initiative,
        commitment=commitment,
        users={
            "anonymous": AnonymousUser(),
            "other_member": other_member,
            "member": member,
            "other_facilitator": other_facilitator,
            "facilitator": facilitator,
            "other_staff": other_staff,
            "staff": staff,
            "library_admin": library_admin,
        },
        resources=resources,
        extra={"report": report},
    )
