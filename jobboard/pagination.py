"""The site's one way to paginate, so that changing how pages are counted is one edit.

At a million postings an exact COUNT(*) dominates a listing request (PERFORMANCE.md):
a capped or estimated count will replace `SitePaginator.count` here, and every paginated
page (the listing, a company's openings, the company directory) follows.
"""

from django.core.paginator import Paginator


class SitePaginator(Paginator):
    pass


class PaginationMixin:
    """For ListView: a page past the end or an invalid page number is a 404 (ListView's
    own rule), and the template gets `page_links` for `includes/pagination.html`."""

    paginator_class = SitePaginator
    paginate_by = 20
    # Page links on each side of the current page; the first and last are always shown.
    page_links_on_each_side = 2

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        if page is not None:
            context["page_links"] = list(
                page.paginator.get_elided_page_range(
                    page.number, on_each_side=self.page_links_on_each_side, on_ends=1
                )
            )
        return context
