from django.views.generic import DetailView, ListView

from jobboard.pagination import PaginationMixin

from .filters import PostingFilter, Sort
from .models import Posting


class PostingListView(PaginationMixin, ListView):
    """All live openings, filtered from GET parameters.

    Invalid values (salary_min=abc, an unknown skill) are ignored with an error shown on
    the page and a 400 status, so that such URLs are neither a 500 nor indexed.
    """

    template_name = "postings/posting_list.html"

    def get_queryset(self):
        self.filterset = PostingFilter(
            self.request.GET, queryset=Posting.objects.live().for_cards(), request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter=self.filterset,
            form=self.filterset.form,
            active_filters=self.filterset.active_filters(),
            sort=self.filterset.sort_order,
            default_sort=self.filterset.default_sort,
            sort_choices=[
                (value, label)
                for value, label in Sort.CHOICES
                if value != Sort.RELEVANCE or self.filterset.keywords
            ],
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        if self.filterset.errors:
            response_kwargs.setdefault("status", 400)
        return super().render_to_response(context, **response_kwargs)


class PostingDetailView(DetailView):
    """A posting by its URL; closed and expired ones stay reachable (marked as such),
    drafts and scheduled ones are a 404."""

    queryset = Posting.objects.reachable().select_related("company").prefetch_related("skills")
    template_name = "postings/posting_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(similar_postings=self.object.similar(), **kwargs)
