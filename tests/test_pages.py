"""The public pages, rendered in-process."""

import re

import pytest
from django.urls import reverse

from circles.models import CircleStatus
from tests import factories


@pytest.fixture
def circles_on_home(library, sdgs):
    open_circle = factories.CircleFactory(
        title="Klimasamtaler", host_library=library, sdgs=[sdgs[13], sdgs[12]], capacity=5
    )
    factories.MeetingFactory(circle=open_circle)
    factories.MembershipFactory(circle=open_circle)
    factories.CircleFactory(title="Hemmelig kladde", host_library=library, status=CircleStatus.DRAFT)
    return open_circle


def test_home_lists_open_circles_with_goals_and_seats_but_not_drafts(client, circles_on_home):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Klimasamtaler" in html
    assert "Hemmelig kladde" not in html
    assert "13. Klimaindsats" in html
    assert 'class="sdg-badge sdg-13"' in html
    assert "4 pladser tilbage" in html


def test_home_in_english_under_en(client, circles_on_home):
    response = client.get("/en/")
    html = response.content.decode()
    assert '<html lang="en" class="text-normal">' in html
    assert "13. Climate action" in html
    assert "4 seats left" in html
    assert 'href="/" lang="da" hreflang="da">Dansk</a>' in html


def test_danish_is_the_default_whatever_the_browser_asks_for(client, db):
    response = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert '<html lang="da" class="text-normal">' in response.content.decode()
    assert "Læringscirkler for en bæredygtig fremtid" in response.content.decode()


def test_language_switch_links_to_the_same_page(client, db):
    html = client.get("/tilgaengelighed/").content.decode()
    assert 'href="/en/tilgaengelighed/" lang="en" hreflang="en">English</a>' in html
    html = client.get("/en/tilgaengelighed/").content.decode()
    assert 'href="/tilgaengelighed/" lang="da" hreflang="da">Dansk</a>' in html


def test_home_query_count_does_not_grow_with_circles(client, library, sdgs, django_assert_max_num_queries):
    def queries_for_home() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    factories.CircleFactory(host_library=library, sdgs=[sdgs[1]])
    few = queries_for_home()
    for number in range(2, 10):
        circle = factories.CircleFactory(host_library=library, sdgs=[sdgs[number], sdgs[number + 1]], capacity=10)
        factories.MeetingFactory(circle=circle)
        factories.MembershipFactory(circle=circle)
    assert queries_for_home() == few


def test_circle_page_shows_sanitized_description_and_next_meetings(client, circle, facilitator):
    circle.description = "**Velkommen**<script>alert(1)</script>"
    circle.save()
    meeting = factories.MeetingFactory(circle=circle)
    response = client.get(circle.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Velkommen</strong>" in html
    assert "<script>alert(1)" not in html
    assert facilitator.name in html
    assert str(meeting.starts_at.astimezone().year) in html


@pytest.mark.parametrize("status", [CircleStatus.DRAFT])
def test_draft_circle_is_not_found(client, circle, status):
    circle.status = status
    circle.save()
    assert client.get(circle.get_absolute_url()).status_code == 404


def test_unknown_pages_answer_404_in_the_layout(client, db):
    response = client.get("/cirkler/findes-ikke/")
    assert response.status_code == 404
    assert "Vi kunne ikke finde siden" in response.content.decode()


def test_library_page_lists_venues_and_visible_circles(client, circle):
    factories.VenueFactory(library=circle.host_library, name="Posthuset", step_free=True)
    factories.CircleFactory(host_library=circle.host_library, title="Kladde", status=CircleStatus.DRAFT)
    html = client.get(circle.host_library.get_absolute_url()).content.decode()
    assert "Posthuset" in html
    assert "niveaufri adgang" in html
    assert circle.title in html
    assert "Kladde" not in html


def test_accessibility_statement_and_was_redirect(client, db):
    response = client.get("/was")
    assert response.status_code == 302
    assert response["Location"] == reverse("accessibility")
    response = client.get(response["Location"])
    assert '<h1 id="statement-title">Tilgængelighedserklæring</h1>' in response.content.decode()


def test_footer_links_to_the_statement_in_both_languages(client, db):
    assert '<a href="/tilgaengelighed/">Tilgængelighedserklæring</a>' in client.get("/").content.decode()
    assert '<a href="/en/tilgaengelighed/">Accessibility statement</a>' in client.get("/en/").content.decode()


def test_header_shows_who_is_logged_in_and_a_logout_form(client, user):
    client.force_login(user)
    html = client.get("/").content.decode()
    assert f"Logget ind som {user.name}" in html
    assert re.search(r'<form method="post" action="/konto/logout/">', html)
    assert "Log ind" not in html


def test_layout_has_skip_link_landmarks_and_language(client, db):
    html = client.get("/").content.decode()
    assert html.index('class="skip-link" href="#main"') < html.index("<header")
    for landmark in (
        '<header class="site-header">',
        '<nav aria-label="Hovedmenu">',
        '<main id="main"',
        '<footer class="site-footer">',
    ):
        assert landmark in html


def test_pages_reference_nothing_on_other_hosts(client, circles_on_home):
    for path in ("/", "/en/", circles_on_home.get_absolute_url(), "/tilgaengelighed/", "/konto/login/"):
        html = client.get(path).content.decode()
        assets = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="([^"]+)"', html)
        assert assets, path
        assert all(asset.startswith("/") and not asset.startswith("//") for asset in assets), (path, assets)
