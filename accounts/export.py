"""'Download my data': everything linked to a person, as a ZIP with one JSON file and their uploads.

The export walks every model with a relation to the user model, so a model added later is
exported without anyone remembering to add it here.
"""

import io
import json
import zipfile
from dataclasses import dataclass

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .models import User

# Fields never handed out, even to their owner: secrets that would weaken the account if the file leaked.
WITHHELD_FIELDS = {
    ("accounts", "user", "password"),
    ("mfa", "authenticator", "data"),
}


@dataclass(frozen=True)
class UserRelation:
    """One field through which a model points at a person."""

    model: type[models.Model]
    field_name: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field_name}"


def user_relations() -> list[UserRelation]:
    """Every foreign key, one-to-one and many-to-many field, in every installed model, that points at User."""
    relations = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is User:
                relations.append(UserRelation(model=model, field_name=field.name))
    return sorted(relations, key=lambda relation: relation.label)


def _row(instance: models.Model) -> dict:
    meta = instance._meta
    row = {}
    for field in meta.concrete_fields:
        if (meta.app_label, meta.model_name, field.name) in WITHHELD_FIELDS:
            continue
        value = field.value_from_object(instance)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        row[field.name] = value
    for field in meta.many_to_many:
        row[field.name] = [related.pk for related in getattr(instance, field.name).all()]
    return row


def personal_data(user: User) -> tuple[dict, list]:
    """(the JSON document, the stored files it names) for one person."""
    document: dict = {
        "exported_at": timezone.now(),
        "person": _row(user),
        "linked": {},
    }
    files = []
    for relation in user_relations():
        rows = relation.model._default_manager.filter(**{relation.field_name: user}).distinct()
        document["linked"][relation.label] = [_row(instance) for instance in rows]
        for instance in rows:
            for field in instance._meta.concrete_fields:
                if isinstance(field, models.FileField) and getattr(instance, field.name):
                    files.append(getattr(instance, field.name))
    return document, files


def personal_data_zip(user: User) -> bytes:
    """The ZIP a person downloads: data.json and their uploaded files under files/."""
    document, files = personal_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        # One file can be linked to a person twice (a material they shared and whose file they uploaded).
        for name, stored in {stored.name: stored for stored in files}.items():
            with stored.open("rb") as handle:
                archive.writestr(f"files/{name}", handle.read())
    return buffer.getvalue()
