from django.http import HttpResponse
from django.urls import path


def _todo(request, pk=None):
    return HttpResponse('ok')


urlpatterns = [
    path('users/', _todo, name='users'),
    path('profile/', _todo, name='profile'),
]
