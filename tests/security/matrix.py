"""The permission matrix: for every URL pattern and websocket route, how to build its address from the
scenario (tests/security/scenario.py) and what each of the eight roles gets for GET and POST.

A new pattern without an entry here fails tests/security/test_permission_matrix.py: add it, with the
outcome the view is meant to give each role (read the view and accounts/permissions.py).

Outcomes: OK (2xx, or a redirect anywhere but a login page; also 400, a submission the view looked at and
refused as invalid, since the POSTs send empty forms), LOGIN (a redirect to a login page),
FORBIDDEN (403), NOT_FOUND (404), NOT_ALLOWED (405: the view does not take that method).
"""

from collections.abc import Callable
from dataclasses import dataclass

from .scenario import ROLES, Scenario

OK = "ok"
LOGIN = "login"
FORBIDDEN = "403"
NOT_FOUND = "404"
NOT_ALLOWED = "405"

Expected = dict[str, str]

LOGGED_IN = tuple(role for role in ROLES if role != "anonymous")
# Those who run the target circle: its facilitator and the staff of its host library.
RUNNERS = ("facilitator", "staff", "library_admin")
HOST_STAFF = ("staff", "library_admin")
ROOM_READERS = ("member", "facilitator")
PROJECT_EDITORS = ("member", "facilitator", "staff", "library_admin")
ANY_LIBRARY_STAFF = ("other_staff", "staff", "library_admin")


def everyone(outcome: str) -> Expected:
    return dict.fromkeys(ROLES, outcome)


def only(allowed: tuple[str, ...], *, refused: str = FORBIDDEN, anonymous: str = LOGIN) -> Expected:
    """`allowed` get OK, the other logged-in roles `refused`, anonymous visitors `anonymous`."""
    expected = dict.fromkeys(ROLES, refused)
    expected.update(dict.fromkeys(allowed, OK))
    expected["anonymous"] = anonymous
    return expected


PUBLIC = everyone(OK)
LOGIN_REQUIRED = only(LOGGED_IN)
NO_AUTHENTICATOR = only((), refused=NOT_FOUND)
# A view behind login_required whose only method is another: anonymous first meet the login page.
LOGIN_THEN_405 = only((), refused=NOT_ALLOWED)


@dataclass(frozen=True)
class Entry:
    """How to reach one pattern and what each role gets. post=None: the view takes no POST (not tried)."""

    kwargs: Callable[[Scenario], dict]
    get: Expected
    post: Expected | None = None
    # For patterns without a name (or not reversible): the path itself.
    path: Callable[[Scenario], str] | None = None
    # What a POST sends (nothing by default: an empty form).
    data: Callable[[Scenario], dict] | None = None
    # Which case of the pattern this entry tries (a pattern may have several entries).
    case: str = ""


def no_args(_scenario: Scenario) -> dict:
    return {}


def circle_slug(scenario: Scenario) -> dict:
    return {"slug": scenario.circle.slug}


def project_slug(scenario: Scenario) -> dict:
    return {"slug": scenario.project.slug}


def project_action(scenario: Scenario) -> dict:
    return {"slug": scenario.project.slug, "pk": scenario.project_action.pk}


def meeting(scenario: Scenario) -> dict:
    return {"slug": scenario.circle.slug, "pk": scenario.meeting.pk}


def library_slug(scenario: Scenario) -> dict:
    return {"slug": scenario.library.slug}


def library_part(part: str) -> Callable[[Scenario], dict]:
    return lambda scenario: {"slug": scenario.library.slug, "pk": getattr(scenario, part).pk}


def room(scenario: Scenario) -> dict:
    return {"room_id": scenario.room.pk}


def room_message(scenario: Scenario) -> dict:
    return {"room_id": scenario.room.pk, "message_id": scenario.message.pk}


def circle_resource(scenario: Scenario) -> dict:
    return {"pk": scenario.resources["circle"].pk}


def resource_of(visibility: str) -> Callable[[Scenario], dict]:
    return lambda scenario: {"pk": scenario.resources[visibility].pk}


