from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.redirects import redirect_to_next

from . import services
from .export import personal_data_zip
from .forms import AccountDeleteForm, DisplayPreferencesForm, EmailPreferencesForm, ProfileForm
from .inventory import INVENTORY
from .selectors import display_preferences


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    return TemplateResponse(request, "accounts/profile.html", {"form": form})


@require_http_methods(["GET", "POST"])
def display(request: HttpRequest) -> HttpResponse:
    """Text size, contrast and motion: for everyone, logged in or not."""
    form = DisplayPreferencesForm(request.POST or None, initial=display_preferences(request))
    if request.method == "POST" and form.is_valid():
        services.display_preferences_set(request=request, **form.cleaned_data)
        messages.success(request, _("Your choices are saved and used on every page."))
        return redirect_to_next(request, reverse("accounts:display"))
    return TemplateResponse(request, "accounts/display.html", {"form": form, "next": request.GET.get("next", "")})


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    form = EmailPreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.email_preferences_update(
            user=request.user,
            meeting_reminders=form.cleaned_data["email_meeting_reminders"],
            mentions=form.cleaned_data["email_mentions"],
            weekly_digest=form.cleaned_data["email_weekly_digest"],
        )
        messages.success(request, _("Your e-mail choices are saved."))
        return redirect("accounts:email_preferences")
    return TemplateResponse(request, "accounts/email_preferences.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def data_export(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return TemplateResponse(request, "accounts/data_export.html")
    response = HttpResponse(personal_data_zip(request.user), content_type="application/zip")
    filename = f"cirkler-mine-data-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.account_delete(user=user, keep_messages=form.cleaned_data["messages"] == AccountDeleteForm.KEEP)
        messages.success(request, _("Your account and your personal data are deleted. Thank you for taking part."))
        return redirect("home")
    return TemplateResponse(request, "accounts/delete.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    """The address of the person's private calendar feed, and a button to make a new one."""
    if request.method == "POST":
        services.calendar_token_renew(user=request.user)
        messages.success(request, _("You have a new calendar address. The old one no longer works."))
        return redirect("accounts:calendar")
    feed_url = request.build_absolute_uri(reverse("person_calendar", kwargs={"token": request.user.calendar_token}))
    webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    return TemplateResponse(request, "accounts/calendar.html", {"feed_url": feed_url, "webcal_url": webcal_url})


def privacy(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "privacy.html", {"inventory": INVENTORY})
