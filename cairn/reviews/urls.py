from django.urls import path

from cairn.reviews import views

urlpatterns = [
    path("", views.reviews, name="reviews"),
    path("accounts/<int:account_pk>/new/", views.program_create, name="review_program_create"),
    path("programs/<int:pk>/", views.program, name="review_program"),
    path("programs/<int:pk>/edit/", views.program_edit, name="review_program_edit"),
    path("programs/<int:pk>/delete/", views.program_delete, name="review_program_delete"),
    path("programs/<int:pk>/prepare/", views.prepare, name="review_prepare"),
    path("<int:pk>/", views.review, name="review"),
    path("<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("<int:pk>/refresh/", views.review_refresh, name="review_refresh"),
    path("<int:pk>/export/", views.review_export, name="review_export"),
    path("<int:pk>/meeting/", views.review_meeting, name="review_meeting"),
    path("<int:pk>/follow-ups/new/", views.review_follow_up, name="review_follow_up"),
    path("<int:pk>/cancel/", views.review_cancel, name="review_cancel"),
    path("<int:pk>/delete/", views.review_delete, name="review_delete"),
]