def removal_request_of(scenario: Scenario):
    """An open request to remove the circle's material, made the first time an entry asks for it."""
    if "removal_request" not in scenario.extra:
        from resources.models import RemovalRequest

        resource = scenario.resources["circle"]
        scenario.extra["removal_request"] = RemovalRequest.objects.create(
            resource=resource,
            library=resource.owner_library,
            resource_title=resource.title,
            name="Vera Vist",
            email="vera@example.org",
            reason="Jeg er på billedet.",
        )
    return scenario.extra["removal_request"]


CIRCLE_MATERIAL_VIEWERS = only(("member", "facilitator", "staff", "library_admin"), refused=NOT_FOUND)
CIRCLE_MATERIAL_EDITORS = {**only(("facilitator", "staff", "library_admin"), refused=NOT_FOUND), "member": FORBIDDEN}
STAFF_MATERIAL_VIEWERS = only(("other_facilitator", "facilitator", *ANY_LIBRARY_STAFF), refused=NOT_FOUND)
NO_FILE_FOR_VIEWERS = only((), refused=NOT_FOUND)
NO_FILE_FOR_EDITORS = {**only((), refused=NOT_FOUND), "member": FORBIDDEN}

HTTP: dict[str, Entry | list[Entry]] = {
    # ------------------------------------------------------------------ site
    "healthz": Entry(no_args, PUBLIC),
    "route:was": Entry(no_args, PUBLIC, path=lambda scenario: "/was"),
    "set_language": Entry(no_args, PUBLIC, post=PUBLIC),
    # The secret token is the key: it works without a session, for whoever has it.
    "person_calendar": Entry(lambda scenario: {"token": scenario.member.calendar_token}, PUBLIC),
    "home": Entry(no_args, PUBLIC),
    "accessibility": Entry(no_args, PUBLIC),
    "privacy": Entry(no_args, PUBLIC),
    "my_page": Entry(no_args, LOGIN_REQUIRED),
    # In DEBUG only: uploads from disk. The factories make no files, so nothing is there to find.
    # ------------------------------------------------------------------ the person's own account pages
    "accounts:profile": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    "accounts:display": Entry(no_args, PUBLIC, post=PUBLIC),
    "accounts:email_preferences": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    "accounts:calendar": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    "accounts:data_export": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    # Asks for the login again first (allauth's reauthentication), which is a redirect, not a refusal.
    "accounts:delete": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    # ------------------------------------------------------------------ allauth
    "account_login": Entry(no_args, PUBLIC, post=PUBLIC),
    "account_logout": Entry(no_args, PUBLIC, post=PUBLIC),
    "account_inactive": Entry(no_args, PUBLIC),
    "account_signup": Entry(no_args, PUBLIC, post=PUBLIC),
    "account_reauthenticate": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    "account_request_reauthentication_code": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    "account_confirm_reauthentication_code": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    "account_email": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    # Without a sign-up waiting for its code, allauth sends the visitor to the login page.
    "account_email_verification_sent": Entry(no_args, LOGIN_REQUIRED),
    "account_change_password": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    "account_set_password": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    "account_reset_password": Entry(no_args, PUBLIC, post=PUBLIC),
    "account_confirm_login_code": Entry(no_args, PUBLIC, post=PUBLIC),
    "account_reset_password_from_key_done": Entry(no_args, PUBLIC),
    "account_reset_password_from_key": Entry(
        lambda scenario: {"uidb36": "0", "key": "not-a-real-key"}, PUBLIC, post=PUBLIC
    ),
    "account_reset_password_done": Entry(no_args, PUBLIC),
    "account_request_login_code": Entry(no_args, PUBLIC, post=PUBLIC),
    "mfa_index": Entry(no_args, LOGIN_REQUIRED),
    # The second step of a login: without a first step under way, the login page.
    "mfa_authenticate": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    "mfa_reauthenticate": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    "mfa_activate_totp": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    # Nobody in the scenario has set up two-step login: there is nothing to turn off or show.
    "mfa_deactivate_totp": Entry(no_args, NO_AUTHENTICATOR, post=NO_AUTHENTICATOR),
    "mfa_view_recovery_codes": Entry(no_args, NO_AUTHENTICATOR),
    "mfa_generate_recovery_codes": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    "mfa_download_recovery_codes": Entry(no_args, NO_AUTHENTICATOR),
    "usersessions_list": Entry(no_args, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    # ------------------------------------------------------------------ circles
    "circles:list": Entry(no_args, PUBLIC),
    # Staff of any library start circles at their own library.
    "circles:create": Entry(no_args, only(ANY_LIBRARY_STAFF), post=only(ANY_LIBRARY_STAFF)),
    "circles:detail": Entry(circle_slug, PUBLIC),
    "circles:calendar": Entry(circle_slug, PUBLIC),
    "circles:join": Entry(circle_slug, everyone(NOT_ALLOWED), post=LOGIN_REQUIRED),
    "circles:leave": Entry(circle_slug, LOGIN_REQUIRED, post=LOGIN_REQUIRED),
    "circles:members": Entry(circle_slug, only(RUNNERS), post=only(RUNNERS)),
    "circles:project_action_create": Entry(project_slug, only(PROJECT_EDITORS), post=only(PROJECT_EDITORS)),
    "circles:project_action_edit": Entry(project_action, only(PROJECT_EDITORS), post=only(PROJECT_EDITORS)),
    "circles:project_action_status": Entry(project_action, LOGIN_THEN_405, post=only(PROJECT_EDITORS)),
    "circles:project_action_delete": Entry(project_action, only(PROJECT_EDITORS), post=only(PROJECT_EDITORS)),
    "circles:edit": Entry(circle_slug, only(RUNNERS), post=only(RUNNERS)),
    # Appointing facilitators is for the host library's staff, not for facilitators themselves.
    "circles:facilitators": Entry(circle_slug, only(HOST_STAFF), post=only(HOST_STAFF)),
    "circles:facilitator_remove": Entry(
        lambda scenario: {"slug": scenario.circle.slug, "user_id": scenario.facilitator.pk},
        only(HOST_STAFF),
        post=only(HOST_STAFF),
    ),
    "circles:schedule": Entry(circle_slug, only(RUNNERS), post=only(RUNNERS)),
    "circles:meeting": Entry(meeting, PUBLIC),
    "circles:meeting_move": Entry(meeting, only(RUNNERS), post=only(RUNNERS)),
    "circles:meeting_cancel": Entry(meeting, only(RUNNERS), post=only(RUNNERS)),
    "circles:meeting_notes": Entry(meeting, only(RUNNERS), post=only(RUNNERS)),
    "circles:meeting_attendance": Entry(meeting, only(RUNNERS), post=only(RUNNERS)),
    # Only the circle's ordinary members rate its meetings.
    "circles:meeting_feedback": Entry(meeting, only(("member",)), post=only(("member",))),
    "circles:feedback": Entry(circle_slug, only(RUNNERS)),
    "circles:feedback_csv": Entry(circle_slug, only(RUNNERS)),
    # ------------------------------------------------------------------ libraries
    "libraries:detail": Entry(library_slug, PUBLIC),
    "libraries:edit": Entry(library_slug, only(HOST_STAFF), post=only(HOST_STAFF)),
    "libraries:venue_create": Entry(library_slug, only(HOST_STAFF), post=only(HOST_STAFF)),
    "libraries:venue_edit": Entry(library_part("venue"), only(HOST_STAFF), post=only(HOST_STAFF)),
    "libraries:initiative_create": Entry(library_slug, only(HOST_STAFF), post=only(HOST_STAFF)),
    "libraries:initiative_edit": Entry(library_part("initiative"), only(HOST_STAFF), post=only(HOST_STAFF)),
    "libraries:initiative_delete": Entry(library_part("initiative"), only(HOST_STAFF), post=only(HOST_STAFF)),
    "libraries:commitment_create": Entry(library_slug, only(HOST_STAFF), post=only(HOST_STAFF)),
    "libraries:commitment_edit": Entry(library_part("commitment"), only(HOST_STAFF), post=only(HOST_STAFF)),
    "libraries:commitment_delete": Entry(library_part("commitment"), only(HOST_STAFF), post=only(HOST_STAFF)),
    # ------------------------------------------------------------------ chat
    # The discussion is for the circle's active members (facilitators are members too); library staff
    # who are not in the circle do not read it.
    "chat:room": Entry(room, only(ROOM_READERS), post=only(ROOM_READERS)),
    # One message's page (report it; pin or remove it) and the no-JavaScript forms beside it.
    "chat:message": Entry(room_message, only(ROOM_READERS), post=LOGIN_THEN_405),
    "chat:message_report": Entry(room_message, LOGIN_THEN_405, post=only(ROOM_READERS)),
    "chat:message_edit": Entry(room_message, LOGIN_THEN_405, post=only(ROOM_READERS)),
    "chat:message_delete": Entry(room_message, LOGIN_THEN_405, post=only(ROOM_READERS)),
    "chat:message_react": Entry(room_message, LOGIN_THEN_405, post=only(ROOM_READERS)),
    "chat:message_reply": Entry(room_message, LOGIN_THEN_405, post=only(ROOM_READERS)),
    # Moderation: those who run the circle (accounts.permissions.may_moderate_room), also the host
    # library's staff who do not read the room themselves.
    "chat:message_pin": Entry(room_message, LOGIN_THEN_405, post=only(RUNNERS)),
    "chat:message_remove": Entry(room_message, LOGIN_THEN_405, post=only(RUNNERS)),
    "chat:room_lock": Entry(room, LOGIN_THEN_405, post=only(RUNNERS)),
    "chat:room_slow_mode": Entry(room, LOGIN_THEN_405, post=only(RUNNERS)),
    "chat:member_mute": Entry(room, LOGIN_THEN_405, post=only(RUNNERS)),
    "chat:member_unmute": Entry(room, LOGIN_THEN_405, post=only(RUNNERS)),
    "chat:reports": Entry(room, only(RUNNERS), post=LOGIN_THEN_405),
    "chat:report_decide": Entry(
        lambda scenario: {"room_id": scenario.room.pk, "report_id": scenario.extra["report"].pk},
        LOGIN_THEN_405,
        post=only(RUNNERS),
    ),
    # ------------------------------------------------------------------ shared materials (resources)
    # Tried on the circle's own material (visibility "circle"): its members, those who run the circle
    # and the owner library's staff see it; everyone else gets 404 (it is not there for them), anonymous
    # visitors the login page. Material the person may see but not change: 403. The factories make
    # links, not files: file, thumbnail and version addresses answer 404 to those who may see them.
    "resources:list": Entry(no_args, PUBLIC),
    # Staff of any library and facilitators of any circle share material.
    "resources:create": Entry(
        no_args,
        only(("other_facilitator", "facilitator", *ANY_LIBRARY_STAFF)),
        post=only(("other_facilitator", "facilitator", *ANY_LIBRARY_STAFF)),
    ),
    "resources:detail": [
        Entry(circle_resource, CIRCLE_MATERIAL_VIEWERS, case="circle material"),
        Entry(resource_of("staff"), STAFF_MATERIAL_VIEWERS, case="staff material"),
        Entry(resource_of("public"), PUBLIC, case="public material"),
    ],
    "resources:download": Entry(circle_resource, NO_FILE_FOR_VIEWERS, post=everyone(NOT_ALLOWED)),
    "resources:thumbnail": Entry(circle_resource, NO_FILE_FOR_VIEWERS, post=everyone(NOT_ALLOWED)),
    "resources:version_download": Entry(
        lambda scenario: {"pk": scenario.resources["circle"].pk, "number": 1},
        NO_FILE_FOR_EDITORS,
        post=everyone(NOT_ALLOWED),
    ),
    "resources:edit": Entry(circle_resource, CIRCLE_MATERIAL_EDITORS, post=CIRCLE_MATERIAL_EDITORS),
    "resources:new_version": Entry(circle_resource, NO_FILE_FOR_EDITORS, post=NO_FILE_FOR_EDITORS),
    "resources:delete": Entry(circle_resource, CIRCLE_MATERIAL_EDITORS, post=CIRCLE_MATERIAL_EDITORS),
    # Another library's staff take staff material into their own list; the owner's staff cannot.
    "resources:adopt": Entry(
        resource_of("staff"),
        everyone(NOT_ALLOWED),
        post={
            **STAFF_MATERIAL_VIEWERS,
            "other_facilitator": FORBIDDEN,
            "facilitator": FORBIDDEN,
            "staff": FORBIDDEN,
            "library_admin": FORBIDDEN,
        },
        data=lambda scenario: {"library": scenario.other_library.pk},
    ),
    # Anyone with the address may ask for removal, seeing the material or not: the person shown in it
    # may not be among those it is shared with (the page then names only the library).
    "resources:removal_request": Entry(circle_resource, PUBLIC, post=PUBLIC),
    # The requests sent to a library, and answering one: that library's staff.
    "resources:removal_requests": Entry(library_slug, only(HOST_STAFF)),
    "resources:removal_request_answer": Entry(
        lambda scenario: {"pk": removal_request_of(scenario).pk}, everyone(NOT_ALLOWED), post=only(HOST_STAFF)
    ),
    # Post a link in the discussion of a circle one may write in: its members and facilitator.
    "resources:share": Entry(
        circle_resource,
        everyone(NOT_ALLOWED),
        post={**CIRCLE_MATERIAL_VIEWERS, "staff": FORBIDDEN, "library_admin": FORBIDDEN},
        data=lambda scenario: {"circle": scenario.circle.pk},
    ),
}


# ---------------------------------------------------------------------- Django's admin site
# Nobody in the eight roles is Django staff: every admin page sends them to the admin's login page
# (which itself answers everyone), before it looks at any object.
# allauth's secure_admin_login sends anonymous visitors to the site's login page and refuses
# logged-in people who are not Django staff; the admin's logout sends non-staff to the admin index.
ADMIN_LOGIN_PAGES = {
    "admin:login": Entry(no_args, only(()), post=only(())),
    "admin:logout": Entry(no_args, PUBLIC, post=PUBLIC),
}
ADMIN_EVERY_ROLE = everyone(LOGIN)


def admin_entry(name: str, route: str) -> Entry:
    """Any other admin pattern: the login page for every role, for GET and POST alike."""
    if name in ADMIN_LOGIN_PAGES:
        return ADMIN_LOGIN_PAGES[name]
    path = "/admin/" + route.removeprefix("admin/")
    path = (
        path.replace("<path:content_type_id>", "1")
        .replace("<path:object_id>", "1")
        .replace("<id>", "1")
        .replace("^(?P<app_label>", "")
    )
    if "(?P<app_label>" in route or "^" in route:
        path = "/admin/circles/" if "app_label" in route else "/admin/not-a-page/"
    return Entry(no_args, ADMIN_EVERY_ROLE, post=ADMIN_EVERY_ROLE, path=lambda scenario, path=path: path)


# ---------------------------------------------------------------------- websocket routes
# What the server does with a socket: accept it, or accept and close at once with a code
# (chat.protocol.CloseCode: 4401 not logged in, 4403 not allowed, 4404 no such room).
ACCEPT = "accept"


@dataclass(frozen=True)
class SocketEntry:
    kwargs: Callable[[Scenario], dict]
    expected: Expected
    # The same route for something that does not exist: what each logged-in role gets.
    missing_kwargs: Callable[[Scenario], dict] | None = None
    missing: str | None = None


def _socket_outcomes(allowed: tuple[str, ...]) -> Expected:
    expected = dict.fromkeys(ROLES, "4403")
    expected.update(dict.fromkeys(allowed, ACCEPT))
    expected["anonymous"] = "4401"
    return expected


WEBSOCKET: dict[str, SocketEntry] = {
    # The person's own socket (unread counts): anyone logged in; anonymous visitors get 4401.
    "ws/me/": SocketEntry(no_args, _socket_outcomes(LOGGED_IN)),
    "ws/rooms/<int:room_id>/": SocketEntry(
        lambda scenario: {"room_id": scenario.room.pk},
        _socket_outcomes(ROOM_READERS),
        missing_kwargs=lambda scenario: {"room_id": 2**40},
        missing="4404",
    ),
}
