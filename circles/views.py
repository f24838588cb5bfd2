import copy

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import (
    may_appoint_facilitator,
    may_create_circle,
    may_edit_project_actions,
    may_give_feedback,
    may_manage_circle,
    may_read_meeting_notes,
    may_see_online_link,
    may_view_circle,
)
from config.errors import ServiceError
from libraries.models import Library

from . import services
from .calendar import meetings_calendar
from .exports import feedback_csv
from .forms import (
    AttendanceForm,
    CircleFilterForm,
    CircleForm,
    FacilitatorForm,
    FeedbackForm,
    MeetingMoveForm,
    MeetingNotesForm,
    MemberDecisionForm,
    ProjectActionForm,
    ProjectActionStatusForm,
    ScheduleForm,
    posted_as_initial,
)
from .models import (
    Circle,
    CircleKind,
    CircleStatus,
    Meeting,
    Membership,
    MembershipRole,
    MembershipState,
    ProjectAction,
)
from .selectors import (
    active_members_of,
    attendance_of,
    circle_for_running,
    circle_get_public,
    circle_search,
    facilitators_of,
    feedback_for_circle,
    feedback_for_meeting,
    feedback_given,
    libraries_for_new_circle,
    meeting_of_circle,
    meetings_for_circle_calendar,
    meetings_for_person_calendar,
    meetings_for_planning,
    members_for_management,
    membership_overview,
    my_page,
)

JOIN_MESSAGES = {
    MembershipState.ACTIVE: gettext_lazy("Welcome! You are now in the circle."),
    MembershipState.PENDING: gettext_lazy("Thank you. A facilitator will answer your request soon."),
    MembershipState.WAITLISTED: gettext_lazy(
        "The circle is full, so you are on the waiting list. We send you an e-mail when a seat is free."
    ),
}
DECISION_MESSAGES = {
    "approve": gettext_lazy("{name} has got an answer: yes."),
    "decline": gettext_lazy("{name} has got an answer: no."),
    "remove": gettext_lazy("{name} is no longer in the circle."),
    "ban": gettext_lazy("{name} can no longer take part in the circle."),
}


def _public_circle(slug: str) -> Circle:
    try:
        return circle_get_public(slug=slug)
    except Circle.DoesNotExist:
        raise Http404 from None


def circle_detail(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _public_circle(slug)
    return TemplateResponse(
        request, "circles/detail.html", {"circle": circle, **membership_overview(user=request.user, circle=circle)}
    )


@require_POST
def circle_join(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _public_circle(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(circle.get_absolute_url())
    try:
        membership = services.membership_join(circle=circle, user=request.user)
    except ServiceError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, JOIN_MESSAGES[membership.state])
    return redirect(circle)


@login_required
@require_http_methods(["GET", "POST"])
def circle_leave(request: HttpRequest, slug: str) -> HttpResponse:
    """Leave, withdraw a request or leave the waiting list: asks once before it happens."""
    circle = _public_circle(slug)
    overview = membership_overview(user=request.user, circle=circle)
    if request.method == "POST":
        try:
            services.membership_leave(circle=circle, user=request.user)
        except ServiceError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("You are no longer in the circle."))
        return redirect(circle)
    if overview["membership"] is None:
        return redirect(circle)
    return TemplateResponse(request, "circles/leave.html", {"circle": circle, **overview})


MEMBER_ACTIONS = {
    "approve": (services.membership_approve, {}),
    "decline": (services.membership_decline, {}),
    "remove": (services.membership_remove, {"ban": False}),
    "ban": (services.membership_remove, {"ban": True}),
}


@login_required
@require_http_methods(["GET", "POST"])
def circle_members(request: HttpRequest, slug: str) -> HttpResponse:
    """Facilitators answer requests and remove or ban members; each answer can carry a message."""
    circle = get_object_or_404(Circle, slug=slug)
    if not may_manage_circle(request.user, circle):
        raise PermissionDenied
    form = MemberDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership = get_object_or_404(Membership, pk=form.cleaned_data["membership"], circle=circle)
        service, options = MEMBER_ACTIONS[form.cleaned_data["action"]]
        try:
            service(decided_by=request.user, membership=membership, message=form.cleaned_data["message"], **options)
        except ServiceError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, DECISION_MESSAGES[form.cleaned_data["action"]].format(name=membership.user.name))
        return redirect("circles:members", slug=circle.slug)
    return TemplateResponse(
        request, "circles/members.html", {"circle": circle, "groups": members_for_management(circle=circle)}
    )


