from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import privacy
from circles.views import my_page_view, person_calendar

from . import views

handler400 = "config.views.bad_request"

# The admin logs in through allauth, with its rate limits and two-step login.
admin.site.login = secure_admin_login(admin.site.login)

# Danish at /, English under /en/ (Django's i18n_patterns without a prefix for the default).
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("was", RedirectView.as_view(pattern_name="accessibility", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    # Calendar programs fetch this without cookies or a language: the token is the key.
    path("kalender/<str:token>.ics", person_calendar, name="person_calendar"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("tilgaengelighed/", views.accessibility_statement, name="accessibility"),
    path("privatliv/", privacy, name="privacy"),
    path("min-side/", my_page_view, name="my_page"),
    path("konto/", include("accounts.urls")),
    path("konto/", include("allauth.urls")),
    path("cirkler/", include("circles.urls")),
    path("biblioteker/", include("libraries.urls")),
    path("samtale/", include("chat.urls")),
    path("materialer/", include("resources.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

# Nothing under MEDIA_ROOT is served by its address, not even in debug: uploads are private
# and reach people only through views that check permission (resources.views.resource_download).
