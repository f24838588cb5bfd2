from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import RemovalRequest, Resource, ResourceAdoption, ResourceVersion


class ResourceVersionInline(admin.TabularInline):
    model = ResourceVersion
    # The file has no public address: editors download earlier versions from the resource's page.
    fields = ["number", "filename", "content_type", "size", "uploaded_at", "uploaded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class ResourceAdoptionInline(admin.TabularInline):
    model = ResourceAdoption
    fields = ["library", "adopted_by", "adopted_at"]
    readonly_fields = ["adopted_by", "adopted_at"]
    extra = 0


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "format", "owner_library", "visibility", "licence", "created_at"]
    list_filter = ["format", "visibility", "licence", "language", "owner_library"]
    search_fields = ["title", "description"]
    filter_horizontal = ["sdgs"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Files are uploaded and replaced through the site's own checked forms, never here.
    exclude = ["file", "thumbnail"]
    readonly_fields = [
        "stored_file",
        "filename",
        "content_type",
        "size",
        "inline_ok",
        "version",
        "file_uploaded_at",
        "file_uploaded_by",
    ]
    inlines = [ResourceVersionInline, ResourceAdoptionInline]

    @admin.display(description=_("file"))
    def stored_file(self, resource: Resource) -> str:
        if not resource.file:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("resources:download", args=[resource.pk]), resource.filename)


@admin.register(RemovalRequest)
class RemovalRequestAdmin(admin.ModelAdmin):
    list_display = ["resource_title", "library", "name", "email", "created_at", "status", "handled_at"]
    list_filter = ["status"]
    readonly_fields = [
        "resource",
        "library",
        "resource_title",
        "name",
        "email",
        "reason",
        "requested_by",
        "created_at",
        "status",
        "decline_reason",
        "handled_at",
    ]
    search_fields = ["resource__title", "name", "email"]
