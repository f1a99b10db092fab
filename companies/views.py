from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from jobboard.cache import cached
from jobboard.pagination import Listing, PaginationMixin
from postings import stats
from postings.models import Posting

from .models import Company


class CompanyListView(PaginationMixin, ListView):
    paginate_by = 48
    template_name = "companies/company_list.html"

    def get_queryset(self):
        return Company.objects.for_rows().order_by("name")

    def get_listing(self, queryset) -> Listing:
        # Every company is listed, so their number is the same for every visitor: counted
        # once per edit (or PAGE_CACHE_SECONDS), not by each request, where it cost 4-12
        # ms at 40,000 companies and made the page 1.2-1.4 times slower than at 400.
        return Listing(
            queryset,
            known_total=cached("company-count", Company.objects.count),
            read_page=self.read_page,
        )

    @staticmethod
    def read_page(page):
        """The page's companies with their open roles, in one query that finds the page
        first and counts for its companies alone. (Annotating every company, then
        taking a page, counted for all the rows the page skipped too: 1.9 s for page
        300 at a million postings.) Built per request: `open_roles` counts live
        postings, which reads the clock (tests/test_time_moves.py)."""
        companies = Company.objects.for_rows().filter(pk__in=page.values("pk"))
        return stats.annotate_open_roles(companies).order_by("name")


class CompanyDetailView(PaginationMixin, ListView):
    """A company and its live openings, paginated like the listing."""

    template_name = "companies/company_detail.html"
    context_object_name = "postings"
    max_pages = 50

    def get_queryset(self):
        self.company = get_object_or_404(Company, slug=self.kwargs["slug"])
        return Posting.objects.live().for_company(self.company).for_cards()

    def get_listing(self, queryset) -> Listing:
        # One bounded count where the estimate, the time limit and the count took three
        # statements and a transaction. More than the pages show are "about N", the
        # paginator's estimate, as on every listing.
        return Listing(queryset, counted_from_own_index=True)

    def get_context_data(self, **kwargs):
        return super().get_context_data(company=self.company, **kwargs)
