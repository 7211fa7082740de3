from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "cairn.onboarding"
    label = "onboarding"
