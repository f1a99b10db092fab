from django.urls import path

from jobboard.http_methods import read_only

from . import feeds, views

app_name = "postings"
urlpatterns = [
    path("", views.PostingListView.as_view(), name="list"),
    path("<slug:slug>/", views.PostingDetailView.as_view(), name="detail"),
]

# Atom and RSS of the live postings of any listing search (the same GET parameters).
# Routed by jobboard/urls.py under "jobs/", in the "feeds" namespace that holds every feed:
# `{% url "feeds:postings-atom" %}`.
feed_patterns = [
    path("feed/atom/", read_only(feeds.PostingsAtomFeed()), name="postings-atom"),
    path("feed/rss/", read_only(feeds.PostingsFeed()), name="postings-rss"),
]
