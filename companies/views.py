from django.views.generic import DetailView, ListView

from .models import Company


class CompanyListView(ListView):
    model = Company
    paginate_by = 50


class CompanyDetailView(DetailView):
    model = Company
