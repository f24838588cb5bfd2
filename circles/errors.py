"""Messages of the circle services' refusals (tests reuse them)."""

from django.utils.translation import gettext_lazy as _

from config.errors import ServiceError

__all__ = [
    "ALREADY_MEMBER",
    "BANNED",
    "CIRCLE_NOT_OPEN",
    "FACILITATOR_CANNOT_LEAVE",
    "NOT_ALLOWED",
    "NOT_A_MEMBER",
    "NOT_PENDING",
    "NOT_YOURSELF",
    "ServiceError",
]

NOT_ALLOWED = _("You are not allowed to do that.")
CIRCLE_NOT_OPEN = _("This circle is not open for sign-up.")
ALREADY_MEMBER = _("You are already in this circle.")
BANNED = _("You cannot join this circle.")
NOT_A_MEMBER = _("You are not in this circle.")
FACILITATOR_CANNOT_LEAVE = _("You run this circle. Ask the library to appoint another facilitator before you leave.")
NOT_PENDING = _("This person is not waiting for an answer.")
NOT_YOURSELF = _("You cannot take yourself out of the circle.")

# Creating and running circles and their meetings.
NO_SDGS = _("Choose at least one Sustainable Development Goal.")
ONLINE_NEEDS_LINK = _("A circle that meets online needs a link to the online meeting.")
IN_PERSON_NEEDS_VENUE = _("A circle that meets in person needs a meeting place.")
VENUE_NOT_OF_LIBRARY = _("Choose one of the library's own meeting places.")
PARTNERS_ONLY_FOR_PROJECTS = _("Only project groups have partner libraries.")
NOT_A_FACILITATOR = _("This person is not a facilitator of the circle.")
SCHEDULE_INVALID = _("Choose weekly or every other week, 1 to 52 meetings, each 15 minutes to 12 hours long.")
MEETING_IN_THE_PAST = _("Choose a time that has not passed yet.")
MEETING_DAY_OUT_OF_RANGE = _("Choose a day from today and up to five years ahead.")
TIME_DOES_NOT_EXIST = _("%(time)s does not exist on %(date)s: the clocks go forward that night. Choose another time.")
MEETING_TIME_TAKEN = _("The circle already has a meeting then: %(times)s. Choose another day or time.")
MEETING_ENDS_BEFORE_START = _("A meeting must end after it starts.")
MEETING_CANCELLED = _("This meeting is cancelled.")
MEETING_ALREADY_HELD = _("This meeting has already started, so it cannot be moved or cancelled.")
MEETING_NOT_STARTED = _("You can do that when the meeting has started.")
NOT_ACTIVE_MEMBERS = _("Only the circle's members can be on the attendance list.")
FEEDBACK_ALREADY_GIVEN = _("You have already given feedback on this meeting. Thank you!")
OWNER_NOT_MEMBER = _("The person who does it must be a member of the project group.")
REMINDERS_FAILED = _("Some reminders could not be sent. They are tried again in a few minutes.")
