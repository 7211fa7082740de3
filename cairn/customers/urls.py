from django.urls import path

from cairn.customers import churn_views, views

urlpatterns = [
    path("accounts/", views.portfolio, name="portfolio"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/delete/", views.account_delete, name="account_delete"),
    path("accounts/<int:pk>/history/", views.account_history, name="account_history"),
    path("accounts/<int:pk>/org-chart/", views.org_chart, name="org_chart"),
    path("accounts/<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("accounts/<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="contact_edit"),
    path(
        "accounts/<int:pk>/contacts/<int:contact_pk>/delete/",
        views.contact_delete,
        name="contact_delete",
    ),
    path(
        "accounts/<int:pk>/subscriptions/new/", views.subscription_create, name="subscription_create"
    ),
    path(
        "accounts/<int:pk>/subscriptions/<int:sub_pk>/",
        views.subscription_edit,
        name="subscription_edit",
    ),
    path("churn/", churn_views.churn_definition, name="churn_definition"),
]
