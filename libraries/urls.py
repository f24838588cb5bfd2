from django.urls import path

from . import views

app_name = "libraries"

urlpatterns = [
    path("<slug:slug>/", views.library_detail, name="detail"),
]
