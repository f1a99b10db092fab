from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("new/", views.SubscribeView.as_view(), name="subscribe"),
    path("new/sent/", views.SentView.as_view(), name="sent"),
    path("confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("manage/<str:token>/", views.ManageView.as_view(), name="manage"),
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
