from django.urls import path

from . import views

app_name = "resources"

urlpatterns = [
    path("", views.resource_list, name="list"),
    path("ny/", views.resource_create, name="create"),
    path("<int:pk>/", views.resource_detail, name="detail"),
    path("<int:pk>/hent/", views.resource_download, name="download"),
    path("<int:pk>/miniature/", views.resource_thumbnail, name="thumbnail"),
    path("<int:pk>/versioner/<int:number>/hent/", views.resource_version_download, name="version_download"),
    path("<int:pk>/rediger/", views.resource_edit, name="edit"),
    path("<int:pk>/ny-version/", views.resource_new_version, name="new_version"),
    path("<int:pk>/slet/", views.resource_delete, name="delete"),
    path("<int:pk>/adopter/", views.resource_adopt, name="adopt"),
    path("<int:pk>/fjernelse/", views.resource_removal_request, name="removal_request"),
    path("<int:pk>/del/", views.resource_share, name="share"),
    path("fjernelser/<slug:slug>/", views.removal_requests, name="removal_requests"),
    path("fjernelser/svar/<int:pk>/", views.removal_request_answer, name="removal_request_answer"),
]
