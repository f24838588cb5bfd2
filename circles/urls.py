from django.urls import path

from . import views

app_name = "circles"

urlpatterns = [
    path("<slug:slug>/", views.circle_detail, name="detail"),
    path("<slug:slug>/kalender.ics", views.circle_calendar, name="calendar"),
]
