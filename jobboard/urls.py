import errno

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

import alerts.urls
import companies.urls
import postings.urls
import skills.urls
from jobboard.http_methods import allow_methods, read_only
from jobboard.seo import robots_txt
from jobboard.sitemaps import SITEMAPS, UrlsetXml
from jobboard.views import HomeView, healthz, readyz

# Function views and feeds declare their methods where they are routed (`read_only`);
# class-based views say it themselves (jobboard/http_methods.py checks both).

# Atom and RSS of live postings: any listing search, a skill, a company. Each app routes its
# own feeds, all in one "feeds" namespace: "feeds:postings-atom", "feeds:skill-rss"…
feed_patterns = [
    path("jobs/", include(postings.urls.feed_patterns)),
    path("skills/", include(skills.urls.feed_patterns)),
    path("companies/", include(companies.urls.feed_patterns)),
]

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("skills/", include(skills.urls)),
    path("companies/", include(companies.urls)),
    path("jobs/", include(postings.urls)),
    path("alerts/", include(alerts.urls)),
    # The admin's login, ahead of the admin's own route to it, to declare its methods (the
    # admin's function views declare none).
    path(
        f"{settings.ADMIN_URL}login/",
        allow_methods("GET", "HEAD", "POST")(admin.site.login),
        name="admin-login",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    # Load balancers and the benchmark baseline; no trailing slash, no redirect.
    path("healthz", read_only(healthz), name="healthz"),
    path("readyz", read_only(readyz), name="readyz"),
    path("", include((feed_patterns, "feeds"))),
    path(
        "sitemap.xml",
        read_only(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        read_only(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS, "template_name": UrlsetXml()},
        name="sitemap-section",
    ),
    path("robots.txt", read_only(robots_txt), name="robots"),
]


@read_only
def serve_media(request, path):
    # MEDIA_ROOT is read per request, not frozen when this module is imported (each test
    # has its own). SecurityMiddleware adds `X-Content-Type-Options: nosniff`.
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as error:
        # A name longer than the file system allows is a file we do not have, not a 500.
        if error.errno != errno.ENAMETOOLONG:
            raise
        raise Http404("No such file") from None
    # Every media file is named once for what it holds (settings.MEDIA_CACHE_CONTROL).
    response["Cache-Control"] = settings.MEDIA_CACHE_CONTROL  # on 200 and 304; a 404 raises
    # Public images that the alert e-mails show by URL, in mail clients on other origins;
    # the site's own `same-origin` (jobboard.security) would leave them broken there.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


if settings.SERVE_MEDIA:
    # Company logos are small and few; behind a web server that serves /media/ itself,
    # set SERVE_MEDIA=0. Off with MEDIA_STORAGE=s3: the bucket serves them.
    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_media, name="media")
    ]
