from django.contrib import admin

from .models import SDG, Attendance, Circle, Feedback, Meeting, MeetingReminder, Membership, ProjectAction


@admin.register(SDG)
class SDGAdmin(admin.ModelAdmin):
    list_display = ["number", "name_da", "name_en", "colour"]
    search_fields = ["name_da", "name_en"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class MeetingInline(admin.TabularInline):
    model = Meeting
    extra = 0
    fields = ["starts_at", "ends_at", "venue", "cancelled"]


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "format", "audience", "host_library", "starts_on"]
    list_filter = ["kind", "status", "format", "audience", "language", "host_library__municipality", "sdgs"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["sdgs", "partner_libraries"]
    inlines = [MembershipInline, MeetingInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["circle", "starts_at", "venue", "cancelled"]
    list_filter = ["cancelled", "circle__host_library"]
    search_fields = ["circle__title", "agenda"]
    date_hierarchy = "starts_at"


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "circle", "role", "state", "created_at"]
    list_filter = ["role", "state"]
    search_fields = ["user__email", "user__display_name", "circle__title"]
    autocomplete_fields = ["user", "circle"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "present", "recorded_at"]
    list_filter = ["present", "meeting__circle__host_library"]
    search_fields = ["user__email", "user__display_name", "meeting__circle__title"]
    autocomplete_fields = ["user", "recorded_by"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["meeting", "rating", "created_at"]
    list_filter = ["rating", "meeting__circle__host_library"]
    search_fields = ["comment", "meeting__circle__title"]


@admin.register(ProjectAction)
class ProjectActionAdmin(admin.ModelAdmin):
    list_display = ["title", "circle", "owner", "due_on", "status"]
    list_filter = ["status", "sdg"]
    search_fields = ["title", "description", "circle__title"]
    autocomplete_fields = ["owner"]


@admin.register(MeetingReminder)
class MeetingReminderAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "starts_at", "sent_at"]
    list_filter = ["sent_at"]
    search_fields = ["user__email", "meeting__circle__title"]
    readonly_fields = ["meeting", "user", "starts_at", "sent_at"]
