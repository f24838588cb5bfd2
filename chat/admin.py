from django.contrib import admin

from .models import Message, ModerationAction, Reaction, ReadState, Report, Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["circle", "last_seq", "created_at"]
    search_fields = ["circle__title"]
    readonly_fields = ["last_seq"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["room", "seq", "author", "created_at", "deleted_at"]
    list_filter = ["room"]
    search_fields = ["body", "author__email", "author__display_name"]
    readonly_fields = ["room", "seq", "client_id", "author", "created_at"]


@admin.register(Reaction)
class ReactionAdmin(admin.ModelAdmin):
    list_display = ["message", "user", "emoji", "created_at"]
    raw_id_fields = ["message", "user"]


@admin.register(ReadState)
class ReadStateAdmin(admin.ModelAdmin):
    list_display = ["room", "user", "last_read_seq", "updated_at"]
    raw_id_fields = ["room", "user"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["message", "reporter", "reason", "state", "created_at", "resolved_by"]
    list_filter = ["state", "reason"]
    raw_id_fields = ["message", "reporter", "resolved_by"]


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ["room", "actor", "kind", "target", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["room", "actor", "target", "message"]