def _calendar_response(document: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(document, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def circle_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """The circle's meetings as .ics. Public, so online meeting links are left out."""
    try:
        circle = circle_get_public(slug=slug)
    except Circle.DoesNotExist:
        raise Http404 from None
    document = meetings_calendar(
        name=circle.title,
        meetings=meetings_for_circle_calendar(circle=circle),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        show_links=False,
    )
    return _calendar_response(document, f"{circle.slug}.ics")


def person_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """A person's private feed: the secret token in the address is the only key, so links are included."""
    person = get_user_model().objects.filter(calendar_token=token, is_active=True).first()
    if person is None:
        raise Http404
    document = meetings_calendar(
        name=_("My circles – Cirkler"),
        meetings=meetings_for_person_calendar(user=person),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        show_links=True,
    )
    response = _calendar_response(document, "cirkler.ics")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def my_page_view(request: HttpRequest) -> HttpResponse:
    """My page: my circles, my next meetings, and requests waiting for me as a facilitator."""
    return TemplateResponse(request, "circles/my_page.html", my_page(user=request.user))


def _page_number(value: str | None) -> int:
    """The page asked for; anything that is not a positive whole number means the first page."""
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


def circle_list(request: HttpRequest) -> HttpResponse:
    """The catalogue: open and running circles, filtered by a plain GET form; htmx gets only the results block."""
    form = CircleFilterForm(request.GET)
    page = circle_search(filters=form.filters(), page=_page_number(request.GET.get("page")))
    context = {"form": form, "page_obj": page, "circles": page.object_list}
    # htmx restoring history it no longer has in its cache wants the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    response = TemplateResponse(request, "circles/_results.html" if partial else "circles/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


ACTIONS_ANCHOR = "#actions-title"


def _project_group_for_editing(request: HttpRequest, slug: str) -> Circle:
    """The project group at `slug`, when the person may change its actions (403 otherwise, 404 for other kinds)."""
    circle = get_object_or_404(Circle.objects.select_related("host_library"), slug=slug, kind=CircleKind.PROJECT_GROUP)
    if not may_edit_project_actions(request.user, circle):
        raise PermissionDenied
    return circle


def _action_for_editing(request: HttpRequest, slug: str, pk: int) -> ProjectAction:
    """An action of the project group at `slug`, when the person may change it."""
    action = get_object_or_404(
        ProjectAction.objects.select_related("circle__host_library"),
        pk=pk,
        circle__slug=slug,
        circle__kind=CircleKind.PROJECT_GROUP,
    )
    if not may_edit_project_actions(request.user, action.circle):
        raise PermissionDenied
    return action


def _action_saved(form: ProjectActionForm, service, **arguments) -> bool:
    """Call the service; a refusal becomes a 403 or an error on the form. True when it was saved."""
    try:
        service(**arguments)
    except ServiceError as error:
        if error.code == "not_allowed":
            raise PermissionDenied from error
        form.add_error("owner" if error.code == "owner_not_member" else None, error.message)
        return False
    except ValidationError as error:
        errors = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
        for field, field_errors in errors.items():
            form.add_error(field if field in form.fields else None, field_errors)
        return False
    return True


def _back_to_actions(request: HttpRequest, circle: Circle, message: str, anchor: str = ACTIONS_ANCHOR) -> HttpResponse:
    messages.success(request, message)
    return HttpResponseRedirect(circle.get_absolute_url() + anchor)


@login_required
@require_http_methods(["GET", "POST"])
def project_action_create(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _project_group_for_editing(request, slug)
    form = ProjectActionForm(request.POST if request.method == "POST" else None, circle=circle)
    if (
        request.method == "POST"
        and form.is_valid()
        and _action_saved(
            form, services.project_action_create, created_by=request.user, circle=circle, **form.cleaned_data
        )
    ):
        return _back_to_actions(request, circle, _("The action is added."))
    return TemplateResponse(
        request, "circles/project_action_form.html", {"circle": circle, "form": form, "action": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_action_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    action = _action_for_editing(request, slug, pk)
    form = ProjectActionForm(request.POST if request.method == "POST" else None, instance=action, circle=action.circle)
    if (
        request.method == "POST"
        and form.is_valid()
        and _action_saved(
            form, services.project_action_update, updated_by=request.user, action=action, data=form.cleaned_data
        )
    ):
        return _back_to_actions(request, action.circle, _("The action is saved."), f"#action-{action.pk}")
    return TemplateResponse(
        request, "circles/project_action_form.html", {"circle": action.circle, "form": form, "action": action}
    )


@login_required
@require_POST
def project_action_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The small status form beside each action on the circle page."""
    action = _action_for_editing(request, slug, pk)
    form = ProjectActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses in the list."))
        return HttpResponseRedirect(action.circle.get_absolute_url() + f"#action-{action.pk}")
    try:
        services.project_action_update(updated_by=request.user, action=action, data=form.cleaned_data)
    except ServiceError as error:
        raise PermissionDenied from error
    message = _("The status of “%(title)s” is saved.") % {"title": action.title}
    return _back_to_actions(request, action.circle, message, f"#action-{action.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def project_action_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Asks first on its own page; deletes only on POST."""
    action = _action_for_editing(request, slug, pk)
    if request.method == "POST":
        try:
            services.project_action_delete(deleted_by=request.user, action=action)
        except ServiceError as error:
            raise PermissionDenied from error
        return _back_to_actions(request, action.circle, _("The action is deleted."))
    return TemplateResponse(
        request, "circles/project_action_confirm_delete.html", {"circle": action.circle, "action": action}
    )


# Creating and running a circle: details, facilitators, schedule, meetings, attendance, feedback.
# Anonymous visitors go to the login page; people who may not run the circle get 403.

# Which form field a service refusal belongs to, when the form has that field.
REFUSAL_FIELDS = {
    "no_sdgs": "sdgs",
    "meeting_ends_before_start": "end_time",
    "time_does_not_exist": "start_time",
}


def _posted_data(request: HttpRequest):
    """The submitted data on POST, None on GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def _service_result(form, service, **arguments):
    """Call the service and return what it returns; a refusal becomes a 403 or an error on the form (and None)."""
    try:
        return service(**arguments)
    except ServiceError as error:
        if error.code == "not_allowed":
            raise PermissionDenied from error
        field = REFUSAL_FIELDS.get(error.code)
        form.add_error(field if field in form.fields else None, error.message)
    except ValidationError as error:
        errors = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
        for field, field_errors in errors.items():
            form.add_error(field if field in form.fields else None, field_errors)
    return None


def _circle_to_run(request: HttpRequest, slug: str) -> Circle:
    """The circle at `slug`, in any state, when the person may run it."""
    try:
        circle = circle_for_running(slug=slug)
    except Circle.DoesNotExist:
        raise Http404 from None
    if not may_manage_circle(request.user, circle):
        raise PermissionDenied
    return circle


def _meeting_to_run(request: HttpRequest, slug: str, pk: int) -> Meeting:
    circle = _circle_to_run(request, slug)
    try:
        return meeting_of_circle(circle=circle, pk=pk)
    except Meeting.DoesNotExist:
        raise Http404 from None


def _visible_meeting(request: HttpRequest, slug: str, pk: int) -> Meeting:
    """A meeting of a circle the person may see; a draft's meetings are not found by others."""
    try:
        circle = circle_for_running(slug=slug)
        if not may_view_circle(request.user, circle):
            raise Http404
        return meeting_of_circle(circle=circle, pk=pk)
    except (Circle.DoesNotExist, Meeting.DoesNotExist):
        raise Http404 from None


def _circle_home(circle: Circle) -> str:
    """Where to go back to: the circle's page, or its edit page while it is a draft (the page is not public yet)."""
    if circle.status == CircleStatus.DRAFT:
        return reverse("circles:edit", kwargs={"slug": circle.slug})
    return circle.get_absolute_url()


def _meeting_url(meeting: Meeting, anchor: str = "") -> str:
    return reverse("circles:meeting", kwargs={"slug": meeting.circle.slug, "pk": meeting.pk}) + anchor


def _run_page(request: HttpRequest, template: str, circle: Circle, **context) -> TemplateResponse:
    """A page for the people who run the circle, with the menu of those pages."""
    return TemplateResponse(
        request,
        template,
        {
            "circle": circle,
            "circle_home": _circle_home(circle),
            "may_appoint": may_appoint_facilitator(request.user, circle),
            **context,
        },
    )


def _circle_form_page(request: HttpRequest, form: CircleForm, library: Library, circle: Circle | None):
    """The circle form; "Show preview" shows the description rendered, and the form again as it was typed."""
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        preview = request.POST.get("description", "")
        form = CircleForm(initial=posted_as_initial(form), instance=form.instance, library=library)
    context = {"form": form, "library": library, "preview": preview}
    if circle is None:
        return TemplateResponse(request, "circles/circle_form.html", {"circle": None, **context})
    return _run_page(request, "circles/circle_form.html", circle, **context)


@login_required
@require_http_methods(["GET", "POST"])
def circle_new(request: HttpRequest) -> HttpResponse:
    """Staff start a circle at their library: at once when they have one, after choosing when they have several."""
    chosen = request.GET.get("bibliotek")
    if chosen:
        library = get_object_or_404(Library, slug=chosen)
        if not may_create_circle(request.user, library):
            raise PermissionDenied
    else:
        libraries = libraries_for_new_circle(user=request.user)
        if not libraries:
            raise PermissionDenied
        if len(libraries) > 1:
            return TemplateResponse(request, "circles/choose_library.html", {"libraries": libraries})
        library = libraries[0]
    form = CircleForm(_posted_data(request), library=library)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        circle = _service_result(
            form, services.circle_create, created_by=request.user, host_library=library, **form.cleaned_data
        )
        if circle is not None:
            messages.success(
                request,
                _("The circle “%(title)s” is created. Now appoint its facilitators and plan its meetings.")
                % {"title": circle.title},
            )
            return redirect("circles:facilitators", slug=circle.slug)
    return _circle_form_page(request, form, library, None)


@login_required
@require_http_methods(["GET", "POST"])
def circle_edit(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _circle_to_run(request, slug)
    # The form writes what was typed into its instance; the page's heading keeps the saved title.
    form = CircleForm(_posted_data(request), instance=copy.copy(circle), library=circle.host_library)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        saved = _service_result(
            form, services.circle_update, updated_by=request.user, circle=circle, **form.cleaned_data
        )
        if saved is not None:
            messages.success(request, _("The circle's details are saved."))
            return HttpResponseRedirect(_circle_home(saved))
    return _circle_form_page(request, form, circle.host_library, circle)


def _circle_to_staff(request: HttpRequest, slug: str) -> Circle:
    """The circle at `slug` when the person may appoint its facilitators (staff of its library)."""
    try:
        circle = circle_for_running(slug=slug)
    except Circle.DoesNotExist:
        raise Http404 from None
    if not may_appoint_facilitator(request.user, circle):
        raise PermissionDenied
    return circle


@login_required
@require_http_methods(["GET", "POST"])
def circle_facilitators(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff see the circle's facilitators, appoint one by e-mail address, or take one off."""
    circle = _circle_to_staff(request, slug)
    form = FacilitatorForm(_posted_data(request))
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["email"]
        if _service_result(form, services.facilitator_appoint, appointed_by=request.user, circle=circle, user=person):
            messages.success(request, _("%(name)s is now a facilitator of the circle.") % {"name": person.name})
            return redirect("circles:facilitators", slug=circle.slug)
    return _run_page(
        request, "circles/facilitators.html", circle, form=form, facilitators=facilitators_of(circle=circle)
    )


@login_required
@require_http_methods(["GET", "POST"])
def circle_facilitator_remove(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """Asks first; on POST the facilitator becomes an ordinary member of the circle."""
    circle = _circle_to_staff(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), circle=circle, user_id=user_id, role=MembershipRole.FACILITATOR
    )
    if request.method == "POST":
        try:
            services.facilitator_remove(removed_by=request.user, circle=circle, user=membership.user)
        except ServiceError as error:
            raise PermissionDenied from error
        messages.success(
            request,
            _("%(name)s is no longer a facilitator, but still a member of the circle.")
            % {"name": membership.user.name},
        )
        return redirect("circles:facilitators", slug=circle.slug)
    return _run_page(request, "circles/facilitator_confirm_remove.html", circle, membership=membership)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_schedule(request: HttpRequest, slug: str) -> HttpResponse:
    """Plan a series of meetings, and see every meeting already planned."""
    circle = _circle_to_run(request, slug)
    form = ScheduleForm(_posted_data(request), circle=circle)
    if request.method == "POST" and form.is_valid():
        meetings = _service_result(
            form, services.meeting_schedule_create, created_by=request.user, circle=circle, **form.cleaned_data
        )
        if meetings is not None:
            messages.success(
                request,
                ngettext("%(count)d meeting is planned.", "%(count)d meetings are planned.", len(meetings))
                % {"count": len(meetings)},
            )
            return HttpResponseRedirect(reverse("circles:schedule", kwargs={"slug": circle.slug}) + "#meetings-title")
    return _run_page(
        request,
        "circles/schedule.html",
        circle,
        form=form,
        meetings=meetings_for_planning(circle=circle),
        now=timezone.now(),
    )


def meeting_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A meeting: when and where, agenda and notes; attendance and feedback for those who run the circle."""
    meeting = _visible_meeting(request, slug, pk)
    circle, user = meeting.circle, request.user
    started = meeting.starts_at <= timezone.now()
    may_manage = may_manage_circle(user, circle)
    context = {
        "circle": circle,
        "meeting": meeting,
        "started": started,
        "may_manage": may_manage,
        "may_appoint": may_appoint_facilitator(user, circle),
        "circle_home": _circle_home(circle),
        "show_link": may_see_online_link(user, circle),
        "show_notes": may_read_meeting_notes(user, circle),
        "may_give_feedback": may_give_feedback(user, meeting),
    }
    if context["may_give_feedback"]:
        context["feedback_given"] = feedback_given(user=user, meeting=meeting)
        if started and not meeting.cancelled and not context["feedback_given"]:
            context["feedback_form"] = FeedbackForm()
    if may_manage:
        context["attendance"] = attendance_of(meeting=meeting)
        context["feedback"] = feedback_for_meeting(meeting=meeting)
    return TemplateResponse(request, "circles/meeting_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    meeting = _meeting_to_run(request, slug, pk)
    form = MeetingMoveForm(_posted_data(request), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        moved = _service_result(
            form,
            services.meeting_move,
            changed_by=request.user,
            meeting=meeting,
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
            venue=form.cleaned_data["venue"],
            online_url=form.cleaned_data["online_url"],
        )
        if moved is not None:
            messages.success(request, _("The meeting is moved. Members who already got a reminder are told by e-mail."))
            return HttpResponseRedirect(_meeting_url(moved))
    changeable = not meeting.cancelled and meeting.starts_at > timezone.now()
    return _run_page(
        request, "circles/meeting_move.html", meeting.circle, meeting=meeting, form=form, changeable=changeable
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Asks first; cancels only on POST."""
    meeting = _meeting_to_run(request, slug, pk)
    if request.method == "POST":
        try:
            services.meeting_cancel(changed_by=request.user, meeting=meeting)
        except ServiceError as error:
            if error.code == "not_allowed":
                raise PermissionDenied from error
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The meeting is cancelled. Members who already got a reminder are told by e-mail.")
            )
        return HttpResponseRedirect(_meeting_url(meeting))
    changeable = not meeting.cancelled and meeting.starts_at > timezone.now()
    return _run_page(
        request, "circles/meeting_confirm_cancel.html", meeting.circle, meeting=meeting, changeable=changeable
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_notes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The agenda and the notes of a meeting."""
    meeting = _meeting_to_run(request, slug, pk)
    form = MeetingNotesForm(_posted_data(request), instance=copy.copy(meeting))
    if (
        request.method == "POST"
        and form.is_valid()
        and _service_result(
            form,
            services.meeting_update_notes,
            updated_by=request.user,
            meeting=meeting,
            agenda=form.cleaned_data["agenda"],
            notes=form.cleaned_data["notes"],
        )
    ):
        messages.success(request, _("The agenda and notes are saved."))
        return HttpResponseRedirect(_meeting_url(meeting, "#agenda-title"))
    return _run_page(request, "circles/meeting_notes_form.html", meeting.circle, meeting=meeting, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_attendance(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The facilitator ticks who came; saving replaces the previous list."""
    meeting = _meeting_to_run(request, slug, pk)
    record = attendance_of(meeting=meeting)
    form = AttendanceForm(
        _posted_data(request),
        members=active_members_of(circle=meeting.circle),
        initial={"present": sorted(record["present_ids"])},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _service_result(
            form,
            services.attendance_record,
            recorded_by=request.user,
            meeting=meeting,
            present_user_ids=form.cleaned_data["present"],
        )
    ):
        messages.success(request, _("The attendance list is saved."))
        return HttpResponseRedirect(_meeting_url(meeting, "#attendance-title"))
    open_for_attendance = not meeting.cancelled and meeting.starts_at <= timezone.now()
    return _run_page(
        request, "circles/attendance_form.html", meeting.circle, meeting=meeting, form=form, open=open_for_attendance
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_feedback(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A member rates a meeting once it has started; a second time is refused in plain words."""
    meeting = _visible_meeting(request, slug, pk)
    if not may_give_feedback(request.user, meeting):
        raise PermissionDenied
    form = FeedbackForm(_posted_data(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and _service_result(
            form,
            services.feedback_give,
            user=request.user,
            meeting=meeting,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    ):
        messages.success(request, _("Thank you for your feedback!"))
        return HttpResponseRedirect(_meeting_url(meeting))
    return TemplateResponse(
        request,
        "circles/feedback_form.html",
        {
            "circle": meeting.circle,
            "meeting": meeting,
            "form": form,
            "given": feedback_given(user=request.user, meeting=meeting),
            "started": meeting.starts_at <= timezone.now(),
        },
    )


@login_required
def circle_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """The feedback on all the circle's meetings, summed up without names."""
    circle = _circle_to_run(request, slug)
    overall, per_meeting = feedback_for_circle(circle=circle)
    return _run_page(request, "circles/feedback_summary.html", circle, overall=overall, per_meeting=per_meeting)


@login_required
def circle_feedback_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The feedback as a CSV file for a spreadsheet: meeting start, rating, comment; no names."""
    circle = _circle_to_run(request, slug)
    response = HttpResponse(feedback_csv(circle=circle), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{circle.slug}-feedback.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
