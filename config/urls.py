from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

# Danish at /, English under /en/ (Django's i18n_patterns without a prefix for the default).
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("was", RedirectView.as_view(pattern_name="accessibility", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("tilgaengelighed/", views.accessibility_statement, name="accessibility"),
    path("konto/", include("allauth.urls")),
    path("cirkler/", include("circles.urls")),
    path("biblioteker/", include("libraries.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
