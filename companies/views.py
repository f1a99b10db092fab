from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from jobboard.pagination import Listing, PaginationMixin
from postings import stats
from postings.models import Posting

from .models import Company


class CompanyListView(PaginationMixin, ListView):
    paginate_by = 48
    template_name = "companies/company_list.html"

    def get_queryset(self):
        # Built per request: `open_roles` counts live postings, which reads the clock; a
        # class attribute froze it at import (tests/test_time_moves.py).
        return stats.annotate_open_roles(Company.objects.for_rows()).order_by("name")


class CompanyDetailView(PaginationMixin, ListView):
    """A company and its live openings, paginated like the listing."""

    template_name = "companies/company_detail.html"
    context_object_name = "postings"
    max_pages = 50

    def get_queryset(self):
        self.company = get_object_or_404(Company, slug=self.kwargs["slug"])
        return Posting.objects.live().for_company(self.company).for_cards()

    def get_listing(self, queryset) -> Listing:
        # A company's openings are found from its own index, whatever the board's size:
        # counted here up to what the pages reach, without the paginator's estimate
        # first and time limit (its guards for filters that walk the whole board): one
        # statement where those took three and a transaction. More than the pages show
        # are "about N", the paginator's estimate, as on every listing.
        max_results = self.max_pages * self.paginate_by
        counted = queryset.order_by().values("pk")[: max_results + 1].count()
        return Listing(queryset, known_total=counted if counted <= max_results else None)

    def get_context_data(self, **kwargs):
        return super().get_context_data(company=self.company, **kwargs)
