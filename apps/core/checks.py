"""System checks that keep the data scope honest."""

from __future__ import annotations

from django.apps import apps
from django.core.checks import Error, register

from apps.core.scoping import ScopedQuerySet


@register()
def scoped_models_use_scoped_queryset(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    """A model that declares ``scope_fields`` must offer ``visible_to`` on its default manager."""
    errors = []
    for model in apps.get_models():
        if getattr(model, "scope_fields", None) is None:
            continue
        if not isinstance(model._default_manager.all(), ScopedQuerySet):
            errors.append(
                Error(
                    f"{model._meta.label} declares scope_fields but its default manager is not a ScopedQuerySet.",
                    obj=model,
                    id="core.E001",
                )
            )
    return errors
