"""A library's public page, and the pages where its staff edit it.

Edit pages: anonymous visitors are sent to the login page, people who may not edit the
library get 403. Each view parses a form, calls one service and redirects back.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import may_edit_library
from config.errors import ServiceError

from . import services
from .forms import CommitmentEditForm, CommitmentForm, InitiativeForm, LibraryForm, VenueForm
from .models import Commitment, Initiative, Library, Venue
from .selectors import library_get_public

ACTION_PLAN_ANCHOR = "#action-plan-title"
COMMITMENTS_ANCHOR = "#commitments-title"
VENUES_ANCHOR = "#venues-title"


def library_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        library = library_get_public(slug=slug)
    except Library.DoesNotExist:
        raise Http404 from None
    return TemplateResponse(
        request,
        "libraries/detail.html",
        {"library": library, "may_edit": may_edit_library(request.user, library)},
    )


def _posted(request: HttpRequest):
    """The submitted data on POST, None on GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def _editable_library(request: HttpRequest, slug: str) -> Library:
    library = get_object_or_404(Library, slug=slug)
    if not may_edit_library(request.user, library):
        raise PermissionDenied
    return library


def _editable_part(request: HttpRequest, model: type, slug: str, pk: int):
    """An initiative, commitment or venue of the library at `slug` that the person may edit."""
    part = get_object_or_404(model.objects.select_related("library"), pk=pk, library__slug=slug)
    if not may_edit_library(request.user, part.library):
        raise PermissionDenied
    return part


def _saved(form: BaseForm, service: Callable, **arguments) -> bool:
    """Call the service; a refusal becomes a 403 or errors on the form. True when it was saved."""
    try:
        service(**arguments)
    except ServiceError as error:
        if error.code == "not_allowed":
            raise PermissionDenied from error
        form.add_error(None, error.message)
        return False
    except ValidationError as error:
        errors = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
        for field, field_errors in errors.items():
            form.add_error(field if field in form.fields else None, field_errors)
        return False
    return True


def _back_to(request: HttpRequest, library: Library, anchor: str, message: str) -> HttpResponse:
    messages.success(request, message)
    return HttpResponseRedirect(library.get_absolute_url() + anchor)


@login_required
@require_http_methods(["GET", "POST"])
def library_edit(request: HttpRequest, slug: str) -> HttpResponse:
    library = _editable_library(request, slug)
    form = LibraryForm(_posted(request), instance=library)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(form, services.library_update, updated_by=request.user, library=library, **form.cleaned_data)
    ):
        return _back_to(request, library, "", _("The library's details are saved."))
    return TemplateResponse(request, "libraries/library_form.html", {"library": library, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def venue_create(request: HttpRequest, slug: str) -> HttpResponse:
    library = _editable_library(request, slug)
    form = VenueForm(_posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(form, services.venue_create, created_by=request.user, library=library, **form.cleaned_data)
    ):
        return _back_to(request, library, VENUES_ANCHOR, _("The meeting place is added."))
    return TemplateResponse(request, "libraries/venue_form.html", {"library": library, "form": form, "venue": None})


@login_required
@require_http_methods(["GET", "POST"])
def venue_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    venue = _editable_part(request, Venue, slug, pk)
    form = VenueForm(_posted(request), instance=venue)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(form, services.venue_update, updated_by=request.user, venue=venue, **form.cleaned_data)
    ):
        return _back_to(request, venue.library, VENUES_ANCHOR, _("The meeting place is saved."))
    return TemplateResponse(
        request, "libraries/venue_form.html", {"library": venue.library, "form": form, "venue": venue}
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_create(request: HttpRequest, slug: str) -> HttpResponse:
    library = _editable_library(request, slug)
    form = InitiativeForm(_posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(form, services.initiative_create, created_by=request.user, library=library, **form.cleaned_data)
    ):
        return _back_to(request, library, ACTION_PLAN_ANCHOR, _("The initiative is added to the action plan."))
    return TemplateResponse(
        request, "libraries/initiative_form.html", {"library": library, "form": form, "initiative": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _editable_part(request, Initiative, slug, pk)
    form = InitiativeForm(_posted(request), instance=initiative)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form, services.initiative_update, updated_by=request.user, initiative=initiative, **form.cleaned_data
        )
    ):
        return _back_to(request, initiative.library, ACTION_PLAN_ANCHOR, _("The initiative is saved."))
    return TemplateResponse(
        request,
        "libraries/initiative_form.html",
        {"library": initiative.library, "form": form, "initiative": initiative},
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _editable_part(request, Initiative, slug, pk)
    if request.method == "POST":
        try:
            services.initiative_delete(deleted_by=request.user, initiative=initiative)
        except ServiceError as error:
            raise PermissionDenied from error
        return _back_to(request, initiative.library, ACTION_PLAN_ANCHOR, _("The initiative is deleted."))
    return TemplateResponse(
        request, "libraries/initiative_confirm_delete.html", {"library": initiative.library, "initiative": initiative}
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request: HttpRequest, slug: str) -> HttpResponse:
    library = _editable_library(request, slug)
    form = CommitmentForm(_posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(form, services.commitment_create, created_by=request.user, library=library, **form.cleaned_data)
    ):
        return _back_to(request, library, COMMITMENTS_ANCHOR, _("The commitment is added."))
    return TemplateResponse(
        request, "libraries/commitment_form.html", {"library": library, "form": form, "commitment": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    commitment = _editable_part(request, Commitment, slug, pk)
    form = CommitmentEditForm(_posted(request), instance=commitment)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form, services.commitment_update, updated_by=request.user, commitment=commitment, **form.cleaned_data
        )
    ):
        return _back_to(request, commitment.library, COMMITMENTS_ANCHOR, _("The commitment is saved."))
    return TemplateResponse(
        request,
        "libraries/commitment_form.html",
        {"library": commitment.library, "form": form, "commitment": commitment},
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    commitment = _editable_part(request, Commitment, slug, pk)
    if request.method == "POST":
        try:
            services.commitment_delete(deleted_by=request.user, commitment=commitment)
        except ServiceError as error:
            raise PermissionDenied from error
        return _back_to(request, commitment.library, COMMITMENTS_ANCHOR, _("The commitment is deleted."))
    return TemplateResponse(
        request, "libraries/commitment_confirm_delete.html", {"library": commitment.library, "commitment": commitment}
    )
