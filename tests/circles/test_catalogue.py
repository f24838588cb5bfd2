"""The circle catalogue: filters, text search, pagination, htmx partials and a constant query count."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from circles.models import Audience, CircleKind, CircleStatus, Language, MeetingFormat, MembershipRole, MembershipState
from circles.selectors import CATALOGUE_PAGE_SIZE, circle_search
from tests import factories

COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")


def list_url(language: str = "da") -> str:
    with translation.override(language):
        return reverse("circles:list")


def next_local(iso_weekday: int, hour: int) -> datetime.datetime:
    """The next such weekday (at least a day away) at that hour, Copenhagen time."""
    today = timezone.localdate()
    days = (iso_weekday - today.isoweekday()) % 7 or 7
    return datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(hour), tzinfo=COPENHAGEN)


def meeting_at(circle, starts_at: datetime.datetime, **fields):
    return factories.MeetingFactory(
        circle=circle, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=2), **fields
    )


def found(response) -> set[str]:
    assert response.status_code == 200
    return {circle.slug for circle in response.context["circles"]}


@pytest.fixture
def catalogue(sdgs):
    """Four visible circles that differ in every filter, and a draft and a finished one that match everything."""
    ballerup = factories.MunicipalityFactory(name="Ballerup", code="151")
    herlev = factories.MunicipalityFactory(name="Herlev", code="163")
    ballerup_library = factories.LibraryFactory(name="Ballerup Bibliotek", slug="ballerup", municipality=ballerup)
    herlev_library = factories.LibraryFactory(name="Herlev Bibliotek", slug="herlev", municipality=herlev)

    climate = factories.CircleFactory(
        slug="klima",
        title="Klima i hverdagen",
        description="Mad, transport og varme.",
        host_library=ballerup_library,
        sdgs=[sdgs[13]],
        audience=Audience.SENIORS,
        capacity=2,
    )
    factories.MembershipFactory.create_batch(2, circle=climate)
    factories.MembershipFactory(circle=climate, role=MembershipRole.FACILITATOR)
    meeting_at(climate, next_local(2, 10))

    equality = factories.CircleFactory(
        slug="ligestilling",
        title="Everyday equality",
        description="An online circle in English.",
        host_library=herlev_library,
        sdgs=[sdgs[5]],
        format=MeetingFormat.ONLINE,
        online_url="https://meet.cirkler.example/ligestilling",
        audience=Audience.YOUTH,
        language=Language.ENGLISH,
        status=CircleStatus.RUNNING,
    )
    meeting_at(equality, next_local(4, 19))

    water = factories.CircleFactory(
        slug="vandloeb",
        title="Renere vandløb på tværs",
        description="Vi rydder op i åen sammen.",
        host_library=ballerup_library,
        sdgs=[sdgs[6], sdgs[13]],
        kind=CircleKind.PROJECT_GROUP,
        format=MeetingFormat.HYBRID,
        online_url="https://meet.cirkler.example/vandloeb",
        audience=Audience.INTERGENERATIONAL,
        capacity=10,
    )
    water.partner_libraries.set([herlev_library])
    factories.MembershipFactory(circle=water)
    factories.MembershipFactory(circle=water, state=MembershipState.PENDING)
    meeting_at(water, next_local(1, 13))

    festival = factories.CircleFactory(
        slug="festival",
        title="Verdens bedste løsninger",
        description="Vidensfestival om energi.",
        host_library=herlev_library,
        sdgs=[sdgs[7]],
        kind=CircleKind.EVENT,
    )
    meeting_at(festival, next_local(6, 11))

    for status in (CircleStatus.DRAFT, CircleStatus.FINISHED):
        hidden = factories.CircleFactory(
            slug=f"skjult-{status}",
            title="Klima i hverdagen (skjult)",
            host_library=ballerup_library,
            sdgs=[sdgs[13], sdgs[5], sdgs[6], sdgs[7]],
            status=status,
        )
        hidden.partner_libraries.set([herlev_library])
        meeting_at(hidden, next_local(2, 10))
    return {"climate": climate, "equality": equality, "water": water, "festival": festival}


ALL_VISIBLE = {"klima", "ligestilling", "vandloeb", "festival"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ALL_VISIBLE),
        ({"sdg": "13"}, {"klima", "vandloeb"}),
        ({"sdg": ["5", "7"]}, {"ligestilling", "festival"}),
        ({"municipality": "163"}, {"ligestilling", "vandloeb", "festival"}),  # vandloeb: Herlev is a partner
        ({"library": "ballerup"}, {"klima", "vandloeb"}),
        ({"library": "herlev"}, {"ligestilling", "vandloeb", "festival"}),
        ({"format": "in_person"}, {"klima", "festival"}),
        ({"format": "online"}, {"ligestilling"}),
        ({"format": "hybrid"}, {"vandloeb"}),
        ({"audience": "seniors"}, {"klima"}),
        ({"audience": "intergenerational"}, {"vandloeb"}),
        ({"language": "en"}, {"ligestilling"}),
        ({"language": "da"}, {"klima", "vandloeb", "festival"}),
        ({"kind": "circle"}, {"klima", "ligestilling"}),
        ({"kind": "project"}, {"vandloeb"}),
        ({"kind": "event"}, {"festival"}),
        ({"weekday": "2"}, {"klima"}),
        ({"weekday": "1"}, {"vandloeb"}),
        ({"weekday": "7"}, set()),
        ({"free_seats": "on"}, {"ligestilling", "vandloeb", "festival"}),
        ({"q": "klima"}, {"klima"}),
        ({"q": "energi"}, {"festival"}),
    ],
)
def test_each_filter_narrows_the_list(client, catalogue, query, expected):
    assert found(client.get(list_url(), query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"sdg": "13", "format": "hybrid"}, {"vandloeb"}),
        ({"sdg": "13", "municipality": "163"}, {"vandloeb"}),
        ({"sdg": ["5", "13"], "free_seats": "on"}, {"ligestilling", "vandloeb"}),
        ({"library": "herlev", "kind": "event", "weekday": "6"}, {"festival"}),
        ({"audience": "seniors", "format": "online"}, set()),
        ({"q": "klima", "free_seats": "on"}, set()),
    ],
)
def test_filters_combine(client, catalogue, query, expected):
    assert found(client.get(list_url(), query)) == expected


def test_full_circle_has_no_free_seats_but_one_without_a_limit_has(client, catalogue):
    climate = catalogue["climate"]
    assert "klima" not in found(client.get(list_url(), {"free_seats": "on"}))
    climate.memberships.filter(role=MembershipRole.MEMBER).first().delete()
    assert "klima" in found(client.get(list_url(), {"free_seats": "on"}))
    climate.capacity = None
    climate.save()
    factories.MembershipFactory.create_batch(3, circle=climate)
    assert "klima" in found(client.get(list_url(), {"free_seats": "on"}))


def test_weekday_is_the_day_in_copenhagen_not_in_utc(client, library, sdgs):
    late = factories.CircleFactory(slug="sent", host_library=library, sdgs=[sdgs[13]])
    monday = timezone.now().astimezone(datetime.UTC).date() + datetime.timedelta(days=2)
    monday += datetime.timedelta(days=(0 - monday.weekday()) % 7)
    # 23:30 UTC on a Monday is half past midnight (or later in summer) on Tuesday in Copenhagen.
    meeting_at(late, datetime.datetime.combine(monday, datetime.time(23, 30), tzinfo=datetime.UTC))
    assert found(client.get(list_url(), {"weekday": "2"})) == {"sent"}
    assert found(client.get(list_url(), {"weekday": "1"})) == set()


def test_weekday_ignores_cancelled_and_past_meetings(client, library, sdgs):
    circle = factories.CircleFactory(slug="aflyst", host_library=library, sdgs=[sdgs[13]])
    meeting_at(circle, next_local(3, 10), cancelled=True)
    meeting_at(circle, next_local(3, 10) - datetime.timedelta(weeks=2))
    assert found(client.get(list_url(), {"weekday": "3"})) == set()
    meeting_at(circle, next_local(3, 10) + datetime.timedelta(weeks=1))
    assert found(client.get(list_url(), {"weekday": "3"})) == {"aflyst"}


@pytest.mark.parametrize(
    "query", [{}, {"q": "skjult"}, {"sdg": "13"}, {"weekday": "2"}, {"municipality": "151"}, {"library": "herlev"}]
)
def test_drafts_and_finished_circles_are_never_listed(client, catalogue, query):
    html = client.get(list_url(), query).content.decode()
    assert "skjult" not in found(client.get(list_url(), query))
    assert "(skjult)" not in html


def test_list_is_ordered_by_next_meeting_then_title(client, library, sdgs):
    soon = factories.CircleFactory(slug="snart", title="B snart", host_library=library)
    meeting_at(soon, timezone.now() + datetime.timedelta(days=1))
    later = factories.CircleFactory(slug="senere", title="A senere", host_library=library)
    meeting_at(later, timezone.now() + datetime.timedelta(days=5))
    factories.CircleFactory(slug="uden-b", title="D uden møder", host_library=library)
    factories.CircleFactory(slug="uden-a", title="C uden møder", host_library=library)
    response = client.get(list_url())
    assert [circle.slug for circle in response.context["circles"]] == ["snart", "senere", "uden-a", "uden-b"]


def test_text_search_ranks_title_matches_above_description_matches(client, library):
    in_description = factories.CircleFactory(
        slug="beskrivelse", title="Torsdagscirklen", description="Vi taler om klima.", host_library=library
    )
    meeting_at(in_description, timezone.now() + datetime.timedelta(days=1))
    in_title = factories.CircleFactory(slug="titel", title="Klima for alle", description="Kaffe.", host_library=library)
    meeting_at(in_title, timezone.now() + datetime.timedelta(days=9))
    response = client.get(list_url(), {"q": "klima"})
    assert [circle.slug for circle in response.context["circles"]] == ["titel", "beskrivelse"]


def test_pagination_keeps_the_filters(client, library, sdgs):
    for number in range(CATALOGUE_PAGE_SIZE + 5):
        factories.CircleFactory(title=f"Klima {number:02d}", host_library=library, sdgs=[sdgs[13]])
    factories.CircleFactory(title="Vand", host_library=library, sdgs=[sdgs[6]])
    first = client.get(list_url(), {"sdg": "13", "format": "in_person"})
    assert len(first.context["circles"]) == CATALOGUE_PAGE_SIZE
    html = first.content.decode()
    assert 'href="/cirkler/?sdg=13&amp;format=in_person&amp;page=2" rel="next"' in html
    second = client.get(list_url(), {"sdg": "13", "format": "in_person", "page": "2"})
    assert len(second.context["circles"]) == 5
    assert 'href="/cirkler/?sdg=13&amp;format=in_person&amp;page=1" rel="prev"' in second.content.decode()
    assert "Vand" not in {circle.title for circle in second.context["circles"]}


def test_several_goals_stay_in_the_page_links(client, library, sdgs):
    for number in range(CATALOGUE_PAGE_SIZE + 1):
        factories.CircleFactory(host_library=library, sdgs=[sdgs[5 if number % 2 else 13]])
    html = client.get(list_url(), {"sdg": ["5", "13"]}).content.decode()
    assert 'href="/cirkler/?sdg=5&amp;sdg=13&amp;page=2"' in html


def test_htmx_request_gets_only_the_results_block(client, catalogue):
    response = client.get(list_url("en"), {"sdg": "13"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    rendered = [template.name for template in response.templates if not template.name.startswith("django/")]
    assert rendered[0] == "circles/_results.html"
    assert "circles/list.html" not in {template.name for template in response.templates}
    assert "<html" not in html
    assert "<form" not in html
    assert '<span id="catalogue-count" hx-swap-oob="innerHTML">2 circles found</span>' in html
    assert found(response) == {"klima", "vandloeb"}
    assert "HX-Request" in response["Vary"]


def test_full_page_has_the_form_the_live_count_and_the_results(client, catalogue):
    response = client.get(list_url("en"), {"sdg": "13"})
    html = response.content.decode()
    assert "circles/list.html" in {template.name for template in response.templates}
    assert '<p id="catalogue-count" class="results-count" role="status">2 circles found</p>' in html
    assert 'hx-get="/en/cirkler/" hx-target="#catalogue-results" hx-push-url="true" hx-trigger="change, submit"' in html
    assert 'method="get" action="/en/cirkler/"' in html
    assert "<legend>Sustainable Development Goals</legend>" in html
    assert 'value="13" id="id_sdg_12" checked' in html
    assert '<a href="/en/cirkler/">Clear filters</a>' in html
    assert "hx-swap-oob" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, catalogue):
    response = client.get(
        list_url("en"), {"sdg": "13"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_empty_result_says_so_and_offers_to_clear_the_filters(client, catalogue):
    html = client.get(list_url("en"), {"q": "ingenting-her"}).content.decode()
    assert "0 circles found" in html
    assert "No circles match your choices." in html
    assert html.count('<a href="/en/cirkler/">Clear filters</a>') == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"sdg": "99"}, "sdg"),
        ({"sdg": "x"}, "sdg"),
        ({"weekday": "x"}, "weekday"),
        ({"weekday": "8"}, "weekday"),
        ({"format": "teleport"}, "format"),
        ({"municipality": "999"}, "municipality"),
        ({"library": "findes-ikke"}, "library"),
        ({"q": "klima " * 50}, "q"),
    ],
)
def test_invalid_filter_is_a_form_error_and_the_rest_still_applies(client, catalogue, query, field):
    response = client.get(list_url("en"), {**query, "kind": "project"})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert "Some of your choices could not be used" in html
    assert f'href="#id_{field}"' in html
    assert found(response) == {"vandloeb"}


@pytest.mark.parametrize(("page", "shown"), [("abc", 1), ("0", 1), ("-2", 1), ("2", 2), ("9999", 2), ("", 1)])
def test_odd_page_numbers_show_the_first_or_the_last_page(client, library, page, shown):
    factories.CircleFactory.create_batch(CATALOGUE_PAGE_SIZE + 1, host_library=library)
    response = client.get(list_url(), {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def test_selector_returns_a_page_of_visible_circles(catalogue):
    page = circle_search(filters={"sdg": [13], "free_seats": True}, page=1)
    assert [circle.slug for circle in page] == ["vandloeb"]
    assert page.paginator.count == 1
    assert page[0].seats_left == 9


def test_list_costs_the_same_queries_for_10_and_60_circles(client, sdgs):
    libraries = factories.LibraryFactory.create_batch(3)

    def add_circles(count: int) -> None:
        for number in range(count):
            circle = factories.CircleFactory(
                host_library=libraries[number % 3],
                sdgs=[sdgs[number % 17 + 1], sdgs[(number + 5) % 17 + 1]],
                capacity=10,
                venue=factories.VenueFactory(library=libraries[number % 3]),
            )
            circle.partner_libraries.set([libraries[(number + 1) % 3]])
            factories.MeetingFactory(circle=circle)
            factories.MembershipFactory.create_batch(2, circle=circle)

    def queries_for(query: dict) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(list_url(), query).status_code == 200
        return len(captured)

    filtered = {"sdg": [str(number) for number in range(1, 18)], "free_seats": "on", "q": "verdensmålene"}
    add_circles(10)
    few, few_filtered = queries_for({}), queries_for(filtered)
    add_circles(50)
    assert queries_for({}) == few
    assert queries_for({"page": "3"}) == few
    assert queries_for(filtered) == few_filtered
    assert few <= 8


def test_header_and_home_page_link_to_the_catalogue(client, catalogue):
    home = client.get("/en/").content.decode()
    assert '<li><a href="/en/cirkler/">Find a circle</a></li>' in home
    assert '<a class="button" href="/en/cirkler/">See all circles</a>' in home
    catalogue_page = client.get(list_url("en")).content.decode()
    assert '<a href="/en/cirkler/" aria-current="page">Find a circle</a>' in catalogue_page


@pytest.mark.postgres
def test_danish_stemming_finds_other_forms_of_a_word(client, library):
    bicycles = factories.CircleFactory(slug="cykler", title="Med cyklen gennem byen", host_library=library)
    factories.CircleFactory(slug="haver", title="Byhaver og bier", description="Vi planter.", host_library=library)
    assert found(client.get(list_url(), {"q": "cykler"})) == {bicycles.slug}
    assert found(client.get(list_url(), {"q": "cyklerne"})) == {bicycles.slug}
    assert found(client.get(list_url(), {"q": "byhaven"})) == {"haver"}
    # websearch syntax: a quoted phrase and a minus.
    assert found(client.get(list_url(), {"q": '"gennem byen" -bier'})) == {bicycles.slug}


@pytest.mark.postgres
def test_postgres_ranking_puts_a_title_match_above_a_description_match(client, library):
    in_description = factories.CircleFactory(
        slug="beskrivelse", title="Torsdagscirklen", description="Vi taler om cykler og byen.", host_library=library
    )
    meeting_at(in_description, timezone.now() + datetime.timedelta(days=1))
    in_title = factories.CircleFactory(slug="titel", title="Cyklen i byen", description="Kaffe.", host_library=library)
    meeting_at(in_title, timezone.now() + datetime.timedelta(days=9))
    response = client.get(list_url(), {"q": "cykler"})
    assert [circle.slug for circle in response.context["circles"]] == ["titel", "beskrivelse"]


@pytest.mark.sqlite
def test_sqlite_fallback_needs_every_word_in_title_or_description(client, library):
    both = factories.CircleFactory(
        slug="begge", title="Klima i hverdagen", description="Mad og transport.", host_library=library
    )
    factories.CircleFactory(slug="kun-klima", title="Klima", description="Kaffe.", host_library=library)
    assert found(client.get(list_url(), {"q": "klima transport"})) == {both.slug}
    assert found(client.get(list_url(), {"q": "KLIMA"})) == {both.slug, "kun-klima"}
    assert found(client.get(list_url(), {"q": "  "})) == {both.slug, "kun-klima"}
