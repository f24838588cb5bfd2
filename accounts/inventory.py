"""The data inventory: every piece of personal data Cirkler keeps, why, and for how long.

The privacy page is rendered from it, and a test fails when a field on the user model or a
relation to a person is missing here, so the page cannot fall behind the code.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PersonalData:
    """One field that holds personal data: `where` is "app_label.model.field"."""

    where: str
    what: Promise
    purpose: Promise
    retention: Promise


UNTIL_DELETED = _("Until you delete your account.")
UNTIL_CHANGED = _("Until you change it or delete your account.")

INVENTORY: list[PersonalData] = [
    PersonalData(
        "accounts.user.email",
        _("Your e-mail address"),
        _("To log in and to send you codes and the e-mails you choose."),
        UNTIL_DELETED,
    ),
    PersonalData(
        "accounts.user.password",
        _("Your password, scrambled so no one can read it"),
        _("To log in, if you chose a password."),
        UNTIL_CHANGED,
    ),
    PersonalData(
        "accounts.user.display_name", _("Your name"), _("So the people in your circles know who writes."), UNTIL_CHANGED
    ),
    PersonalData("accounts.user.municipality", _("Your municipality"), _("To show circles near you."), UNTIL_CHANGED),
    PersonalData(
        "accounts.user.home_library", _("Your library"), _("To show circles at your library first."), UNTIL_CHANGED
    ),
    PersonalData(
        "accounts.user.bio", _("A few words about you"), _("Shown to the people in your circles."), UNTIL_CHANGED
    ),
    PersonalData(
        "accounts.user.languages", _("Languages you speak"), _("Shown to the people in your circles."), UNTIL_CHANGED
    ),
    PersonalData("accounts.user.text_size", _("Text size"), _("To show pages the way you asked."), UNTIL_CHANGED),
    PersonalData(
        "accounts.user.high_contrast", _("High contrast"), _("To show pages the way you asked."), UNTIL_CHANGED
    ),
    PersonalData(
        "accounts.user.reduced_motion", _("Less movement"), _("To show pages the way you asked."), UNTIL_CHANGED
    ),
    PersonalData(
        "accounts.user.email_meeting_reminders",
        _("Your choice of e-mail reminders"),
        _("To send only the e-mails you want."),
        UNTIL_CHANGED,
    ),
    PersonalData(
        "accounts.user.email_mentions",
        _("Your choice of e-mails about mentions"),
        _("To send only the e-mails you want."),
        UNTIL_CHANGED,
    ),
    PersonalData(
        "accounts.user.email_weekly_digest",
        _("Your choice of a weekly summary"),
        _("To send only the e-mails you want."),
        UNTIL_CHANGED,
    ),
    PersonalData(
        "accounts.user.calendar_token",
        _("The secret address of your calendar"),
        _("So your calendar program can fetch your meetings."),
        _("Until you make a new address or delete your account."),
    ),
    PersonalData(
        "accounts.user.last_login", _("When you last logged in"), _("To spot misuse of your account."), UNTIL_DELETED
    ),
    PersonalData(
        "accounts.user.date_joined", _("When you signed up"), _("To spot misuse of your account."), UNTIL_DELETED
    ),
    PersonalData(
        "accounts.user.is_active", _("Whether your account is active"), _("To let you log in."), UNTIL_DELETED
    ),
    PersonalData(
        "accounts.user.is_staff",
        _("Whether you may use the administration"),
        _("For library staff only."),
        UNTIL_DELETED,
    ),
    PersonalData(
        "accounts.user.is_superuser",
        _("Whether you run the whole site"),
        _("For the site's administrators only."),
        UNTIL_DELETED,
    ),
    PersonalData(
        "account.emailaddress.user",
        _("Your e-mail addresses and whether they are confirmed"),
        _("To log in and to reach you."),
        UNTIL_DELETED,
    ),
    PersonalData(
        "usersessions.usersession.user",
        _("The devices you are logged in on: IP address, browser, last activity"),
        _("So you can see them and log out elsewhere."),
        _("Until you log out on that device."),
    ),
    PersonalData(
        "mfa.authenticator.user",
        _("Your two-step login (authenticator app, backup codes)"),
        _("To protect staff and facilitator accounts."),
        _("Until you turn it off or delete your account."),
    ),
    PersonalData(
        "circles.membership.user",
        _("The circles you are in, your role and since when"),
        _("To let you take part."),
        _("Until you leave the circle or delete your account."),
    ),
    PersonalData(
        "circles.circle.created_by",
        _("The circles you created"),
        _("So the library knows who set up a circle."),
        _("Your name is removed when you delete your account; the circle stays."),
    ),
    PersonalData(
        "circles.attendance.user",
        _("Which meetings you came to"),
        _("So the facilitator and the library can follow the circle."),
        _("Until the circle is deleted or you delete your account."),
    ),
    PersonalData(
        "circles.attendance.recorded_by",
        _("Attendance you recorded as a facilitator"),
        _("So the circle can see who recorded it."),
        _("Your name is removed when you delete your account."),
    ),
    PersonalData(
        "circles.feedback.user",
        _("Your feedback on meetings: a rating and a comment"),
        _("So facilitators and libraries can make the circles better."),
        _("The rating and comment stay without your name when you delete your account."),
    ),
    PersonalData(
        "circles.projectaction.owner",
        _("Actions in project groups that you have taken on"),
        _("So the group knows who does what."),
        _("Your name is removed when you delete your account; the action stays."),
    ),
    PersonalData(
        "circles.projectaction.created_by",
        _("Actions you added to a project group"),
        _("So the group can see who added them."),
        _("Your name is removed when you delete your account."),
    ),
    PersonalData(
        "circles.meetingreminder.user",
        _("Which meeting reminders we have sent you"),
        _("So you get each reminder once and only once."),
        UNTIL_DELETED,
    ),
    PersonalData(
        "chat.message.author",
        _("The messages you write in discussions"),
        _("So your circle can talk together."),
        _("You choose when you delete your account: kept as “deleted user”, or emptied."),
    ),
    PersonalData(
        "chat.message.deleted_by",
        _("Messages you removed"),
        _("So the circle can see who removed a message."),
        _("Your name is removed when you delete your account."),
    ),
    PersonalData(
        "chat.reaction.user",
        _("Your reactions to messages"),
        _("So the circle sees who liked or agreed with a message."),
        UNTIL_DELETED,
    ),
    PersonalData(
        "chat.readstate.user",
        _("How far you have read each discussion"),
        _("To show you which messages are new."),
        UNTIL_DELETED,
    ),
    PersonalData(
        "chat.mention.user",
        _("Where someone named you with @ in a discussion, and when we told you by e-mail"),
        _("To highlight those messages for you and to send at most one e-mail an hour about them."),
        UNTIL_DELETED,
    ),
    PersonalData(
        "chat.message.pinned_by",
        _("Messages you pinned at the top of a discussion"),
        _("So the circle can see who pinned a message."),
        _("Your name is removed when you delete your account."),
    ),
    PersonalData(
        "chat.report.reporter",
        _("Messages you reported to the facilitators"),
        _("So the facilitators can look at the message and keep the discussion friendly."),
        UNTIL_DELETED,
    ),
    PersonalData(
        "chat.report.resolved_by",
        _("Reports you handled as a facilitator"),
        _("So the facilitators can see who handled a report."),
        _("Your name is removed when you delete your account."),
    ),
    PersonalData(
        "chat.moderationaction.actor",
        _("What you did as a facilitator in a discussion (for example muting or pinning)"),
        _("So the facilitators of a circle can see who did what and when."),
        _("Your name is removed when you delete your account."),
    ),
    PersonalData(
        "chat.moderationaction.target",
        _("When a facilitator muted you or let you write again"),
        _("So the facilitators of a circle can see who did what and when."),
        _("Your name is removed when you delete your account."),
    ),
    PersonalData(
        "resources.resource.created_by",
        _("The materials you shared"),
        _("So people know who shared them."),
        _(
            "Material shared only with a circle is deleted with your account; material shared with libraries stays without your name."
        ),
    ),
    PersonalData(
        "resources.resource.file_uploaded_by",
        _("Who uploaded the newest file of a material"),
        _("So the library knows who to ask about it."),
        _("Until the material is deleted; your name is removed when you delete your account."),
    ),
    PersonalData(
        "resources.resourceversion.uploaded_by",
        _("Earlier versions of files you uploaded"),
        _("So those who share the material can go back to an earlier file."),
        _("Until the material is deleted; your name is removed when you delete your account."),
    ),
    PersonalData(
        "resources.resourceadoption.adopted_by",
        _("Materials you added to your library's list"),
        _("So your colleagues know who added them."),
        _("Until the library takes them out; your name is removed when you delete your account."),
    ),
    PersonalData(
        "resources.removalrequest.requested_by",
        _("Requests you sent to remove material, with the name and e-mail address you gave"),
        _("So the library can answer you and act on the request."),
        _(
            "One year after the library answers, as its record of the answer; your account link is removed "
            "when you delete your account."
        ),
    ),
    PersonalData(
        "libraries.librarystaff.user",
        _("Your role at a library"),
        _("To let library staff run their library's pages and circles."),
        _("Until the library removes the role or you delete your account."),
    ),
    PersonalData(
        "admin.logentry.user",
        _("Changes you made in the administration"),
        _("To find and correct mistakes."),
        UNTIL_DELETED,
    ),
]
