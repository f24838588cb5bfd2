from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "municipality", "home_library", "text_size"]
    search_fields = ["email", "display_name"]
    autocomplete_fields = ["home_library"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["display_name", "municipality", "home_library", "bio", "languages"]}),
        (
            _("Preferences"),
            {
                "fields": [
                    "text_size",
                    "high_contrast",
                    "reduced_motion",
                    "email_meeting_reminders",
                    "email_mentions",
                    "email_weekly_digest",
                ]
            },
        ),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})]
