import errno

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

from jobboard.seo import robots_txt
from jobboard.sitemaps import SITEMAPS
from jobboard.views import HomeView, healthz
from postings import feeds

# Atom and RSS of live postings: any listing search (same GET parameters), a skill, a company.
feed_patterns = [
    path("jobs/feed/atom/", feeds.PostingsAtomFeed(), name="postings-atom"),
    path("jobs/feed/rss/", feeds.PostingsFeed(), name="postings-rss"),
    path("skills/<slug:slug>/feed/atom/", feeds.SkillPostingsAtomFeed(), name="skill-atom"),
    path("skills/<slug:slug>/feed/rss/", feeds.SkillPostingsFeed(), name="skill-rss"),
    path("companies/<slug:slug>/feed/atom/", feeds.CompanyPostingsAtomFeed(), name="company-atom"),
    path("companies/<slug:slug>/feed/rss/", feeds.CompanyPostingsFeed(), name="company-rss"),
]

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("skills/", include("skills.urls")),
    path("companies/", include("companies.urls")),
    path("jobs/", include("postings.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    # Load balancers and the benchmark baseline; no trailing slash, no redirect.
    path("healthz", healthz, name="healthz"),
    path("", include((feed_patterns, "feeds"))),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots"),
]


def serve_media(request, path):
    # MEDIA_ROOT is read per request, not frozen when this module is imported (each test
    # has its own). SecurityMiddleware adds `X-Content-Type-Options: nosniff`.
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as error:
        # A name longer than the file system allows is a file we do not have, not a 500.
        if error.errno != errno.ENAMETOOLONG:
            raise
        raise Http404("No such file") from None


if settings.SERVE_MEDIA:
    # Company logos are small and few; behind a web server that serves /media/ itself,
    # set SERVE_MEDIA=0.
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_media)]
