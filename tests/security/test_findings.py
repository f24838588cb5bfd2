"""Bugs the security tests found, kept as regression tests (fixed by config.redirects.redirect_to_next)."""

import uuid

from django.test import Client
from django.urls import reverse

from .scenario import Scenario

# Django's redirect() reads a string without "/" or "." as a view name: a `next` of "0" (which
# url_has_allowed_host_and_scheme accepts as a relative address) raises NoReverseMatch, a 500.


def test_display_preferences_with_a_next_that_looks_like_a_view_name_is_not_a_500(scenario: Scenario):
    client = Client(raise_request_exception=False)
    response = client.post(reverse("accounts:display"), {"text_size": "normal", "next": "0"})
    assert response.status_code < 500


def test_chat_room_post_with_a_next_that_looks_like_a_view_name_is_not_a_500(scenario: Scenario):
    client = Client(raise_request_exception=False)
    client.force_login(scenario.member)
    response = client.post(
        reverse("chat:room", kwargs={"room_id": scenario.room.pk}),
        {"body": "Hej", "client_id": str(uuid.uuid4()), "next": "0"},
    )
    assert response.status_code < 500


def test_moderation_form_with_a_next_that_looks_like_a_view_name_is_not_a_500(scenario: Scenario):
    client = Client(raise_request_exception=False)
    client.force_login(scenario.facilitator)
    response = client.post(reverse("chat:room_lock", kwargs={"room_id": scenario.room.pk}), {"next": "0"})
    assert response.status_code < 500
