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
        # With its live openings counted in the same query, as far as the pages reach:
        # the paginator then needs no estimate and no count of its own (three queries
        # of the page's six).
        companies = stats.annotate_open_roles_up_to(Company.objects.all(), self.max_results + 1)
        self.company = get_object_or_404(companies, slug=self.kwargs["slug"])
        return Posting.objects.live().for_company(self.company).for_cards()

    @property
    def max_results(self) -> int:
        return self.max_pages * self.paginate_by

    def get_listing(self, queryset) -> Listing:
        # More openings than the pages show are "about N", PostgreSQL's estimate, as on
        # every listing: the paginator estimates them itself.
        roles = self.company.open_roles
        return Listing(queryset, known_total=roles if roles <= self.max_results else None)

    def get_context_data(self, **kwargs):
        return super().get_context_data(company=self.company, **kwargs)
