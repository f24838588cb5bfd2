"""Hypothesis over every form of the project, posted through its real view by a person who may use it:
never a 500 or an exception, never a half-stored row.

Each example runs in a savepoint that is rolled back, so every example starts from the same scenario.
A submission the view does not accept (the form is shown again, a 403/404, ...) must leave every table
as it was; an accepted one (a redirect) must leave the database's invariants whole. The number of
examples comes from the Hypothesis profile (tests/conftest.py): 1,000 per form in CI.

Most of an example's time is the view itself (middleware, queries, rendering the page); the checks
around it are kept to about one query: the database's own write counter says whether a project table
was written at all, and only then are the tables counted (see `write_mark`).
"""

import datetime
import importlib
import inspect
import os
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django import forms
from django.apps import apps
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts import forms as account_forms
from chat import forms as chat_forms
from chat import selectors as chat_selectors
from chat.models import ReadState, Room
from circles import forms as circle_forms
from circles.models import Circle, CircleStatus, Meeting, MembershipState
from libraries import forms as library_forms
from resources import forms as resource_forms
from tests.chat.live_client import session_key_for

from .conftest import report
from .matrix import removal_request_of
from .scenario import Scenario

PROJECT_APPS = ("accounts", "libraries", "circles", "chat", "resources")


@dataclass(frozen=True)
class Target:
    """Where a form is posted, by whom, and an unbound instance of it (for its fields and choices)."""

    view: str
    kwargs: Callable[[Scenario], dict]
    role: str | None
    # The form as the view builds it, bound to `data` when given.
    form: Callable[..., forms.BaseForm]
    method: str = "post"
    # Fields the view reads besides the form's (sent as they are, or left out).
    also: dict[str, st.SearchStrategy] = field(default_factory=dict)
    # Values the form's clean() works out from its fields, named here so nothing else slips into cleaned_data.
    derived: frozenset[str] = frozenset()


def no_args(_scenario: Scenario) -> dict:
    return {}


def meeting_args(scenario: Scenario) -> dict:
    return {"slug": scenario.circle.slug, "pk": scenario.meeting.pk}


def room_args(scenario: Scenario) -> dict:
    return {"room_id": scenario.room.pk}


def room_message(scenario: Scenario) -> dict:
    return {"room_id": scenario.room.pk, "message_id": scenario.message.pk}


def library_args(scenario: Scenario) -> dict:
    return {"slug": scenario.library.slug}


GARBAGE = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "0",
            "-1",
            "99999999999999999999999",
            "1e400",
            "NaN",
            "2024-02-30",
            "25:61",
            "javascript:alert(1)",
            "<script>alert(1)</script>",
            "x" * 5000,
            "9999-12-31",
            "0001-01-01",
        ]
    ),
)


# Where to go after saving: own pages, foreign sites, scheme tricks (each must end on a page of ours).
SAFE_LOOKING_NEXT = st.sampled_from(
    ["/", "0", "/cirkler/", "https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", ""]
)

