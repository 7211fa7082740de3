from django.http import HttpResponse
from django.urls import path


def _todo(request, pk=None):
    return HttpResponse('ok')


urlpatterns = [
    path('document-search/', _todo, name='document_search'),
    path('document/<int:pk>/', _todo, name='document'),
]
