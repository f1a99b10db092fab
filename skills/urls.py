from django.urls import path

from jobboard.http_methods import read_only
from postings import feeds

from . import views

app_name = "skills"
urlpatterns = [
    path("", views.SkillListView.as_view(), name="list"),
    path("<slug:slug>/", views.SkillDetailView.as_view(), name="detail"),
]

# The live postings of one skill. Routed by jobboard/urls.py under "skills/", in the
# "feeds" namespace that holds every feed: `{% url "feeds:skill-atom" slug=skill.slug %}`.
feed_patterns = [
    path("<slug:slug>/feed/atom/", read_only(feeds.SkillPostingsAtomFeed()), name="skill-atom"),
    path("<slug:slug>/feed/rss/", read_only(feeds.SkillPostingsFeed()), name="skill-rss"),
]
