from django.contrib import admin
from django.utils import timezone

from .models import Commitment, Initiative, Library, LibraryStaff, Municipality, Venue


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]


class VenueInline(admin.StackedInline):
    model = Venue
    extra = 0


class LibraryStaffInline(admin.TabularInline):
    model = LibraryStaff
    extra = 0
    autocomplete_fields = ["user"]


class InitiativeInline(admin.StackedInline):
    model = Initiative
    extra = 0
    fields = ["title", "area", "status", "sdgs", "description", "updated_at"]
    readonly_fields = ["updated_at"]
    filter_horizontal = ["sdgs"]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    fields = ["text", "position"]


def _mark_changed(initiative: Initiative) -> None:
    # The services set "last changed" on every change; an edit in the admin is a change too.
    initiative.updated_at = timezone.now()


@admin.register(Library)
class LibraryAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "city"]
    list_filter = ["municipality__region", "municipality"]
    search_fields = ["name", "city", "municipality__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [VenueInline, LibraryStaffInline, InitiativeInline, CommitmentInline]

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is Initiative:
            for initiative_form in formset.forms:
                if initiative_form.has_changed():
                    _mark_changed(initiative_form.instance)
        super().save_formset(request, form, formset, change)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "library", "step_free", "hearing_loop"]
    list_filter = ["step_free", "hearing_loop", "library"]
    search_fields = ["name", "address", "library__name"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "library", "area", "status", "updated_at"]
    list_filter = ["area", "status", "library__municipality", "library", "sdgs"]
    search_fields = ["title", "description", "library__name"]
    filter_horizontal = ["sdgs"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "updated_at"

    def save_model(self, request, obj: Initiative, form, change) -> None:
        _mark_changed(obj)
        super().save_model(request, obj, form, change)


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["text", "library", "position"]
    list_filter = ["library__municipality", "library"]
    search_fields = ["text", "library__name"]
    list_editable = ["position"]
