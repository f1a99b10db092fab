from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request):
    """A liveness probe for load balancers and the benchmark's baseline.

    It passes through the whole middleware stack like any page but never touches the
    database, so it answers while PostgreSQL is down and measures the framework's floor.
    """
    return HttpResponse(b"ok\n", content_type="text/plain; charset=utf-8")
