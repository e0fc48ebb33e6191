"""The system check that keeps every scoped model on ``ScopedQuerySet`` (core.E001)."""

from __future__ import annotations

import pytest
from django.core import checks
from django.db import models
from django.test.utils import isolate_apps

from apps.core import checks as core_checks
from apps.core.scoping import ScopedQuerySet, ScopeFields


class ScopedQuerySetCheckTests:
    def test_the_project_passes(self) -> None:
        assert core_checks.scoped_models_use_scoped_queryset(None) == []

    def test_it_is_registered_with_django(self) -> None:
        assert not [e for e in checks.run_checks() if e.id == "core.E001"]
        assert core_checks.scoped_models_use_scoped_queryset in checks.registry.registry.registered_checks

    def test_it_fires_for_a_scoped_model_with_a_plain_manager(self, monkeypatch: pytest.MonkeyPatch) -> None:
        with isolate_apps("apps.core") as registry:

            class Leaky(models.Model):  # noqa: DJ008
                owner_id = models.IntegerField()
                scope_fields = ScopeFields(owner="owner_id", unit="")

                class Meta:
                    app_label = "core"

            class Guarded(models.Model):  # noqa: DJ008
                scope_fields = ScopeFields(owner=None, unit="")
                objects = ScopedQuerySet.as_manager()

                class Meta:
                    app_label = "core"

            class Unscoped(models.Model):  # noqa: DJ008
                class Meta:
                    app_label = "core"

            monkeypatch.setattr(core_checks, "apps", registry)
            errors = core_checks.scoped_models_use_scoped_queryset(None)
        assert [(e.id, e.obj) for e in errors] == [("core.E001", Leaky)]
        assert "core.Leaky" in errors[0].msg
