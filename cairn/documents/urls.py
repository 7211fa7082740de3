from django.urls import path

from cairn.documents import search_views, views

urlpatterns = [
    path("search/", search_views.document_search, name="document_search"),
    path("preview/", views.document_preview, name="document_preview"),
    path("<int:pk>/", views.document, name="document"),
    path("<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("<int:pk>/download/", views.document_download, name="document_download"),
    path("<int:pk>/template/", views.document_save_as_template, name="document_save_as_template"),
    path("<int:pk>/versions/", views.document_versions, name="document_versions"),
    path("<int:pk>/versions/<int:number>/", views.document_version, name="document_version"),
    path("<int:pk>/versions/<int:number>/restore/", views.document_restore,
         name="document_restore"),
    path("<int:pk>/versions/<int:number>/download/", views.document_download,
         name="document_version_download"),
    path("engagement/<int:engagement_pk>/new/", views.document_new, name="document_new"),
    path("engagement/<int:engagement_pk>/upload/", views.document_upload, name="document_upload"),
    path("engagement/<int:engagement_pk>/from-template/", search_views.document_from_template,
         name="document_from_template"),
]
