from dataclasses import replace

from django.views.generic import DetailView, ListView

from jobboard.pagination import Listing, PaginationMixin, SitePaginator

from . import facets, stats
from .filters import (
    RANK_WINDOW,
    PostingFilter,
    Relaxation,
    Sort,
    relaxed_queries,
    skill_choice_groups,
)
from .models import Posting, PostingQuerySet

# An empty result suggests removing at most this many of its filters, those that leave
# the most openings.
RELAXATIONS_SHOWN = 3


class PostingListView(PaginationMixin, ListView):
    """All live openings, filtered from GET parameters.

    Invalid values (salary_min=abc, an unknown skill) are ignored with an error shown on
    the page and a 400 status, so that such URLs are neither a 500 nor indexed.
    """

    template_name = "postings/posting_list.html"
    # 500 openings by page; the total beyond is estimated (jobboard/pagination.py).
    max_pages = 25

    def get_queryset(self):
        self.filterset = self.filter_of(self.request.GET)
        self.max_pages = self.max_pages_of(self.filterset)
        self.active_filters = self.filterset.active_filters()
        return self.filterset.qs

    def filter_of(self, data) -> PostingFilter:
        return PostingFilter(
            data, queryset=Posting.objects.live().for_cards(), request=self.request
        )

    def max_pages_of(self, filterset) -> int:
        # A keyword search ranks a window of its newest matches: its pages stop there.
        if filterset.sort_order == Sort.RELEVANCE:
            return RANK_WINDOW // self.paginate_by
        return type(self).max_pages

    def get_listing(self, queryset) -> Listing:
        return self.listing_of(self.filterset, filtered=bool(self.active_filters))

    def listing_of(self, filterset, *, filtered: bool) -> Listing:
        listing = filterset.listing  # of its `qs`; a ranked window knows its size
        if not filtered:
            # The whole board, capped at max_pages: its approximate size is a stored
            # figure, so neither a count nor an estimate has to be asked of PostgreSQL.
            above = 2 * type(self).max_pages * self.paginate_by
            listing = replace(listing, known_total=stats.large_total(above=above))
        return replace(listing, read_page=listing.read_page or PostingQuerySet.rows_by_id)

    def get_context_data(self, **kwargs):
        shown_skills, more_skills = skill_choice_groups(
            # The filter's skills: a skill typed in the keywords is ticked too.
            self.filterset.choices,
            self.filterset.data.getlist("skill"),
        )
        context = super().get_context_data(
            filter=self.filterset,
            form=self.filterset.form,
            active_filters=self.active_filters,
            sort=self.filterset.sort_order,
            default_sort=self.filterset.default_sort,
            sort_choices=[
                (value, label)
                for value, label in Sort.CHOICES
                if value != Sort.RELEVANCE or self.filterset.keywords
            ],
            skill_choices=shown_skills,
            more_skill_choices=more_skills,
            skill_count=len(self.filterset.choices.skills),
            company_choices=self.company_choices(),
            **kwargs,
        )
        # Only an empty result pays for them: a page with openings asks nothing more.
        if self.active_filters and not context["page_obj"].object_list:
            context["relaxations"] = self.relaxations()
        return context

    def relaxations(self) -> list[Relaxation]:
        """The filters whose removal would list the most openings, each with the total the
        listing without it shows, from one bounded count (or what it knows without one:
        jobboard/pagination.py)."""
        found = []
        for labels, query in relaxed_queries(self.filterset, self.active_filters):
            # Taken from the resolved search: its keywords are not read again.
            filterset = self.filter_of(facets.ResolvedQuery(query))
            listing = self.listing_of(filterset, filtered=bool(filterset.active_filters()))
            # Its total alone: no page to read ids for, and a walk's bounded count (or
            # the estimate after it) costs less than finding all of them.
            listing = replace(listing, narrowed_by_index=False)
            paginator = SitePaginator(
                listing, self.paginate_by, max_pages=self.max_pages_of(filterset)
            )
            if paginator.total:
                found.append(Relaxation(labels, query, paginator.total, paginator.total_display))
        found.sort(key=lambda relaxation: -relaxation.total)  # stable: ties in chip order
        return found[:RELAXATIONS_SHOWN]

    def company_choices(self):
        """The chosen company and the busiest hirers: a <select> of every company would
        hold tens of thousands of options at scale. Any company is reachable from its own
        page ("Filter these openings")."""
        chosen = self.filterset.form.cleaned_data.get("company")
        hiring = self.filterset.choices.hiring
        if chosen is not None and (chosen.slug, chosen.name) not in hiring:
            hiring = [(chosen.slug, chosen.name), *hiring]
        return [("", "Any company"), *hiring]

    def render_to_response(self, context, **response_kwargs):
        if self.filterset.errors:
            response_kwargs.setdefault("status", 400)
        return super().render_to_response(context, **response_kwargs)


class PostingDetailView(DetailView):
    """A posting by its URL; closed and expired ones stay reachable (marked as such),
    drafts and scheduled ones are a 404."""

    template_name = "postings/posting_detail.html"

    def get_queryset(self):
        # Built per request: `reachable()` reads the clock. As a class attribute it froze
        # "now" when the worker imported this module, and every posting published since
        # was a 404 until a restart.
        return Posting.objects.reachable().select_related("company").prefetch_related("skills")

    def get_context_data(self, **kwargs):
        return super().get_context_data(similar_postings=self.object.similar(), **kwargs)
