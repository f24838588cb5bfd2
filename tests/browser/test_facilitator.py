"""A facilitator runs a circle in a real browser: plans six weekly meetings, cancels one; every page checked with axe."""

import datetime

import pytest
from django.utils import timezone

from circles.models import Circle, CircleStatus, Feedback, Meeting, Membership, MembershipRole
from libraries.models import StaffRole
from tests import factories

from .axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

CIRCLE = "klimasamtaler-for-60"


@pytest.fixture
def demo(transactional_db, sdgs):
    """A library with a venue and an admin, and an open circle with a facilitator, two members and four meetings."""
    library = factories.LibraryFactory(name="Ballerup Bibliotek", slug="ballerup-bibliotek")
    venue = factories.VenueFactory(library=library, name="Posthuset", address="Banegårdspladsen 1")
    factories.LibraryStaffFactory(
        library=library, role=StaffRole.ADMIN, user=factories.UserFactory(email="bibliotekar@cirkler.example")
    )
    circle = factories.CircleFactory(
        slug=CIRCLE,
        title="Klimasamtaler for 60+",
        host_library=library,
        venue=venue,
        status=CircleStatus.OPEN,
        sdgs=[sdgs[13], sdgs[12]],
    )
    factories.MembershipFactory(
        circle=circle,
        role=MembershipRole.FACILITATOR,
        user=factories.UserFactory(email="facilitator@cirkler.example", display_name="Grethe Sørensen"),
    )
    factories.MembershipFactory(
        circle=circle, user=factories.UserFactory(email="medlem@cirkler.example", display_name="Ole Hansen")
    )
    factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Inger Lund"))
    first = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) + datetime.timedelta(days=2)
    for week in range(4):
        starts_at = first + datetime.timedelta(weeks=week)
        factories.MeetingFactory(
            circle=circle, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=2), venue=venue
        )


def log_in(page, email: str, password: str = factories.PASSWORD) -> None:
    """Log in through allauth's own form, as a person would."""
    page.goto("/konto/login/")
    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/konto/login/" not in page.url, page.content()


def test_a_facilitator_plans_six_weekly_meetings_and_cancels_one(browser_page, demo):
    page = browser_page.page
    circle = Circle.objects.get(slug=CIRCLE)
    meetings_before = circle.meetings.count()
    log_in(page, "facilitator@cirkler.example")

    page.goto(f"/en/cirkler/{CIRCLE}/")
    assert_no_axe_violations(page)
    page.get_by_role("region", name="For those who run the circle").get_by_role("link", name="Plan meetings").click()
    page.wait_for_url(f"**/en/cirkler/{CIRCLE}/moeder/planlaeg/")
    assert_no_axe_violations(page)

    first = timezone.localdate() + datetime.timedelta(days=60)
    page.get_by_label("Date of the first meeting").fill(first.isoformat())
    page.get_by_label("Starts at").fill("14:00")
    page.get_by_label("Length in minutes").fill("90")
    page.get_by_label("Every week").check()
    page.get_by_label("Number of meetings").fill("6")
    page.get_by_role("button", name="Plan the meetings").click()
    page.wait_for_url(f"**/en/cirkler/{CIRCLE}/moeder/planlaeg/#meetings-title")
    assert page.get_by_text("6 meetings are planned.").is_visible()
    assert_no_axe_violations(page)
    assert circle.meetings.count() == meetings_before + 6
    planned = page.locator(".meeting-list li", has_text="14:00")
    assert planned.count() == 6

    planned.nth(2).get_by_role("link").click()
    page.wait_for_url("**/moeder/*/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Cancel the meeting").click()
    page.wait_for_url("**/aflys/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Yes, cancel the meeting").click()
    page.wait_for_load_state()
    assert page.get_by_text("This meeting is cancelled.").first.is_visible()
    assert_no_axe_violations(page)

    page.get_by_role("navigation", name="Run the circle").get_by_role("link", name="Meetings").click()
    page.wait_for_url(f"**/en/cirkler/{CIRCLE}/moeder/planlaeg/")
    cancelled = page.locator(".meeting-list li.meeting-cancelled")
    assert cancelled.count() == 1
    assert "Cancelled" in cancelled.inner_text()
    assert "14:00" in cancelled.inner_text()
    assert_no_axe_violations(page)
    assert list(circle.meetings.filter(cancelled=True).values_list("sequence", flat=True)) == [1]
    assert circle.meetings.filter(cancelled=False).count() == meetings_before + 5


