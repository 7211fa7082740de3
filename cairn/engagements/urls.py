from django.http import HttpResponse
from django.urls import path


def _todo(request, pk=None):
    return HttpResponse('ok')


urlpatterns = [
    path('engagement/<int:pk>/', _todo, name='engagement'),
]
