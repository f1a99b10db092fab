from django.urls import path

from jobboard.http_methods import read_only
from postings import feeds

from . import views

app_name = "companies"
urlpatterns = [
    path("", views.CompanyListView.as_view(), name="list"),
    path("<slug:slug>/", views.CompanyDetailView.as_view(), name="detail"),
]

# One company's live postings. Routed by jobboard/urls.py under "companies/", in the
# "feeds" namespace that holds every feed: `{% url "feeds:company-atom" slug=company.slug %}`.
feed_patterns = [
    path("<slug:slug>/feed/atom/", read_only(feeds.CompanyPostingsAtomFeed()), name="company-atom"),
    path("<slug:slug>/feed/rss/", read_only(feeds.CompanyPostingsFeed()), name="company-rss"),
]