def test_every_page_of_running_a_circle_has_no_axe_violations(browser_page, demo):
    """As the library's admin, in Danish and English, with a held meeting that has feedback and attendance."""
    page = browser_page.page
    circle = Circle.objects.get(slug=CIRCLE)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=2)
    held = factories.MeetingFactory(
        circle=circle, starts_at=start, ends_at=start + datetime.timedelta(hours=2), venue=circle.venue
    )
    member = Membership.objects.filter(circle=circle, role=MembershipRole.MEMBER).select_related("user").first()
    Feedback.objects.create(meeting=held, user=member.user, rating=4, comment="Godt med kage")
    coming = Meeting.objects.filter(circle=circle, starts_at__gt=timezone.now()).first()
    facilitator = Membership.objects.filter(circle=circle, role=MembershipRole.FACILITATOR).first()
    base = f"/cirkler/{CIRCLE}/"
    pages = [
        "/biblioteker/ballerup-bibliotek/",
        "/cirkler/ny/",
        f"{base}rediger/",
        f"{base}facilitatorer/",
        f"{base}facilitatorer/{facilitator.user_id}/fjern/",
        f"{base}moeder/planlaeg/",
        f"{base}moeder/{coming.pk}/",
        f"{base}moeder/{coming.pk}/flyt/",
        f"{base}moeder/{coming.pk}/aflys/",
        f"{base}moeder/{held.pk}/",
        f"{base}moeder/{held.pk}/dagsorden/",
        f"{base}moeder/{held.pk}/fremmoede/",
        f"{base}feedback/",
    ]
    log_in(page, "bibliotekar@cirkler.example")
    for path in pages:
        for prefix in ("", "/en"):
            response = page.goto(prefix + path)
            assert response.status == 200, prefix + path
            assert_no_axe_violations(page)

    # The preview and a form with mistakes.
    page.goto(f"/en{base}rediger/")
    page.get_by_label("Description").fill("We bring **cake**.")
    page.get_by_role("button", name="Show preview").click()
    page.wait_for_load_state()
    assert page.locator("#preview-title + .prose strong").inner_text() == "cake"
    assert_no_axe_violations(page)
    page.get_by_label("Online", exact=True).check()
    page.get_by_label("Online meeting link").fill("")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "A circle that meets online needs a link to the online meeting." in page.get_by_role("alert").inner_text()
    assert_no_axe_violations(page)


def test_a_member_gives_feedback_with_the_keyboard_friendly_form(browser_page, demo):
    page = browser_page.page
    circle = Circle.objects.get(slug=CIRCLE)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=1)
    held = factories.MeetingFactory(
        circle=circle, starts_at=start, ends_at=start + datetime.timedelta(hours=2), venue=circle.venue
    )
    log_in(page, "medlem@cirkler.example")
    page.goto(f"/en/cirkler/{CIRCLE}/moeder/{held.pk}/")
    assert_no_axe_violations(page)
    page.get_by_label("4 – Good").check()
    page.get_by_label("Comment (optional)").fill("Hyggeligt")
    page.get_by_role("button", name="Send your feedback").click()
    page.wait_for_load_state()
    assert page.get_by_text("Thank you for your feedback!").first.is_visible()
    assert_no_axe_violations(page)
    page.goto(f"/en/cirkler/{CIRCLE}/moeder/{held.pk}/feedback/")
    assert page.get_by_text("You have already given feedback on this meeting. Thank you!").is_visible()
    assert_no_axe_violations(page)
    assert list(Feedback.objects.filter(meeting=held).values_list("rating", "comment")) == [(4, "Hyggeligt")]
