"""Subscribing to a search, confirming it, managing and unsubscribing — no account.

The page cache stores none of these pages but "check your inbox", the same for everyone:
the subscribe page carries a CSRF token, and the others answer signed links and change
what they show once used (never_cache).
"""

from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from jobboard.security import client_ip

from . import limits, links
from .forms import FrequencyForm, SubscribeForm
from .models import Alert
from .search import InvalidSearch, describe, search_of_request
from .tasks import send_confirmation


def limit_reached(request, what: str):
    return render(request, "alerts/limit_reached.html", {"what": what}, status=429)


def link_problem(request, error: links.LinkError, purpose: str):
    return render(
        request,
        "alerts/link_problem.html",
        {"reason": error.reason, "purpose": purpose},
        status=error.status,
    )


@method_decorator(never_cache, name="dispatch")
class SubscribeView(View):
    """The form that asks for the e-mail address of one search (`/alerts/new/?skill=go`),
    beside the search's feed. Double opt-in: a POST stores the alert unconfirmed and
    e-mails only the link that confirms it."""

    template_name = "alerts/subscribe.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.search = search_of_request(request.GET)
        except InvalidSearch as error:
            return render(
                request, "alerts/invalid_search.html", {"problem": str(error)}, status=400
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.page(SubscribeForm())

    def post(self, request):
        if not limits.allow_subscription(client_ip(request)):
            return limit_reached(request, "client")
        form = SubscribeForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        sent = HttpResponseRedirect(reverse("alerts:sent"), status=303)
        if form.is_bot:
            return sent  # what a person sees, with nothing stored or sent
        email = form.cleaned_data["email"]
        if not limits.allow_confirmation(email):
            return limit_reached(request, "address")
        subscribe(email=email, search=self.search, frequency=form.cleaned_data["frequency"])
        # The same answer whether the address already had this alert or not.
        return sent

    def page(self, form, status=200):
        query = f"?{self.search}" if self.search else ""
        feed_path = reverse("feeds:postings-atom") + query
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "search": self.search,
                "description": describe(self.search),
                "action": reverse("alerts:subscribe") + query,
                "listing_url": reverse("postings:list") + query,
                "feed_url": self.request.build_absolute_uri(feed_path),
            },
            status=status,
        )


def subscribe(*, email: str, search: str, frequency: str) -> Alert:
    """Find or create the unconfirmed alert and enqueue its confirmation e-mail, in one
    transaction. An alert already confirmed keeps its frequency (its manage link changes
    it); its owner gets that link by e-mail instead of a confirmation."""
    with transaction.atomic():
        alert, created = Alert.objects.get_or_create(
            email=email, search=search, defaults={"frequency": frequency}
        )
        if not created and not alert.is_confirmed and alert.frequency != frequency:
            alert.frequency = frequency
            alert.save(update_fields=["frequency"])
        send_confirmation.enqueue(alert.pk)
    return alert


class SentView(TemplateView):
    template_name = "alerts/sent.html"


@method_decorator(never_cache, name="dispatch")
class ConfirmView(View):
    """The link in the confirmation e-mail: following it confirms the alert. Postings
    published from now on are the alert's news (sent_through)."""

    def get(self, request, token):
        with transaction.atomic():
            try:
                alert = links.open_link(token, "confirm", for_update=True)
            except links.LinkError as error:
                return link_problem(request, error, "confirm")
            if alert.is_confirmed:
                # A replayed link: it did its work once.
                return link_problem(request, links.LinkError(410, "used"), "confirm")
            now = timezone.now()
            alert.confirmed_at = now
            alert.sent_through = now
            alert.save(update_fields=["confirmed_at", "sent_through"])
        return render(
            request,
            "alerts/confirmed.html",
            {"alert": alert, "description": describe(alert.search), **alert_links(alert)},
        )

    def head(self, request, token):
        # Link checkers and mail scanners ask with HEAD: answer without confirming.
        return HttpResponse()


def alert_links(alert: Alert) -> dict:
    return {
        "manage_url": links.manage_url(alert),
        "unsubscribe_url": links.unsubscribe_url(alert),
        "listing_url": reverse("postings:list") + (f"?{alert.search}" if alert.search else ""),
    }


MANAGE_ACTIONS = ("frequency", "pause", "resume", "delete")
DONE_MESSAGES = {
    "frequency": "Saved: the frequency is changed.",
    "pause": "Paused: no e-mails until you resume the alert.",
    "resume": "Resumed: new openings will be e-mailed again.",
}


@method_decorator(never_cache, name="dispatch")
class ManageView(View):
    """The signed manage link: the alert in words; change its frequency, pause, resume or
    delete it."""

    template_name = "alerts/manage.html"

    def get(self, request, token):
        try:
            alert = links.open_link(token, "manage")
        except links.LinkError as error:
            return link_problem(request, error, "manage")
        return self.page(alert, FrequencyForm(initial={"frequency": alert.frequency}))

    def post(self, request, token):
        action = request.POST.get("action", "")
        if action not in MANAGE_ACTIONS:
            return render(request, "alerts/link_problem.html", {"reason": "action"}, status=400)
        with transaction.atomic():
            try:
                alert = links.open_link(token, "manage", for_update=True)
            except links.LinkError as error:
                return link_problem(request, error, "manage")
            if action == "delete":
                alert.delete()
                return render(request, "alerts/unsubscribed.html", {"deleted": True})
            if action == "frequency":
                form = FrequencyForm(request.POST)
                if not form.is_valid():
                    return self.page(alert, form, status=400)
                alert.frequency = form.cleaned_data["frequency"]
            else:
                alert.paused = action == "pause"
            alert.save(update_fields=["frequency", "paused"])
        # Post/Redirect/Get, with what was done in the URL (no session, no cookie).
        return HttpResponseRedirect(f"{request.path}?done={action}", status=303)

    def page(self, alert, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "alert": alert,
                "form": form,
                "description": describe(alert.search),
                "done": DONE_MESSAGES.get(self.request.GET.get("done", "")),
                **alert_links(alert),
            },
            status=status,
        )


# The signed token is the proof of who asks (RFC 8058: a mail client's one-click POST
# carries no CSRF token), and the only thing this view does is delete that one alert.
@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class UnsubscribeView(View):
    """GET shows a button; POST deletes the alert (the button, or a mail client's
    one-click `List-Unsubscribe=One-Click` POST)."""

    def get(self, request, token):
        try:
            alert = links.open_link(token, "unsubscribe")
        except links.LinkError as error:
            return link_problem(request, error, "unsubscribe")
        return render(
            request,
            "alerts/unsubscribe.html",
            {"alert": alert, "description": describe(alert.search)},
        )

    def post(self, request, token):
        with transaction.atomic():
            try:
                alert = links.open_link(token, "unsubscribe", for_update=True)
            except links.LinkError as error:
                if error.reason != "gone":
                    return link_problem(request, error, "unsubscribe")
                # Deleted already (a second click, a retrying mail client): done is done.
            else:
                alert.delete()
        return render(request, "alerts/unsubscribed.html", {"deleted": True})
