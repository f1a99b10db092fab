from django.urls import path

from . import views

app_name = "postings"
urlpatterns = [
    path("", views.PostingListView.as_view(), name="list"),
    path("<slug:slug>/", views.PostingDetailView.as_view(), name="detail"),
]
