from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR, ChangeList
from django.db import connections
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from companies.admin import URL_FIELDS_ASSUME_HTTPS, logo_thumbnail
from content.views import ContentImportStatusView, ContentImportView, ContentSampleView
from jobboard.admin_widgets import AccessibleAdminMixin
from jobboard.cache import bump_content_generation
from jobboard.pagination import Listing, SitePaginator
from skills.models import Skill

from . import deadlines, exchange_rates, pay_transparency
from .models import ExchangeRate, Posting, keywords_query


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return [
            ("expired", "Expired"),
            ("7d", "Expires within 7 days"),
            ("later", "Expires later"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "expired":
            return queryset.filter(expires_at__lte=now)
        if self.value() == "7d":
            return queryset.filter(expires_at__gt=now, expires_at__lte=now + timedelta(days=7))
        if self.value() == "later":
            return queryset.filter(expires_at__gt=now + timedelta(days=7))
        return queryset


class PayTransparencyFilter(admin.SimpleListFilter):
    """Postings by what the pay-transparency rules of their places may require
    (postings.pay_transparency): a warning for staff to look at, not a verdict."""

    title = "pay transparency"
    parameter_name = "pay_transparency"

    def lookups(self, request, model_admin):
        return pay_transparency.STATUSES

    def queryset(self, request, queryset):
        if self.value() in dict(pay_transparency.STATUSES):
            return queryset.filter(pay_transparency.status_q(self.value()))
        return queryset


class SkillFilter(admin.SimpleListFilter):
    """Every skill (a hundred or so; RelatedOnlyFieldListFilter read every posting's skills
    to list those in use), matched by an EXISTS: the join of the related filter it
    replaces made the admin add a DISTINCT, which sorted all of a skill's postings for
    one page (3.7 s at a million postings). Its parameter is the related filter's."""

    title = "skills"
    parameter_name = "skills__id__exact"

    def lookups(self, request, model_admin):
        return Skill.objects.order_by("name").values_list("pk", "name")

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        # A skill not listed (a typo, a deleted skill) tags no posting.
        if self.value() not in {str(pk) for pk, _name in self.lookup_choices}:
            return queryset.none()
        tagged = Posting.skills.through.objects.filter(
            posting_id=OuterRef("pk"), skill_id=self.value()
        )
        return queryset.filter(Exists(tagged))


class ChosenCompanyFilter(admin.RelatedFieldListFilter):
    """The company filter of a changelist opened for one company (?company__id__exact=…),
    listing that company alone: a list of every company (40,000 at a million postings)
    was megabytes of HTML, and RelatedOnlyFieldListFilter read every posting to make it.
    Staff find a company's postings by searching its name."""

    def field_choices(self, field, request, model_admin):
        if not self.lookup_val:
            return []
        chosen = [pk for pk in self.lookup_val if str(pk).isdigit()]
        return field.get_choices(
            include_blank=False, limit_choices_to={"pk__in": chosen}, ordering=("name",)
        )

    def has_output(self):
        return bool(self.lookup_choices)


class IndexedOrderChangeList(ChangeList):
    """Sorts only by the columns of `sortable_by`, a sort typed into the URL (?o=1) too;
    for any other the list keeps its default order. No other column has an index over
    every posting: sorting by one sorted them all (3-8 s at a million postings)."""

    def get_ordering(self, request, queryset):
        requested = self.params.pop(ORDER_VAR, "")
        kept = [term for term in requested.split(".") if self._is_sortable(term)]
        if kept:
            self.params[ORDER_VAR] = ".".join(kept)
        return super().get_ordering(request, queryset)

    def _is_sortable(self, term: str) -> bool:
        index = term.removeprefix("-")
        if not index.isdigit() or int(index) >= len(self.list_display):
            return False
        return self.sortable_by is None or self.list_display[int(index)] in self.sortable_by


# Deadlines and freshness ------------------------------------------------------------------

UNCONFIRMED_DAYS = 30


class ConfirmationFilter(admin.SimpleListFilter):
    title = "confirmed open"
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [
            ("stale", f"Not confirmed in {UNCONFIRMED_DAYS} days"),
            ("lapsed", f"Hidden: not confirmed in {settings.RECONFIRM_DAYS} days"),
        ]

    def queryset(self, request, queryset):
        """Published postings (drafts and closed ones have nothing to confirm)."""
        now = timezone.now()
        if self.value() == "stale":
            since = now - timedelta(days=UNCONFIRMED_DAYS)
        elif self.value() == "lapsed":
            since = deadlines.confirmation_cutoff(now)
        else:
            return queryset
        return queryset.filter(
            Q(confirmed_at__isnull=True) | Q(confirmed_at__lte=since),
            status=Posting.Status.PUBLISHED,
        )


class PostingAdminForm(forms.ModelForm):
    """The deadline is entered, and shown, as the wall-clock time of its own time zone
    ("17:00" with "Europe/Berlin" is 17:00 in Berlin), not of the site's (UTC). Choosing
    "Published" without a publication date publishes now (`published_now` says so)."""

    PUBLISH_NOW_HELP = "Empty when you choose “Published”: the moment you save."

    class Meta:
        model = Posting
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose)
        # The summary is a card's whole text (at most 200 characters): shown whole.
        widgets = {"summary": forms.Textarea(attrs={"rows": 3, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.published_now = False
        posting = self.instance
        if "published_at" in self.fields:
            rule = Posting._meta.get_field("published_at").help_text
            self.fields["published_at"].help_text = f"{rule} {self.PUBLISH_NOW_HELP}"
        if "apply_by" not in self.fields:
            return
        self.fields["apply_by"].help_text = (
            "In the deadline's time zone, beside it. "
            + Posting._meta.get_field("apply_by").help_text
        )
        if posting.apply_by is not None:
            self.initial["apply_by"] = deadlines.local_as_utc(
                posting.apply_by, posting.apply_by_timezone
            )

    def clean(self):
        cleaned = super().clean()
        # Staff who choose "Published" mean "now" when they give no date (an empty date is
        # what the model refuses for a published posting); a date typed wrong stays an error.
        if (
            cleaned.get("status") == Posting.Status.PUBLISHED
            and "published_at" in self.fields
            and cleaned.get("published_at") is None
            and "published_at" not in self.errors
        ):
            cleaned["published_at"] = timezone.now()
            self.published_now = True
        entered, zone = cleaned.get("apply_by"), cleaned.get("apply_by_timezone")
        if entered is not None and zone and "apply_by_timezone" not in self.errors:
            cleaned["apply_by"] = deadlines.utc_as_local(entered, zone)
        return cleaned


@admin.register(Posting)
class PostingAdmin(AccessibleAdminMixin, admin.ModelAdmin):
    form = PostingAdminForm
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    # Chosen to fit a 1280 px screen beside the navigation and the filters, the expiry
    # included: the company with its logo in one column, dates without their time. When
    # a posting was last confirmed is a filter ("confirmed open") and on its form.
    list_display = ["title", "company_with_logo", "status", "is_live", "published_on", "expires_in"]
    list_filter = [
        "status",
        ExpiryFilter,
        PayTransparencyFilter,
        ConfirmationFilter,
        "remote_policy",
        "employment_type",
        "seniority",
        SkillFilter,
        ("company", ChosenCompanyFilter),
        # Not date_hierarchy: its links are the distinct years (or months) of all the
        # matches, a read of every one of them on each page (2-7 s at a million).
        ("published_at", admin.DateFieldListFilter),
    ]
    # On PostgreSQL, words are found in the search vector of the public search (title,
    # skills, company name, summary, description) and a slug by its start, both through
    # an index (get_search_results); elsewhere these fields are searched as usual.
    search_fields = ["title", "slug", "company__name", "summary"]
    autocomplete_fields = ["company", "skills"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["company"]
    # Counting every posting on each changelist page is slow on a large table; so are a
    # count per filter choice (facets).
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    # Newest first (posting_newest_idx) or oldest first; filters narrow the rest.
    sortable_by = ["published_on"]
    # The pages the paginator counts exactly (jobboard/pagination.py): past them the
    # total is PostgreSQL's estimate, and filters or a search narrow the list.
    max_pages = 20
    readonly_fields = ["compared_salary", "pay_transparency", "created_at", "updated_at"]
    actions = ["publish", "close", "extend_30_days", "confirm_still_open"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "company", "summary", "skills"]}),
        ("Description", {"fields": ["description"]}),
        (
            "Where and how",
            {
                "fields": [
                    "location",
                    ("city", "region", "country"),
                    "remote_policy",
                    "remote_from",
                    ("remote_utc_offset_min", "remote_utc_offset_max"),
                    "employment_type",
                    "seniority",
                ],
                "description": "The location text is shown as the employer wrote it when no "
                "city or country is set. For remote and hybrid roles, say where a hire may "
                "live: countries or named regions, and optionally a range of UTC offsets.",
            },
        ),
        (
            "Salary",
            {
                "fields": [
                    ("salary_min", "salary_max"),
                    ("salary_currency", "salary_period"),
                    "compared_salary",
                    "pay_transparency",
                ],
                "description": "Optional. Leave both amounts empty when the salary is not known. "
                "“Salary at least” and the salary sort compare it converted to the reference "
                "currency a year, at the exchange rates in force.",
            },
        ),
        (
            "How to apply",
            {
                "fields": ["apply_url", "apply_email"],
                "description": "Optional. Without either, the page says how to apply is not "
                "stated and links the company's website.",
            },
        ),
        ("Publishing", {"fields": ["status", "published_at", "expires_at", "confirmed_at"]}),
        (
            "Application deadline",
            {
                "fields": [("apply_by", "apply_by_timezone")],
                "description": "Optional. The date and time the employer gave, in the time "
                "zone they gave it in (an IANA name such as Europe/Berlin or "
                "America/New_York; empty: UTC).",
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_changelist(self, request, **kwargs):
        return IndexedOrderChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # A search is matched in the search vector's GIN index: when the words are rare
        # the paginator reads their postings from it rather than walk the whole order.
        searched = bool(request.GET.get(SEARCH_VAR, "").strip())
        return SitePaginator(
            Listing(queryset, narrowed_by_index=searched and self._searches_vector(queryset)),
            per_page,
            max_pages=self.max_pages,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
        )

    def get_search_results(self, request, queryset, search_term):
        """A full-text search and a slug prefix, each answered by an index: an icontains
        of four columns and a join read every posting (3-11 s at a million)."""
        search_term = search_term.strip()
        if not search_term or not self._searches_vector(queryset):
            return super().get_search_results(request, queryset, search_term)
        words = keywords_query(search_term)
        return queryset.filter(
            Q(search_vector=words) | Q(slug__startswith=search_term.lower())
        ), False

    @staticmethod
    def _searches_vector(queryset) -> bool:
        # The vector and its triggers are PostgreSQL's alone (postings.models).
        return connections[queryset.db].vendor == "postgresql"

    # Facts an employer may leave unsaid: blank is stored, and labelled for what it means.
    UNSTATED_FIELDS = ("remote_policy", "employment_type", "seniority")

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name in self.UNSTATED_FIELDS:
            kwargs["choices"] = [("", "Not stated"), *db_field.choices]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description="Company", ordering="company__name")
    def company_with_logo(self, posting):
        return format_html(
            '<span class="admin-company">{}<span>{}</span></span>',
            logo_thumbnail(posting.company),
            posting.company.name,
        )

    @admin.display(description="Published", ordering="published_at")
    def published_on(self, posting):
        if posting.published_at is None:
            return "–"
        return date_format(timezone.localtime(posting.published_at), "j M Y")

    @admin.display(description="Compared salary")
    def compared_salary(self, posting):
        return exchange_rates.compared_note(posting)

    @admin.display(description="Pay transparency")
    def pay_transparency(self, posting):
        if not posting.pk:
            return "Checked when the posting is saved."
        found = pay_transparency.findings(posting)
        if not found:
            return "No pay-transparency rule we know of covers this posting's places."
        return " ".join(finding.message() for finding in found)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(form, "published_now", False):
            self.message_user(
                request,
                "The publication date was empty, so it is now: "
                f"{date_format(timezone.localtime(obj.published_at), 'j M Y, H:i T')}.",
                messages.INFO,
            )
        # A warning, never a verdict: the rules as we read them, and what the posting lacks.
        for finding in pay_transparency.findings(obj):
            if finding.problem:
                self.message_user(request, finding.message(), messages.WARNING)

    @admin.display(boolean=True, description="Live")
    def is_live(self, posting):
        return posting.is_live

    @admin.display(description="Expires", ordering="expires_at")
    def expires_in(self, posting):
        days = (posting.expires_at - timezone.now()).days
        if posting.is_expired:
            return "expired"
        return "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"

    @admin.action(description="Publish selected postings", permissions=["change"])
    def publish(self, request, queryset):
        for posting in queryset.exclude(status=Posting.Status.PUBLISHED):
            posting.publish()
        self.message_user(request, "Published the selected postings.", messages.SUCCESS)

    @admin.action(description="Close selected postings", permissions=["change"])
    def close(self, request, queryset):
        count = queryset.exclude(status=Posting.Status.CLOSED).count()
        for posting in queryset.exclude(status=Posting.Status.CLOSED):
            posting.close()
        self.message_user(request, f"Closed {count} posting(s).", messages.SUCCESS)

    @admin.action(description="Extend expiry by 30 days", permissions=["change"])
    def extend_30_days(self, request, queryset):
        for posting in queryset:
            posting.extend(days=30)
        self.message_user(request, "Extended the selected postings by 30 days.", messages.SUCCESS)
        # close_expired_postings closes what expired: extending alone does not reopen it.
        hidden = queryset.exclude(status=Posting.Status.PUBLISHED).count()
        if hidden:
            self.message_user(
                request,
                f"{hidden} of them {'is' if hidden == 1 else 'are'} not published; "
                "use “Publish selected postings” to show them to job seekers again.",
                messages.WARNING,
            )

    @admin.action(description="Confirm still open", permissions=["change"])
    def confirm_still_open(self, request, queryset):
        # One UPDATE, announced to the page cache: it sends no post_save.
        count = queryset.update(confirmed_at=timezone.now(), updated_at=timezone.now())
        bump_content_generation()
        self.message_user(
            request,
            f"Confirmed {count} posting{'s' if count != 1 else ''} open today; "
            f"{'it stays' if count == 1 else 'they stay'} listed for "
            f"{settings.RECONFIRM_DAYS} more days (if published and before any deadline).",
            messages.SUCCESS,
        )

    def get_urls(self):
        # The content app's import page, mounted here so that its URL and name
        # ("admin:postings_posting_import") sit beside the changelist that links to it.
        upload = self.admin_site.admin_view(ContentImportView.as_view(model_admin=self))
        status = self.admin_site.admin_view(ContentImportStatusView.as_view(model_admin=self))
        sample = self.admin_site.admin_view(ContentSampleView.as_view(model_admin=self))
        # Before the default URLs: "<path:object_id>/" would take "import/".
        return [
            path("import/", upload, name="postings_posting_import"),
            path("import/sample.json", sample, name="postings_posting_import_sample"),
            path("import/<uuid:upload_id>/", status, name="postings_posting_import_status"),
            *super().get_urls(),
        ]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AccessibleAdminMixin, admin.ModelAdmin):
    """The rates in force. Saving or deleting one compares the postings in its currency
    again (postings.exchange_rates.apply_rates); `manage.py load_exchange_rates` loads the ECB's."""

    list_display = ["currency", "rate", "date", "source", "postings"]
    search_fields = ["currency"]
    date_hierarchy = "date"
    fields = ["currency", "rate", "date", "source", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        # One count per currency, each read from posting_salary_currency_idx alone.
        postings = (
            Posting.objects.filter(salary_currency=OuterRef("currency"))
            .order_by()
            .values("salary_currency")
            .annotate(n=Count("*"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(posting_count=Coalesce(Subquery(postings, output_field=IntegerField()), 0))
        )

    @admin.display(description="Postings in this currency", ordering="posting_count")
    def postings(self, rate):
        return rate.posting_count

    def changelist_view(self, request, extra_context=None):
        unrated = exchange_rates.unrated_currencies()
        if unrated and request.method == "GET":
            self.message_user(
                request,
                f"Compared nowhere: no exchange rate for {', '.join(unrated)}. Live postings "
                "in these currencies match no “Salary at least” and sort after every compared "
                "salary until a rate is added.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        currencies = {obj.currency}
        if change and "currency" in form.changed_data:
            currencies.add(form.initial["currency"])  # its postings lose this rate
        self.report(request, exchange_rates.apply_rates(currencies))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.report(request, exchange_rates.apply_rates([obj.currency]))

    def delete_queryset(self, request, queryset):
        currencies = list(queryset.values_list("currency", flat=True))
        super().delete_queryset(request, queryset)
        self.report(request, exchange_rates.apply_rates(currencies))

    def report(self, request, rewritten: dict[str, int]) -> None:
        done = ", ".join(f"{count:,} in {currency}" for currency, count in rewritten.items())
        self.message_user(request, f"Postings compared again: {done}.", messages.INFO)
