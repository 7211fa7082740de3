from django.urls import path

from cairn.sharing import views

urlpatterns = [
    path("links/<int:pk>/revoke/", views.link_revoke, name="shared_link_revoke"),
    path("<str:token>/", views.shared_link, name="shared_link"),
    path("<str:token>/file/", views.shared_download, name="shared_link_file"),
    path("<str:token>/read/", views.shared_read, name="shared_link_read"),
    path(
        "<str:token>/accept/", views.shared_answer, {"answer": "accept"}, name="shared_link_accept"
    ),
    path(
        "<str:token>/decline/", views.shared_answer, {"answer": "decline"},
        name="shared_link_decline",
    ),
]
