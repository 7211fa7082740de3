from django.urls import path

from cairn.customers import import_views as views

urlpatterns = [
    path("", views.upload, name="import"),
    path("<str:token>/", views.mapping, name="import_mapping"),
    path("<str:token>/discard/", views.discard, name="import_discard"),
]