FORMS: dict[type, Target] = {
    account_forms.SignupForm: Target(
        "account_signup",
        no_args,
        None,
        lambda s, data=None: account_forms.SignupForm(data),
        also={
            "email": st.one_of(st.emails(), GARBAGE),
            "password1": st.one_of(st.just("a-long-test-password-42"), GARBAGE),
        },
    ),
    account_forms.ProfileForm: Target(
        "accounts:profile", no_args, "member", lambda s, data=None: account_forms.ProfileForm(data, instance=s.member)
    ),
    account_forms.DisplayPreferencesForm: Target(
        "accounts:display",
        no_args,
        "member",
        lambda s, data=None: account_forms.DisplayPreferencesForm(data),
        also={"next": SAFE_LOOKING_NEXT},
    ),
    account_forms.EmailPreferencesForm: Target(
        "accounts:email_preferences",
        no_args,
        "member",
        lambda s, data=None: account_forms.EmailPreferencesForm(data, instance=s.member),
    ),
    circle_forms.MemberDecisionForm: Target(
        "circles:members",
        lambda s: {"slug": s.circle.slug},
        "facilitator",
        lambda s, data=None: circle_forms.MemberDecisionForm(data),
    ),
    circle_forms.CircleFilterForm: Target(
        "circles:list", no_args, None, lambda s, data=None: circle_forms.CircleFilterForm(data), method="get"
    ),
    circle_forms.ProjectActionForm: Target(
        "circles:project_action_create",
        lambda s: {"slug": s.project.slug},
        "facilitator",
        lambda s, data=None: circle_forms.ProjectActionForm(data, circle=s.project),
    ),
    circle_forms.ProjectActionStatusForm: Target(
        "circles:project_action_status",
        lambda s: {"slug": s.project.slug, "pk": s.project_action.pk},
        "member",
        lambda s, data=None: circle_forms.ProjectActionStatusForm(data),
    ),
    circle_forms.CircleForm: Target(
        "circles:edit",
        lambda s: {"slug": s.circle.slug},
        "facilitator",
        lambda s, data=None: circle_forms.CircleForm(data, instance=s.circle, library=s.library),
        also={"preview": st.sampled_from(["1"])},
    ),
    circle_forms.FacilitatorForm: Target(
        "circles:facilitators",
        lambda s: {"slug": s.circle.slug},
        "staff",
        lambda s, data=None: circle_forms.FacilitatorForm(data),
    ),
    circle_forms.ScheduleForm: Target(
        "circles:schedule",
        lambda s: {"slug": s.circle.slug},
        "facilitator",
        lambda s, data=None: circle_forms.ScheduleForm(data, circle=s.circle),
    ),
    circle_forms.MeetingMoveForm: Target(
        "circles:meeting_move",
        lambda s: {"slug": s.circle.slug, "pk": s.extra["future_meeting"].pk},
        "facilitator",
        lambda s, data=None: circle_forms.MeetingMoveForm(data, meeting=s.extra["future_meeting"]),
        derived=frozenset({"starts_at", "ends_at"}),
    ),
    circle_forms.MeetingNotesForm: Target(
        "circles:meeting_notes",
        meeting_args,
        "facilitator",
        lambda s, data=None: circle_forms.MeetingNotesForm(data, instance=s.meeting),
    ),
    circle_forms.AttendanceForm: Target(
        "circles:meeting_attendance",
        meeting_args,
        "facilitator",
        lambda s, data=None: circle_forms.AttendanceForm(
            data, members=list(s.circle.memberships.select_related("user"))
        ),
    ),
    circle_forms.FeedbackForm: Target(
        "circles:meeting_feedback", meeting_args, "member", lambda s, data=None: circle_forms.FeedbackForm(data)
    ),
    library_forms.LibraryForm: Target(
        "libraries:edit",
        library_args,
        "staff",
        lambda s, data=None: library_forms.LibraryForm(data, instance=s.library),
    ),
    library_forms.VenueForm: Target(
        "libraries:venue_create", library_args, "staff", lambda s, data=None: library_forms.VenueForm(data)
    ),
    library_forms.InitiativeForm: Target(
        "libraries:initiative_create", library_args, "staff", lambda s, data=None: library_forms.InitiativeForm(data)
    ),
    library_forms.CommitmentForm: Target(
        "libraries:commitment_create", library_args, "staff", lambda s, data=None: library_forms.CommitmentForm(data)
    ),
    library_forms.CommitmentEditForm: Target(
        "libraries:commitment_edit",
        lambda s: {"slug": s.library.slug, "pk": s.commitment.pk},
        "library_admin",
        lambda s, data=None: library_forms.CommitmentEditForm(data, instance=s.commitment),
    ),
    chat_forms.MessageForm: Target(
        "chat:room",
        lambda s: {"room_id": s.room.pk},
        "member",
        lambda s, data=None: chat_forms.MessageForm(data),
        also={"next": SAFE_LOOKING_NEXT},
    ),
    # ------------------------------------------------------------------ chat moderation and no-JS message forms
    chat_forms.ReportForm: Target(
        "chat:message_report", room_message, "facilitator", lambda s, data=None: chat_forms.ReportForm(data)
    ),
    chat_forms.ReactionForm: Target(
        "chat:message_react", room_message, "member", lambda s, data=None: chat_forms.ReactionForm(data)
    ),
    chat_forms.PinForm: Target(
        "chat:message_pin",
        room_message,
        "facilitator",
        lambda s, data=None: chat_forms.PinForm(data),
        also={"next": SAFE_LOOKING_NEXT},
    ),
    chat_forms.LockForm: Target(
        "chat:room_lock",
        room_args,
        "facilitator",
        lambda s, data=None: chat_forms.LockForm(data),
        also={"next": SAFE_LOOKING_NEXT},
    ),
    chat_forms.SlowModeForm: Target(
        "chat:room_slow_mode",
        room_args,
        "facilitator",
        lambda s, data=None: chat_forms.SlowModeForm(data),
        also={"next": SAFE_LOOKING_NEXT},
    ),
    chat_forms.MuteForm: Target(
        "chat:member_mute",
        room_args,
        "facilitator",
        lambda s, data=None: chat_forms.MuteForm(data, members=chat_selectors.mutable_members(room=s.room)),
        also={"next": SAFE_LOOKING_NEXT},
    ),
    chat_forms.MemberChoiceForm: Target(
        "chat:member_unmute",
        room_args,
        "facilitator",
        lambda s, data=None: chat_forms.MemberChoiceForm(data, members=chat_selectors.mutable_members(room=s.room)),
        also={"next": SAFE_LOOKING_NEXT},
    ),
    chat_forms.ReportDecisionForm: Target(
        "chat:report_decide",
        lambda s: {"room_id": s.room.pk, "report_id": s.extra["report"].pk},
        "facilitator",
        lambda s, data=None: chat_forms.ReportDecisionForm(data),
    ),
    # ------------------------------------------------------------------ shared materials (resources)
    resource_forms.ResourceFilterForm: Target(
        "resources:list", no_args, None, lambda s, data=None: resource_forms.ResourceFilterForm(data), method="get"
    ),
    resource_forms.ResourceForm: Target(
        "resources:create",
        no_args,
        "staff",
        lambda s, data=None: resource_forms.ResourceForm(data, user=s.users["staff"], new=True),
    ),
    resource_forms.ShareForm: Target(
        "resources:share",
        lambda s: {"pk": s.resources["circle"].pk},
        "member",
        lambda s, data=None: resource_forms.ShareForm(data, circles=[s.circle]),
    ),
    resource_forms.AdoptForm: Target(
        "resources:adopt",
        lambda s: {"pk": s.resources["staff"].pk},
        "other_staff",
        lambda s, data=None: resource_forms.AdoptForm(data, libraries=[s.other_library]),
    ),
    resource_forms.RemovalRequestForm: Target(
        "resources:removal_request",
        lambda s: {"pk": s.resources["circle"].pk},
        "member",
        lambda s, data=None: resource_forms.RemovalRequestForm(data),
    ),
    resource_forms.RemovalDeclineForm: Target(
        "resources:removal_request_answer",
        lambda s: {"pk": removal_request_of(s).pk},
        "staff",
        lambda s, data=None: resource_forms.RemovalDeclineForm(data),
        also={"action": st.sampled_from(["decline", "remove", ""])},
    ),
}

