from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "cairn.documents"
    label = "documents"

    def ready(self) -> None:
        from cairn import pages
        from cairn.documents.queries import engagement_page

        pages.provide("engagement", engagement_page)
