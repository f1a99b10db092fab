"""A deliberately slow request, for benchmarks/faults.py only.

Installed only when FAULT_INJECTION=1 (never together with HTTPS=1, see settings.py), as a
middleware so that the production URLconf never contains it. `GET /__fault__/sleep?seconds=N`
sleeps N seconds (at most 300) and answers; gunicorn's timeout should kill it first.
"""

import time

from django.http import HttpResponse

SLEEP_PATH = "/__fault__/sleep"
MAX_SLEEP = 300


class SlowRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != SLEEP_PATH:
            return self.get_response(request)
        try:
            seconds = min(float(request.GET.get("seconds", "60")), MAX_SLEEP)
        except ValueError:
            seconds = 60
        time.sleep(max(seconds, 0))
        return HttpResponse(f"slept {seconds} s\n", content_type="text/plain")
