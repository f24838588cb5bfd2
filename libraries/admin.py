from django.contrib import admin

from .models import Library, LibraryStaff, Municipality, Venue


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


@admin.register(Library)
class LibraryAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "city"]
    list_filter = ["municipality__region", "municipality"]
    search_fields = ["name", "city", "municipality__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [VenueInline, LibraryStaffInline]


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "library", "step_free", "hearing_loop"]
    list_filter = ["step_free", "hearing_loop", "library"]
    search_fields = ["name", "address", "library__name"]
