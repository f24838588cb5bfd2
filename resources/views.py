from urllib.parse import quote

from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import (
    may_edit_resource,
    may_handle_removal_requests,
    may_upload_resource,
    may_view_resource,
)
from circles.models import Circle
from circles.views import _page_number
from config.errors import ServiceError
from libraries.models import Library

from . import errors, services
from .forms import (
    AdoptForm,
    RemovalDeclineForm,
    RemovalRequestForm,
    ResourceFilterForm,
    ResourceForm,
    ShareForm,
    VersionForm,
)
from .models import RemovalRequest, Resource, Visibility
from .selectors import (
    downloads_per_library,
    libraries_that_may_adopt,
    open_removal_request_count,
    removal_requests_of,
    resource_for_page,
    resource_search,
    rooms_for_sharing,
    versions_of,
)

# Uploaded files never run as a page, even if a browser ignored the declared type.
FILE_SANDBOX = "default-src 'none'; img-src 'self'; sandbox"


class _LoginNeeded(Exception):
    pass


def _resource(request: HttpRequest, pk: int, *, edit: bool = False) -> Resource:
    """The resource if the person may see it (and edit it, with edit=True); 404 when they may not see it at all."""
    try:
        resource = resource_for_page(pk=pk)
    except Resource.DoesNotExist:
        raise Http404 from None
    if not may_view_resource(request.user, resource):
        if not request.user.is_authenticated:
            raise _LoginNeeded
        raise Http404
    if edit and not may_edit_resource(request.user, resource):
        if not request.user.is_authenticated:
            raise _LoginNeeded
        raise PermissionDenied
    return resource


