from django.urls import path

from . import views

app_name = "circles"

urlpatterns = [
    path("", views.circle_list, name="list"),
    # Before <slug>/: "ny" is this page, not a circle.
    path("ny/", views.circle_new, name="create"),
    path("<slug:slug>/", views.circle_detail, name="detail"),
    path("<slug:slug>/kalender.ics", views.circle_calendar, name="calendar"),
    path("<slug:slug>/tilmeld/", views.circle_join, name="join"),
    path("<slug:slug>/afmeld/", views.circle_leave, name="leave"),
    path("<slug:slug>/medlemmer/", views.circle_members, name="members"),
    path("<slug:slug>/handlinger/ny/", views.project_action_create, name="project_action_create"),
    path("<slug:slug>/handlinger/<int:pk>/rediger/", views.project_action_edit, name="project_action_edit"),
    path("<slug:slug>/handlinger/<int:pk>/status/", views.project_action_status, name="project_action_status"),
    path("<slug:slug>/handlinger/<int:pk>/slet/", views.project_action_delete, name="project_action_delete"),
    path("<slug:slug>/rediger/", views.circle_edit, name="edit"),
    path("<slug:slug>/facilitatorer/", views.circle_facilitators, name="facilitators"),
    path(
        "<slug:slug>/facilitatorer/<int:user_id>/fjern/",
        views.circle_facilitator_remove,
        name="facilitator_remove",
    ),
    path("<slug:slug>/moeder/planlaeg/", views.meeting_schedule, name="schedule"),
    path("<slug:slug>/moeder/<int:pk>/", views.meeting_detail, name="meeting"),
    path("<slug:slug>/moeder/<int:pk>/flyt/", views.meeting_move, name="meeting_move"),
    path("<slug:slug>/moeder/<int:pk>/aflys/", views.meeting_cancel, name="meeting_cancel"),
    path("<slug:slug>/moeder/<int:pk>/dagsorden/", views.meeting_notes, name="meeting_notes"),
    path("<slug:slug>/moeder/<int:pk>/fremmoede/", views.meeting_attendance, name="meeting_attendance"),
    path("<slug:slug>/moeder/<int:pk>/feedback/", views.meeting_feedback, name="meeting_feedback"),
    path("<slug:slug>/feedback/", views.circle_feedback, name="feedback"),
    path("<slug:slug>/feedback.csv", views.circle_feedback_csv, name="feedback_csv"),
]
