from django.contrib import admin

from .models import Resource


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "format", "owner_library", "visibility", "licence", "created_at"]
    list_filter = ["format", "visibility", "licence", "language", "owner_library"]
    search_fields = ["title", "description"]
    filter_horizontal = ["sdgs"]
