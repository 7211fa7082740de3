from django.urls import path

from cairn.forecast import views

urlpatterns = [
    path("", views.card, name="forecast"),
    path("train/", views.train, name="forecast_train"),
]
