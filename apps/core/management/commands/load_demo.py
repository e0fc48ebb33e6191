"""Load the demo company (idempotent). Each app adds its records in ``<app>/demo.py`` with ``load(stdout)``;
they run in the layering order of INSTALLED_APPS so that later apps can use earlier apps' demo records."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load the demo company (accounts, departments and each app's records). Safe to run repeatedly."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--apps", default="", help="Comma-separated app labels to load (default: all), e.g. org")

    def handle(self, *args: Any, **options: Any) -> None:
        only = {label.strip() for label in options["apps"].split(",") if label.strip()}
        for config in apps.get_app_configs():
            if not config.name.startswith("apps.") or (only and config.label not in only):
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError:
                continue
            with transaction.atomic():
                module.load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo company ready. Accounts use the password demo12345."))