# Forms not posted through a view here, and why.
NOT_THROUGH_A_VIEW = {
    # Deleting the account first asks for the login again (allauth reauthentication); an accepted
    # submission would delete the person the other examples log in as. Fuzzed on the form itself.
    account_forms.AccountDeleteForm: "reauthentication first; fuzzed as a form",
    # A new version replaces an uploaded file; the scenario's materials are links (the view answers 404).
    resource_forms.VersionForm: "needs an uploaded file; covered by tests/resources",
}


def project_form_classes() -> set[type]:
    """Every Form/ModelForm class defined in the project's apps (forms modules and packages)."""
    found = set()
    for label in PROJECT_APPS:
        package = importlib.import_module(label)
        for module_info in pkgutil.walk_packages(package.__path__, prefix=f"{label}."):
            if "migrations" in module_info.name or "tests" in module_info.name:
                continue
            if not module_info.name.split(".")[-1].startswith("forms") and ".forms" not in module_info.name:
                continue
            module = importlib.import_module(module_info.name)
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                    found.add(value)
    return found


def test_every_form_of_the_project_is_fuzzed():
    missing = sorted(
        cls.__module__ + "." + cls.__qualname__
        for cls in project_form_classes()
        if cls not in FORMS and cls not in NOT_THROUGH_A_VIEW
    )
    # Base classes that only exist to be subclassed (no view posts them) are listed by name.
    missing = [name for name in missing if name not in ABSTRACT_FORMS]
    assert missing == [], f"add these forms to tests/security/test_form_fuzz.py FORMS: {missing}"


ABSTRACT_FORMS: set[str] = set()

# ---------------------------------------------------------------------- strategies from a form's fields


def choice_values(field: forms.ChoiceField) -> list[str]:
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):
            values += [str(inner) for inner, _label in label]
        else:
            values.append(str(getattr(value, "value", value)))
    return values or [""]


