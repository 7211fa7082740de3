from django.urls import path

from cairn.evaluation import views

urlpatterns = [
    path("rounds/<int:pk>/", views.round_detail, name="evaluation_round"),
    path("rounds/<int:pk>/customer-values/", views.customer_value_add, name="customer_value_add"),
    path("customer-values/<int:pk>/", views.customer_value_edit, name="customer_value_edit"),
    path("customer-values/<int:pk>/delete/", views.customer_value_delete, name="customer_value_delete"),
    path("rounds/<int:pk>/company-values/", views.company_value_set, name="company_value_set"),
    path("lessons/", views.lessons, name="lessons"),
    path("lessons/new/", views.lesson_create, name="lesson_create"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson"),
    path("lessons/<int:pk>/edit/", views.lesson_edit, name="lesson_edit"),
    path("lessons/<int:pk>/delete/", views.lesson_delete, name="lesson_delete"),
    path("engagements/<int:engagement_pk>/lessons/", views.lessons_gather, name="lessons_gather"),
    path("development-plan/", views.development_plan, name="development_plan"),
    path("development-plans/", views.development_plans, name="development_plans"),
    path("development-plans/<int:pk>/", views.development_plan_detail, name="development_plan_detail"),
    path("development-plans/<int:pk>/items/", views.plan_item_add, name="plan_item_add"),
    path("development-plans/<int:pk>/reviews/", views.plan_review_add, name="plan_review_add"),
    path("plan-items/<int:pk>/", views.plan_item_edit, name="plan_item_edit"),
    path("plan-items/<int:pk>/delete/", views.plan_item_delete, name="plan_item_delete"),
]
