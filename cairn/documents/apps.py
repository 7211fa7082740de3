from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "cairn.documents"
    label = "documents"
