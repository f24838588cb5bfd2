from django.urls import path

from . import views

app_name = "circles"

urlpatterns = [
    path("<slug:slug>/", views.circle_detail, name="detail"),
]
