from django.views.generic import DetailView, ListView

from .models import Posting


class PostingListView(ListView):
    queryset = Posting.objects.live().for_cards()
    paginate_by = 20


class PostingDetailView(DetailView):
    # Closed and expired postings stay reachable (marked as such); drafts do not.
    queryset = Posting.objects.exclude(status=Posting.Status.DRAFT).select_related("company")
