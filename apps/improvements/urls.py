"""The improvement actions pages."""

from django.urls import path  # noqa: F401

app_name = "improvements"

urlpatterns: list = []