def field_strategy(form_field: forms.Field) -> st.SearchStrategy:
    """Values a person (or a script) could send for this field: good ones and garbage."""
    good: st.SearchStrategy
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        pks = [str(pk) for pk in form_field.queryset.values_list("pk", flat=True)[:50]] or ["1"]
        return st.lists(st.one_of(st.sampled_from(pks), GARBAGE), max_size=5)
    if isinstance(form_field, forms.ModelChoiceField):
        pks = [str(pk) for pk in form_field.queryset.values_list("pk", flat=True)[:50]] or ["1"]
        good = st.sampled_from(pks)
    elif isinstance(form_field, forms.MultipleChoiceField):
        return st.lists(st.one_of(st.sampled_from(choice_values(form_field)), GARBAGE), max_size=5)
    elif isinstance(form_field, forms.ChoiceField):
        good = st.sampled_from(choice_values(form_field))
    elif isinstance(form_field, forms.BooleanField):
        good = st.sampled_from(["on", "", "true", "false", "1", "0"])
    elif isinstance(form_field, forms.IntegerField):
        good = st.integers(min_value=-(2**70), max_value=2**70).map(str)
    elif isinstance(form_field, forms.DateTimeField):
        good = st.datetimes(min_value=datetime.datetime(1, 1, 1)).map(lambda moment: moment.isoformat(sep=" "))
    elif isinstance(form_field, forms.DateField):
        good = st.one_of(
            st.dates().map(str),
            st.integers(min_value=-30, max_value=400).map(
                lambda days: str(datetime.date.today() + datetime.timedelta(days=days))
            ),
        )
    elif isinstance(form_field, forms.TimeField):
        good = st.times().map(lambda moment: moment.strftime("%H:%M"))
    elif isinstance(form_field, forms.EmailField):
        good = st.one_of(st.emails(), st.sampled_from(["person0@cirkler.example", "x@y"]))
    elif isinstance(form_field, forms.URLField):
        good = st.sampled_from(
            [
                "https://meet.example/room",
                "http://x",
                "https://" + "a" * 300 + ".dk",
                "ftp://x.example",
                "javascript:alert(1)",
            ]
        )
    elif isinstance(form_field, forms.UUIDField):
        good = st.uuids().map(str)
    elif isinstance(form_field, forms.FileField):
        return st.none()
    else:
        max_length = getattr(form_field, "max_length", None) or 5000
        good = st.one_of(
            st.text(max_size=min(max_length, 200)),
            st.text(alphabet=st.characters(codec="utf-8"), min_size=max_length, max_size=max_length + 1),
        )
    return st.one_of(good, GARBAGE)


def submissions(form: forms.BaseForm, also: dict[str, st.SearchStrategy]) -> st.SearchStrategy[dict]:
    """A submission: each field present or not, with a good or a garbage value; sometimes a stray field."""
    fields = {name: field_strategy(form_field) for name, form_field in form.fields.items()}
    fields.update(also)

    @st.composite
    def build(draw) -> dict:
        data = {}
        for name, strategy in fields.items():
            if draw(st.integers(min_value=0, max_value=9)) == 0:
                continue
            value = draw(strategy)
            if value is not None:
                data[name] = value
        if draw(st.booleans()) and draw(st.booleans()):
            data[draw(st.text(min_size=1, max_size=10))] = draw(GARBAGE)
        return data

    return build()


# ---------------------------------------------------------------------- the database's state


def counted_tables() -> list[str]:
    """Every table of the project's apps, except the read state a page view records on purpose."""
    tables = []
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model is not ReadState and not model._meta.proxy:
                tables.append(model._meta.db_table)
    return sorted(set(tables))


def row_counts(tables: list[str]) -> tuple[int, ...]:
    # Table names come from the models, not from input.
    quoted = ", ".join(f'(SELECT count(*) FROM "{table}")' for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quoted}")
        return tuple(cursor.fetchone())


