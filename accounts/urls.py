from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("visning/", views.display, name="display"),
    path("e-mails/", views.email_preferences, name="email_preferences"),
    path("kalender/", views.calendar, name="calendar"),
    path("mine-data/", views.data_export, name="data_export"),
    path("slet/", views.account_delete, name="delete"),
]
