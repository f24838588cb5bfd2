"""What the pages no longer pay on every request: the session list's write, and partials rendered before."""

import uuid

import pytest
from allauth.usersessions.models import UserSession
from django.urls import reverse

from chat.services import message_post
from tests import factories

pytestmark = pytest.mark.redis


def templates_rendered(response) -> list[str]:
    return [template.name for template in response.templates]


def test_the_session_list_is_written_once_a_minute_unless_the_browser_changes(client, member):
    client.force_login(member)
    client.get("/")
    session = UserSession.objects.get(user=member)

    client.get("/")
    assert UserSession.objects.get(pk=session.pk).last_seen_at == session.last_seen_at

    client.get("/", HTTP_USER_AGENT="Another browser")
    changed = UserSession.objects.get(pk=session.pk)
    assert changed.user_agent == "Another browser"
    assert changed.last_seen_at > session.last_seen_at


def test_the_room_page_renders_a_message_again_only_when_what_it_shows_changed(client, circle, member):
    member.display_name = "Gammelt Navn"
    member.save()
    message_post(room=circle.room, author=member, body="Hej alle", client_id=uuid.uuid4())
    client.force_login(member)
    url = reverse("chat:room", kwargs={"room_id": circle.room.pk})

    first = client.get(url)
    assert "chat/_message.html" in templates_rendered(first)
    again = client.get(url)
    assert "chat/_message.html" not in templates_rendered(again)
    assert again.content.decode().count("Gammelt Navn") == first.content.decode().count("Gammelt Navn")

    member.display_name = "Nyt Navn"
    member.save()
    renamed = client.get(url)
    assert "chat/_message.html" in templates_rendered(renamed)
    assert "Gammelt Navn" not in renamed.content.decode()
    assert '<span class="chat-author">Nyt Navn</span>' in renamed.content.decode()


def test_a_circle_card_is_rendered_again_when_its_seats_change(client, library):
    circle = factories.CircleFactory(host_library=library, capacity=3, title="Cirklen med tre pladser")
    url = "/en" + reverse("circles:list")

    first = client.get(url)
    assert "circles/_card.html" in templates_rendered(first)
    assert "3 seats left" in first.content.decode()
    assert "circles/_card.html" not in templates_rendered(client.get(url))

    factories.MembershipFactory(circle=circle)
    joined = client.get(url)
    assert "circles/_card.html" in templates_rendered(joined)
    assert "2 seats left" in joined.content.decode()


def test_the_catalogue_filters_are_rendered_again_when_their_choices_change(client, library):
    factories.CircleFactory(host_library=library)
    url = reverse("circles:list")

    assert "django/forms/field.html" in templates_rendered(client.get(url))
    assert "django/forms/field.html" not in templates_rendered(client.get(url))

    other = factories.LibraryFactory(name="Et nyt bibliotek")
    factories.CircleFactory(host_library=other)
    changed = client.get(url)
    assert "django/forms/field.html" in templates_rendered(changed)
    assert f'<option value="{other.slug}">Et nyt bibliotek</option>' in changed.content.decode()


def test_kept_partials_stay_within_their_character_budget_however_long_the_items():
    """A few thousand 4,000-character chat messages must not hold a hundred megabytes per process."""
    from config.partials import RenderedPartials

    partials = RenderedPartials("chat/_pins.html", size=1000, max_chars=50_000)
    for number in range(200):
        body = f"{number} " + "y" * 4000
        partials.render((number, body), {"pinned_messages": []})
        assert partials.chars <= 50_000
    kept = list(partials._rendered)
    assert 5 <= len(kept) < 20
    # The newest stay, the oldest went first.
    assert kept[-1][-2] == 199
    assert partials.chars == sum(
        len(html) + len(key[-1]) + sum(len(part) for part in key[:3]) for key, html in partials._rendered.items()
    )
