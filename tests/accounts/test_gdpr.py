"""'Download my data' and 'Delete my account'."""

import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, models

from accounts.export import personal_data
from accounts.inventory import INVENTORY
from accounts.services import account_delete
from chat.groups import user_group_name
from chat.models import Message
from chat.services import message_post
from circles.models import Membership
from resources.models import Resource, ResourceFormat, Visibility
from tests import factories

User = get_user_model()


def relations_to_user_found_independently() -> set[str]:
    """Every field on any model pointing at User, found from the User side (reverse relations)."""
    found = set()
    for relation in User._meta.related_objects:
        field = relation.remote_field
        found.add(f"{relation.related_model._meta.label_lower}.{field.name}")
    return found


def test_export_covers_every_model_that_points_at_a_person(user):
    document, _files = personal_data(user)
    expected = relations_to_user_found_independently()
    assert expected, "found no relations at all"
    assert expected <= set(document["linked"]), expected - set(document["linked"])


def test_inventory_names_every_field_of_the_user_and_every_relation_to_a_person():
    listed = {item.where for item in INVENTORY}
    user_fields = {f"accounts.user.{field.name}" for field in User._meta.concrete_fields if field.name != "id"}
    missing = (user_fields | relations_to_user_found_independently()) - listed
    assert missing == set()


@pytest.fixture
def active_person(circle, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    membership = factories.MembershipFactory(circle=circle, user=factories.UserFactory(display_name="Ingrid Skovgaard"))
    person = membership.user
    message_post(room=circle.room, author=person, body="Jeg tager kaffe med", client_id=uuid.uuid4())
    factories.LibraryStaffFactory(library=circle.host_library, user=person)
    handout = Resource(
        title="Mine noter",
        format=ResourceFormat.HANDOUT,
        owner_library=circle.host_library,
        circle=circle,
        visibility=Visibility.CIRCLE,
        created_by=person,
    )
    handout.file.save("noter.txt", ContentFile(b"Ingrid Skovgaard skrev disse noter"), save=True)
    return person


def test_download_gives_a_zip_with_data_and_files(client, active_person):
    client.force_login(active_person)
    response = client.post("/konto/mine-data/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="cirkler-mine-data-')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    document = json.loads(archive.read("data.json"))
    assert document["person"]["email"] == active_person.email
    assert "password" not in document["person"]
    assert [row["body"] for row in document["linked"]["chat.message.author"]] == ["Jeg tager kaffe med"]
    assert len(document["linked"]["circles.membership.user"]) == 1
    assert len(document["linked"]["libraries.librarystaff.user"]) == 1
    stored = document["linked"]["resources.resource.created_by"][0]["file"]
    assert archive.read(f"files/{stored}") == b"Ingrid Skovgaard skrev disse noter"


def test_download_is_a_post_so_a_link_cannot_trigger_it(client, user):
    client.force_login(user)
    response = client.get("/konto/mine-data/")
    assert response["Content-Type"].startswith("text/html")


def _text_columns_containing(needle: str) -> list[str]:
    """Every (table.column) in the database whose text contains `needle`, case-insensitively."""
    hits = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                if isinstance(
                    field,
                    (
                        models.CharField,
                        models.TextField,
                        models.EmailField,
                        models.JSONField,
                        models.GenericIPAddressField,
                    ),
                ):
                    column = connection.ops.quote_name(field.column)
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} WHERE LOWER(CAST({column} AS TEXT)) LIKE %s",  # noqa: S608
                        [f"%{needle.lower()}%"],
                    )
                    if cursor.fetchone()[0]:
                        hits.append(f"{table}.{field.column}")
    return hits


@pytest.mark.parametrize("keep_messages", [True, False])
def test_deleting_an_account_leaves_no_trace_of_the_name_or_address(active_person, keep_messages):
    email, name = active_person.email, active_person.display_name
    message = Message.objects.get(author=active_person)
    assert _text_columns_containing(email) and _text_columns_containing(name)

    account_delete(user=active_person, keep_messages=keep_messages)

    assert _text_columns_containing(email) == []
    assert _text_columns_containing(name) == []
    assert not Membership.objects.filter(user_id=active_person.pk).exists()
    message.refresh_from_db()
    assert message.author is None
    assert message.body == ("Jeg tager kaffe med" if keep_messages else "")
    assert (message.deleted_at is None) is keep_messages
    assert not Resource.objects.filter(title="Mine noter").exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_an_account_removes_private_files_after_commit(active_person):
    path = Path(Resource.objects.get(created_by=active_person).file.path)
    assert path.exists()
    account_delete(user=active_person, keep_messages=True)
    assert not path.exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_an_account_tells_the_persons_open_sockets_to_close(active_person):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group_name(active_person.pk), channel)
    account_delete(user=active_person, keep_messages=True)
    event = async_to_sync(layer.receive)(channel)
    assert event == {"type": "account.closed"}


def test_delete_flow_reauthenticates_ends_sessions_and_logs_out(client, user):
    cache.clear()
    other_device = type(client)()
    for device in (client, other_device):
        response = device.post("/konto/login/", {"login": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302
    response = client.post("/konto/slet/", {"messages": "keep", "confirm": "on"})
    assert response["Location"].startswith("/konto/reauthenticate/")
    assert User.objects.filter(pk=user.pk).exists()
    response = client.post("/konto/reauthenticate/", {"password": factories.PASSWORD})
    assert response.status_code == 302
    response = client.post("/konto/slet/", {"messages": "keep", "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(pk=user.pk).exists()
    assert client.get("/konto/profil/").status_code == 302
    assert other_device.get("/konto/profil/").status_code == 302


def test_delete_without_confirming_changes_nothing(client, user):
    cache.clear()
    client.post("/konto/login/", {"login": user.email, "password": factories.PASSWORD})
    client.post("/konto/reauthenticate/", {"password": factories.PASSWORD})
    response = client.post("/konto/slet/", {"messages": "keep"})
    assert response.status_code == 200
    assert "Sæt flueben" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