def write_mark(tables: list[str]) -> int | None:
    """A number that only grows, with every row written to a project table (None: no such counter here).

    PostgreSQL counts the rows each statement inserts, updates and deletes per table for the current
    transaction (the test's, open for all its examples), rolled-back savepoints included: it counts
    attempts. SQLite counts them per connection, every table included. An unchanged mark means nothing
    was written; a changed one sends the check to the row counts, which see what is really stored.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
                " WHERE schemaname = current_schema() AND relname = ANY(%s)",
                [tables],
            )
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT total_changes()")
        else:
            return None
        return int(cursor.fetchone()[0])


class WriteWatch:
    """Whether the project's tables hold other rows than when the watch began, at one query a look.

    The tables are counted only when the write counter moved: a refused submission that wrote nothing
    (nearly every one) costs a single query, one that wrote and undid its write is counted in full.
    """

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        self.baseline = row_counts(tables)
        self.mark = write_mark(tables)
        self.counted = 0

    def rows_changed(self) -> bool:
        mark = write_mark(self.tables)
        moved = mark is None or mark != self.mark
        self.mark = mark
        if not moved:
            return False
        self.counted += 1
        return row_counts(self.tables) != self.baseline

    def catch_up(self) -> None:
        """Take the writes made so far (an accepted submission's, rolled back) as seen."""
        self.mark = write_mark(self.tables)


# The cache's memory of which sessions were seen lately (accounts/middleware.py): kept between examples,
# as between a person's requests. Everything else it holds counts attempts (allauth's rate limits, the
# removal requests per address) and is forgotten, or the fuzz would test the "too many attempts" page.
KEPT_CACHE_KEYS = "usersessions:seen:"


def forget_counted_attempts() -> None:
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        stale = [key for key in client.scan_iter(match=cache.make_key("*")) if KEPT_CACHE_KEYS.encode() not in key]
        if stale:
            client.delete(*stale)
    elif isinstance(cache, LocMemCache):
        with cache._lock:
            for key in [key for key in cache._cache if KEPT_CACHE_KEYS not in key]:
                cache._delete(key)
    else:
        cache.clear()


def broken_invariants() -> list[str]:
    broken = []
    if Circle.objects.filter(room__isnull=True).exists():
        broken.append("a circle without its discussion room")
    if Circle.objects.exclude(status=CircleStatus.DRAFT).annotate(goals=Count("sdgs")).filter(goals=0).exists():
        broken.append("a published circle without an SDG")
    if Meeting.objects.filter(ends_at__lte=F("starts_at")).exists():
        broken.append("a meeting that ends before it starts")
    if Room.objects.annotate(top=Coalesce(Max("messages__seq"), 0)).exclude(last_seq=F("top")).exists():
        broken.append("a room whose last_seq is not its highest message")
    over_capacity = (
        Circle.objects.filter(capacity__isnull=False)
        .annotate(
            active=Count("memberships", filter=Q(memberships__state=MembershipState.ACTIVE, memberships__role="member"))
        )
        .filter(active__gt=F("capacity"))
    )
    if over_capacity.exists():
        broken.append("a circle with more active members than seats")
    return broken


def accepted(response) -> bool:
    """The view took the submission: it redirects (post/redirect/get) or sends a file."""
    return 300 <= response.status_code < 400


@pytest.fixture
def fuzz_scenario(scenario: Scenario) -> Scenario:
    from tests import factories

    future = factories.MeetingFactory(circle=scenario.circle)
    scenario.extra["future_meeting"] = future
    return scenario


TOTALS: dict[str, int] = {}


# Through the views, each example renders a whole page (20-150 ms here): 1,000 per form for 34 forms
# measured 37 minutes, more than the rest of CI. The forms themselves get the profile's count (1,000
# in CI) below; the views get FORM_FUZZ_VIEW_EXAMPLES (200 by default, at most the profile's):
#   HYPOTHESIS_PROFILE=ci FORM_FUZZ_VIEW_EXAMPLES=1000 pytest tests/security/test_form_fuzz.py
VIEW_EXAMPLES = min(hypothesis_settings.default.max_examples, int(os.environ.get("FORM_FUZZ_VIEW_EXAMPLES", "200")))


def as_query_dict(data: dict) -> QueryDict:
    """A submission as a view receives it in request.POST / request.GET."""
    query = QueryDict(mutable=True)
    for name, value in data.items():
        query.setlist(name, [str(item) for item in value] if isinstance(value, list) else [str(value)])
    return query


@pytest.mark.parametrize("form_class", list(FORMS), ids=lambda cls: cls.__name__)
def test_fuzzed_data_never_crashes_a_form_or_writes_while_it_validates(form_class, fuzz_scenario):
    """The profile's count of submissions (1,000 in CI) per form, bound as its view binds them."""
    scenario = fuzz_scenario
    target = FORMS[form_class]
    watch = WriteWatch(counted_tables())
    strategy = submissions(target.form(scenario), target.also)
    examples = {"tried": 0, "valid": 0}

    @hypothesis_settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
    @given(data=strategy)
    def validate(data: dict) -> None:
        with transaction.atomic():
            form = target.form(scenario, as_query_dict(data))
            if form.is_valid():
                examples["valid"] += 1
                assert set(form.cleaned_data) <= set(form.fields) | target.derived, data
            else:
                assert form.errors, data
            assert not watch.rows_changed(), f"validating the form changed the database: {data}"
            examples["tried"] += 1
            transaction.set_rollback(True)

    validate()
    assert examples["tried"] >= min(hypothesis_settings.default.max_examples, 100) // 2
    report(
        f"form fuzz {form_class.__name__} (form alone): {examples['tried']} examples "
        f"({examples['valid']} valid), no crash, no write"
    )


@pytest.mark.parametrize("form_class", list(FORMS), ids=lambda cls: cls.__name__)
def test_fuzzed_submissions_never_fail_or_half_store(form_class, fuzz_scenario):
    scenario = fuzz_scenario
    target = FORMS[form_class]
    path = reverse(target.view, kwargs=target.kwargs(scenario))
    user = scenario.users[target.role] if target.role else None
    session_key = session_key_for(user) if user is not None else None
    assert broken_invariants() == []
    # Every example starts from the state the watch counts now: each one's savepoint is rolled back.
    watch = WriteWatch(counted_tables())
    strategy = submissions(target.form(scenario), target.also)
    # One client (its middleware loaded once); its cookies are reset for every example.
    client = Client(raise_request_exception=True)
    examples = {"tried": 0, "accepted": 0}

    @hypothesis_settings(
        max_examples=VIEW_EXAMPLES,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        deadline=None,
    )
    @given(data=strategy)
    def submit(data: dict) -> None:
        client.cookies.clear()
        if session_key is not None:
            client.cookies[django_settings.SESSION_COOKIE_NAME] = session_key
        forget_counted_attempts()
        with transaction.atomic():
            response = getattr(client, target.method)(path, data)
            assert response.status_code < 500, (data, response.status_code)
            if accepted(response):
                examples["accepted"] += 1
                assert broken_invariants() == [], data
                location = urlsplit(response.headers.get("Location", ""))
                assert location.netloc in ("", "testserver") and location.scheme in ("", "http", "https"), (
                    f"redirected away from the site: {location.geturl()}"
                )
            else:
                assert not watch.rows_changed(), f"a refused submission changed the database: {data}"
            examples["tried"] += 1
            transaction.set_rollback(True)
        if accepted(response):
            watch.catch_up()

    submit()
    TOTALS[form_class.__name__] = examples["tried"]
    report(
        f"form fuzz {form_class.__name__} via {target.view}: {examples['tried']} examples "
        f"({examples['accepted']} accepted; rows counted after {watch.counted} refused), "
        "no 500, no half-stored row"
    )


@pytest.mark.parametrize("write", ["insert", "delete"])
def test_the_write_watch_sees_a_row_stored_or_removed_inside_the_example(scenario, write):
    from tests import factories

    watch = WriteWatch(counted_tables())
    # A write that was rolled back moves the counter but leaves the rows as they were.
    with transaction.atomic():
        factories.UserFactory()
        transaction.set_rollback(True)
    assert not watch.rows_changed()
    assert watch.counted == 1
    with transaction.atomic():
        assert not watch.rows_changed()
        mark = write_mark(watch.tables)
        if write == "insert":
            factories.VenueFactory(library=scenario.library)
        else:
            scenario.project_action.delete()
        assert write_mark(watch.tables) != mark
        assert watch.rows_changed()
        transaction.set_rollback(True)
    assert not watch.rows_changed()


def test_the_write_watch_counts_no_rows_when_nothing_was_written(scenario):
    watch = WriteWatch(counted_tables())
    with transaction.atomic():
        assert Room.objects.filter(pk=scenario.room.pk).exists()
        assert not watch.rows_changed()
        transaction.set_rollback(True)
    assert watch.counted == 0


@hypothesis_settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "messages": st.one_of(st.sampled_from(["keep", "empty"]), GARBAGE),
            "confirm": st.one_of(st.sampled_from(["on", ""]), GARBAGE),
        },
    )
)
def test_account_delete_form_fuzzed(data):
    form = account_forms.AccountDeleteForm(data)
    if form.is_valid():
        assert form.cleaned_data["messages"] in ("keep", "empty")
        assert form.cleaned_data["confirm"] is True
