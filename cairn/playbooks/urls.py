from django.http import HttpResponse
from django.urls import path


def _todo(request, pk=None):
    return HttpResponse('ok')


urlpatterns = [
    path('playbooks/', _todo, name='playbooks'),
    path('playbook/<int:pk>/', _todo, name='playbook'),
]
