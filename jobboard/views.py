from django.http import HttpResponse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from jobboard.readiness import readiness
from postings import stats
from postings.models import Posting
from skills.models import Skill


@require_safe
@never_cache
def healthz(request):
    """A liveness probe for load balancers and the benchmark's baseline.

    It passes through the whole middleware stack like any page but never touches the
    database, so it answers while PostgreSQL is down and measures the framework's floor.
    """
    return HttpResponse(b"ok\n", content_type="text/plain; charset=utf-8")


@require_safe
@never_cache
def readyz(request):
    """A readiness probe for load balancers: 200 when the databases, the cache and the
    storage answer, else 503; one line per part, naming the failing ones
    (jobboard/readiness.py)."""
    results = readiness()
    body = "".join(f"{part}: {note}\n" for part, _, note in results)
    ready = all(ok for _, ok, _ in results)
    return HttpResponse(
        body.encode(), status=200 if ready else 503, content_type="text/plain; charset=utf-8"
    )


class HomeView(TemplateView):
    """The front page: search, the skill guides, the newest openings, who is hiring."""

    template_name = "home.html"
    latest_postings = 8
    hiring_companies = 12

    def get_context_data(self, **kwargs):
        # Counts over every live posting come precomputed (postings/stats.py). The guides
        # and the hiring companies are read only when their shared parts of the page are
        # rendered (`shared_part` in home.html), not when those are stored.
        return super().get_context_data(
            totals=stats.site_totals(),
            guided_skills=SimpleLazyObject(
                lambda: stats.with_open_roles(Skill.objects.with_published_guide())
            ),
            latest_postings=Posting.objects.live().for_cards()[: self.latest_postings],
            hiring_companies=SimpleLazyObject(
                lambda: stats.hiring_companies(self.hiring_companies)
            ),
            **kwargs,
        )
