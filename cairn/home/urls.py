from django.urls import path

from cairn.home import views

urlpatterns = [
    path("", views.home, name="home"),
]
