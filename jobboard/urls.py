from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from jobboard.views import HomeView, healthz

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("skills/", include("skills.urls")),
    path("companies/", include("companies.urls")),
    path("jobs/", include("postings.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    # Load balancers and the benchmark baseline; no trailing slash, no redirect.
    path("healthz", healthz, name="healthz"),
]

if settings.SERVE_MEDIA:
    # Company logos are small and few; behind a web server that serves /media/ itself,
    # set SERVE_MEDIA=0.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
