"""Whatever a person types into the sharing form, it is refused with a message or stored and shown escaped."""

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import ServiceError
from resources import services
from resources.forms import ResourceForm
from resources.models import Licence, ResourceFormat, Visibility

texts = st.text(st.characters(codec="utf-8"), max_size=260)
choices = lambda values: st.one_of(st.sampled_from(list(values)), texts)  # noqa: E731


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=texts,
    description=texts,
    url=st.one_of(texts, st.just("https://materialer.example/plan"), st.just("javascript:alert(1)")),
    format=choices(ResourceFormat.values),
    licence=choices(Licence.values),
    visibility=choices(Visibility.values),
    language=choices(["da", "en"]),
)
def test_the_sharing_form_never_breaks_and_never_shows_markup(
    library, library_staff, title, description, url, format, licence, visibility, language
):
    data = {
        "title": title,
        "description": description,
        "url": url,
        "format": format,
        "licence": licence,
        "visibility": visibility,
        "language": language,
        "owner_library": library.pk,
    }
    with transaction.atomic():
        form = ResourceForm(data, user=library_staff, new=True)
        if form.is_valid():
            arguments = {
                key: value
                for key, value in form.service_arguments().items()
                if key not in ("shows_people", "people_consent")
            }
            try:
                resource = services.resource_create_link(created_by=library_staff, **arguments)
            except ServiceError:
                resource = None
            if resource is not None:
                assert resource.url.startswith(("http://", "https://"))
                client = Client()
                client.force_login(library_staff)
                html = client.get(resource.get_absolute_url()).content.decode()
                assert "<script" not in html.split("<main", 1)[1].lower()
        transaction.set_rollback(True)