def _with_resource(*, edit: bool = False):
    """Decorator: hands the view the checked resource; visitors who must log in are sent to the login page."""

    def decorate(view):
        def wrapped(request: HttpRequest, pk: int, *args, **kwargs) -> HttpResponse:
            try:
                resource = _resource(request, pk, edit=edit)
            except _LoginNeeded:
                return redirect_to_login(request.get_full_path())
            return view(request, resource, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


def _file_response(stored: FieldFile, *, filename: str, content_type: str, inline: bool) -> HttpResponse:
    """The stored file, or behind nginx an X-Accel-Redirect to it; never sniffed, inline only when allowed."""
    prefix = settings.RESOURCE_X_ACCEL_REDIRECT_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(stored.name)}"
    else:
        try:
            handle = stored.storage.open(stored.name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    if content_type != "application/pdf" or not inline:
        response["Content-Security-Policy"] = FILE_SANDBOX
    return response


def resource_list(request: HttpRequest) -> HttpResponse:
    """The catalogue: materials the person may see, filtered by a plain GET form; htmx gets only the results block."""
    form = ResourceFilterForm(request.GET)
    page = resource_search(user=request.user, filters=form.filters(), page=_page_number(request.GET.get("page")))
    context = {
        "form": form,
        "page_obj": page,
        "resources": page.object_list,
        "may_upload": may_upload_resource(request.user),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    response = TemplateResponse(request, "resources/_results.html" if partial else "resources/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _service_error_to_form(form, refused: ServiceError) -> None:
    field = "upload" if refused.code.startswith(("file_", "image_")) and "upload" in form.fields else None
    form.add_error(field, refused.message)


@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest) -> HttpResponse:
    """Share material: upload a file (drag it or choose it) or give a link."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_upload_resource(request.user):
        raise PermissionDenied
    initial = {}
    circle_slug = request.GET.get("cirkel")
    if circle_slug:
        circle = Circle.objects.filter(slug=circle_slug).first()
        if circle is not None:
            initial = {"circle": circle.pk, "visibility": Visibility.CIRCLE}
    form = ResourceForm(request.POST or None, request.FILES or None, user=request.user, new=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        try:
            if "upload" in arguments:
                resource = services.resource_create_file(created_by=request.user, **arguments)
            else:
                resource = services.resource_create_link(
                    created_by=request.user,
                    **{key: value for key, value in arguments.items() if key not in ("shows_people", "people_consent")},
                )
        except ServiceError as refused:
            _service_error_to_form(form, refused)
        else:
            messages.success(request, _("Thank you. The material is shared."))
            return redirect(resource)
    return TemplateResponse(request, "resources/form.html", {"form": form, "resource": None})


@_with_resource()
def resource_detail(request: HttpRequest, resource: Resource) -> HttpResponse:
    may_edit = may_edit_resource(request.user, resource)
    adopt_libraries = libraries_that_may_adopt(user=request.user, resource=resource)
    share_circles = rooms_for_sharing(user=request.user, resource=resource)
    context = {
        "resource": resource,
        "may_edit": may_edit,
        "versions": versions_of(resource=resource) if may_edit else [],
        "downloads": downloads_per_library(resource=resource) if may_edit else [],
        "adopt_form": AdoptForm(libraries=adopt_libraries) if adopt_libraries else None,
        "share_form": ShareForm(circles=share_circles) if share_circles else None,
        "open_removal_requests": (
            open_removal_request_count(library=resource.owner_library)
            if may_handle_removal_requests(request.user, resource.owner_library)
            else None
        ),
    }
    return TemplateResponse(request, "resources/detail.html", context)


@require_GET
@_with_resource()
def resource_download(request: HttpRequest, resource: Resource) -> HttpResponse:
    """The current file, after a permission check on every request; counted for the person's library."""
    if not resource.file:
        raise Http404
    inline = request.GET.get("vis") == "1" and resource.inline_ok
    response = _file_response(
        resource.file, filename=resource.filename, content_type=resource.content_type, inline=inline
    )
    services.resource_download_record(resource=resource, user=request.user)
    return response


@require_GET
@_with_resource()
def resource_thumbnail(request: HttpRequest, resource: Resource) -> HttpResponse:
    if not resource.thumbnail:
        raise Http404
    return _file_response(resource.thumbnail, filename="thumbnail.webp", content_type="image/webp", inline=True)


@require_GET
@_with_resource(edit=True)
def resource_version_download(request: HttpRequest, resource: Resource, number: int) -> HttpResponse:
    """An earlier file, for those who edit the material; always as an attachment."""
    version = resource.versions.filter(number=number).first()
    if version is None:
        raise Http404
    return _file_response(version.file, filename=version.filename, content_type=version.content_type, inline=False)


@require_http_methods(["GET", "POST"])
@_with_resource(edit=True)
def resource_edit(request: HttpRequest, resource: Resource) -> HttpResponse:
    form = ResourceForm(request.POST or None, instance=resource, user=request.user, new=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(resource=resource, edited_by=request.user, **form.service_arguments())
        except ServiceError as refused:
            _service_error_to_form(form, refused)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(resource)
    return TemplateResponse(request, "resources/form.html", {"form": form, "resource": resource})


@require_http_methods(["GET", "POST"])
@_with_resource(edit=True)
def resource_new_version(request: HttpRequest, resource: Resource) -> HttpResponse:
    if not resource.file:
        raise Http404
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_version_upload(
                resource=resource, uploaded_by=request.user, upload=form.cleaned_data["upload"]
            )
        except ServiceError as refused:
            _service_error_to_form(form, refused)
        else:
            messages.success(request, _("The new version is saved. The earlier one is kept in the list of versions."))
            return redirect(resource)
    return TemplateResponse(request, "resources/version_form.html", {"form": form, "resource": resource})


@require_http_methods(["GET", "POST"])
@_with_resource(edit=True)
def resource_delete(request: HttpRequest, resource: Resource) -> HttpResponse:
    """Asks once, then takes the material and all its versions down."""
    if request.method == "POST":
        services.resource_delete(resource=resource, deleted_by=request.user)
        messages.success(request, _("The material is deleted."))
        return redirect("resources:list")
    return TemplateResponse(request, "resources/confirm_delete.html", {"resource": resource})


@require_POST
@_with_resource()
def resource_adopt(request: HttpRequest, resource: Resource) -> HttpResponse:
    libraries = libraries_that_may_adopt(user=request.user, resource=resource)
    if not libraries:
        raise PermissionDenied
    form = AdoptForm(request.POST, libraries=libraries)
    if not form.is_valid():
        raise PermissionDenied
    try:
        adoption = services.resource_adopt(
            resource=resource, library=form.cleaned_data["library"], adopted_by=request.user
        )
    except ServiceError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("The material is now in the list of %(library)s, with credit to %(owner)s.")
            % {"library": adoption.library.name, "owner": resource.owner_library.name},
        )
    return redirect(resource)


REMOVAL_REQUESTS_PER_HOUR = 5


def _removal_requests_exceeded(request: HttpRequest) -> bool:
    """Each request sends e-mail to a library's staff: at most a few an hour from one address.

    The address as allauth reads it for its own limits on anonymous forms (sign-up, login codes):
    behind a proxy, ALLAUTH_TRUSTED_PROXY_COUNT says which X-Forwarded-For entry is the visitor's.
    """
    key = f"resources:removal-requests:{get_account_adapter(request).get_client_ip(request)}"
    cache.add(key, 0, timeout=60 * 60)
    try:
        return cache.incr(key) > REMOVAL_REQUESTS_PER_HOUR
    except ValueError:
        return False


@require_http_methods(["GET", "POST"])
def resource_removal_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone with the material's address may ask the library to take it down, logged in or not.

    The person shown may not be among those the material is shared with: they see only which
    library it is from and how to reach it, never its title, description or file.
    """
    try:
        resource = resource_for_page(pk=pk)
    except Resource.DoesNotExist:
        raise Http404 from None
    may_see = may_view_resource(request.user, resource)
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.name, "email": request.user.email}
    form = RemovalRequestForm(request.POST or None, initial=initial)
    # Who may not see the material learns nothing about it here, not even which library holds it.
    context = {"form": form, "may_see": may_see}
    if may_see:
        context.update(resource=resource, library=resource.owner_library)
    if request.method == "POST" and form.is_valid():
        if _removal_requests_exceeded(request):
            form.add_error(None, errors.TOO_MANY_REQUESTS)
            return TemplateResponse(request, "resources/removal_form.html", context, status=429)
        services.removal_request_create(resource=resource, requested_by=request.user, **form.cleaned_data)
        messages.success(request, _("Thank you. The library has got your request and will answer you by e-mail."))
        return redirect(resource if may_see else "home")
    return TemplateResponse(request, "resources/removal_form.html", context)


def _removal_requests_page(
    request: HttpRequest, library: Library, *, bound: tuple[int, RemovalDeclineForm] | None = None
) -> HttpResponse:
    open_requests, answered = removal_requests_of(library=library)
    for removal in open_requests:
        if bound is not None and bound[0] == removal.pk:
            removal.decline_form = bound[1]
        else:
            removal.decline_form = RemovalDeclineForm(auto_id=f"request-{removal.pk}-%s")
    context = {"library": library, "open_requests": open_requests, "answered": answered}
    return TemplateResponse(request, "resources/removal_requests.html", context)


@require_GET
def removal_requests(request: HttpRequest, slug: str) -> HttpResponse:
    """The library's requests for removal: the open ones to answer, and those answered last."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    library = get_object_or_404(Library, slug=slug)
    if not may_handle_removal_requests(request.user, library):
        raise PermissionDenied
    return _removal_requests_page(request, library)


@require_POST
def removal_request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer one request: remove the material (action=remove) or keep it with a reason (action=decline)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    removal = get_object_or_404(RemovalRequest.objects.select_related("library", "resource"), pk=pk)
    library = removal.library
    if not may_handle_removal_requests(request.user, library):
        raise PermissionDenied
    action = request.POST.get("action")
    try:
        if action == "remove":
            services.removal_request_remove_material(removal=removal, handled_by=request.user)
            messages.success(request, _("The material is deleted, and the person who asked has been told."))
        elif action == "decline":
            form = RemovalDeclineForm(request.POST, auto_id=f"request-{removal.pk}-%s")
            if not form.is_valid():
                response = _removal_requests_page(request, library, bound=(removal.pk, form))
                response.status_code = 400
                return response
            services.removal_request_decline(
                removal=removal, handled_by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The material stays. The person who asked has been told why."))
        else:
            return HttpResponseBadRequest()
    except ServiceError as refused:
        messages.error(request, refused.message)
    return redirect("resources:removal_requests", slug=library.slug)


@require_POST
@_with_resource()
def resource_share(request: HttpRequest, resource: Resource) -> HttpResponse:
    """Post a link to the material in the discussion of one of the person's circles."""
    circles = rooms_for_sharing(user=request.user, resource=resource)
    form = ShareForm(request.POST, circles=circles)
    if not circles or not form.is_valid():
        raise PermissionDenied
    circle = form.cleaned_data["circle"]
    try:
        services.resource_share_in_room(
            resource=resource,
            room=circle.room,
            user=request.user,
            link=request.build_absolute_uri(resource.get_absolute_url()),
        )
    except ServiceError as refused:
        messages.error(request, refused.message)
        return redirect(resource)
    messages.success(request, _("The link is in the circle's discussion."))
    return redirect(circle)
