from django.urls import path

from . import member_views, moderation_views, views

app_name = "chat"

urlpatterns = [
    path("<int:room_id>/", views.room_page, name="room"),
    path("<int:room_id>/besked/<int:message_id>/", moderation_views.message_page, name="message"),
    path("<int:room_id>/besked/<int:message_id>/anmeld/", moderation_views.message_report, name="message_report"),
    path("<int:room_id>/besked/<int:message_id>/ret/", member_views.message_edit, name="message_edit"),
    path("<int:room_id>/besked/<int:message_id>/slet/", member_views.message_delete, name="message_delete"),
    path("<int:room_id>/besked/<int:message_id>/reager/", member_views.message_react, name="message_react"),
    path("<int:room_id>/besked/<int:message_id>/svar/", member_views.message_reply, name="message_reply"),
    path("<int:room_id>/besked/<int:message_id>/fastgoer/", moderation_views.message_pin, name="message_pin"),
    path("<int:room_id>/besked/<int:message_id>/fjern/", moderation_views.message_remove, name="message_remove"),
    path("<int:room_id>/styring/pause/", moderation_views.room_lock, name="room_lock"),
    path("<int:room_id>/styring/langsom/", moderation_views.room_slow_mode, name="room_slow_mode"),
    path("<int:room_id>/styring/daemp/", moderation_views.member_mute, name="member_mute"),
    path("<int:room_id>/styring/ophaev-daempning/", moderation_views.member_unmute, name="member_unmute"),
    path("<int:room_id>/anmeldelser/", moderation_views.reports_page, name="reports"),
    path("<int:room_id>/anmeldelser/<int:report_id>/", moderation_views.report_decide, name="report_decide"),
]
