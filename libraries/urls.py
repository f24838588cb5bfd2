from django.urls import path

from . import views

app_name = "libraries"

urlpatterns = [
    path("<slug:slug>/", views.library_detail, name="detail"),
    path("<slug:slug>/rediger/", views.library_edit, name="edit"),
    path("<slug:slug>/moedesteder/ny/", views.venue_create, name="venue_create"),
    path("<slug:slug>/moedesteder/<int:pk>/rediger/", views.venue_edit, name="venue_edit"),
    path("<slug:slug>/handleplan/ny/", views.initiative_create, name="initiative_create"),
    path("<slug:slug>/handleplan/<int:pk>/rediger/", views.initiative_edit, name="initiative_edit"),
    path("<slug:slug>/handleplan/<int:pk>/slet/", views.initiative_delete, name="initiative_delete"),
    path("<slug:slug>/loefter/ny/", views.commitment_create, name="commitment_create"),
    path("<slug:slug>/loefter/<int:pk>/rediger/", views.commitment_edit, name="commitment_edit"),
    path("<slug:slug>/loefter/<int:pk>/slet/", views.commitment_delete, name="commitment_delete"),
]
