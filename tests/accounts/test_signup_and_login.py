"""Sign-up, e-mail verification and login by code through allauth, as configured for Cirkler."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from accounts.models import User
from tests import factories

CODE_LINE = re.compile(r"^\s*([A-Z0-9][A-Z0-9-]{3,14})\s*$", re.MULTILINE)


def code_from(message) -> str:
    match = CODE_LINE.search(message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def test_a_person_signs_up_without_a_password_and_confirms_by_code(client, db):
    response = client.post("/konto/signup/", {"email": "Ny.Borger@Example.dk", "display_name": "Ny Borger"})
    assert response.status_code == 302
    assert response["Location"] == "/konto/confirm-email/"
    user = User.objects.get(email__iexact="ny.borger@example.dk")
    assert user.display_name == "Ny Borger"
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ny.borger@example.dk"]

    response = client.post("/konto/confirm-email/", {"code": code_from(mail.outbox[0])})
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified
    assert client.get("/").context["user"] == user


def test_the_signup_page_asks_for_name_and_e_mail_and_offers_an_optional_password(client, db):
    form = client.get("/konto/signup/").context["form"]
    assert form.fields["email"].required
    assert form.fields["display_name"].required
    assert not form.fields["password1"].required


def test_login_by_code_sent_by_e_mail(client, user):
    response = client.post("/konto/login/code/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    response = client.post(response["Location"], {"code": code_from(mail.outbox[0])})
    assert response.status_code == 302
    assert client.get("/").context["user"] == user


def test_login_with_a_password(client, user):
    response = client.post("/konto/login/", {"login": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"] == user


def test_unverified_address_must_confirm_before_logging_in(client, db):
    person = factories.UserFactory(verified=False)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=person, email=person.email, verified=False, primary=True)
    response = client.post("/konto/login/", {"login": person.email, "password": factories.PASSWORD})
    assert response["Location"] == "/konto/confirm-email/"
    assert client.get("/").context["user"].is_anonymous


def test_a_wrong_password_gets_a_plain_danish_error(client, user):
    response = client.post("/konto/login/", {"login": user.email, "password": "forkert"})
    assert response.status_code == 200
    assert "E-mailadressen eller adgangskoden er ikke rigtig." in response.content.decode()


TOO_MANY = "Det var for mange forsøg."


def test_repeated_failed_logins_for_one_address_block_even_the_right_password(client, user):
    for _attempt in range(5):
        client.post("/konto/login/", {"login": user.email, "password": "forkert"})
    response = client.post("/konto/login/", {"login": user.email, "password": factories.PASSWORD})
    assert TOO_MANY in response.content.decode()
    assert client.get("/").context["user"].is_anonymous


def test_failed_logins_are_counted_per_client_even_with_a_spoofed_forwarded_for(client, db):
    """X-Forwarded-For is not trusted without ALLAUTH_TRUSTED_PROXY_COUNT: a new fake address each try does not help."""
    people = [factories.UserFactory() for _ in range(11)]
    for number, person in enumerate(people[:10]):
        client.post(
            "/konto/login/",
            {"login": person.email, "password": "forkert"},
            headers={"x-forwarded-for": f"203.0.113.{number}"},
        )
    last = people[10]
    response = client.post(
        "/konto/login/",
        {"login": last.email, "password": factories.PASSWORD},
        headers={"x-forwarded-for": "198.51.100.7"},
    )
    assert TOO_MANY in response.content.decode()
    assert client.get("/").context["user"].is_anonymous


def test_django_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")
