from django.http import HttpResponse
from django.urls import path


def _todo(request, pk=None):
    return HttpResponse('ok')


urlpatterns = [
    path('', _todo, name='portfolio'),
    path('account/<int:pk>/', _todo, name='account'),
]
