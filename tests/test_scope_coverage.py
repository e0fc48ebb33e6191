"""Every model that declares a data scope is proven by the generic scope tests (or has a named reason not to be)."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from django.apps import apps

from apps.core.testing import ScopeMatrixTests

ROOT = Path(__file__).resolve().parent.parent

# Scoped models proven some other way, and where.
COVERED_ELSEWHERE = {
    "org.Department": "apps/org/tests/test_scope.py (a department is its own unit: DepartmentScopeTests, routes too)",
    "marketing.IntelRead": "apps/marketing/tests/test_intel.py (read receipts are only shown to the intel's owner)",
}


def _matrix_models() -> set[str]:
    for path in ROOT.glob("apps/*/tests/test_*.py"):
        import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    found: set[str] = set()
    pending = list(ScopeMatrixTests.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if getattr(cls, "model", None) is not None:
            found.add(cls.model._meta.label)
    return found


def test_every_scoped_model_has_the_generic_scope_tests() -> None:
    scoped = {m._meta.label for m in apps.get_models() if getattr(m, "scope_fields", None) is not None}
    missing = scoped - _matrix_models() - set(COVERED_ELSEWHERE)
    assert not missing, f"scoped models without a ScopeMatrixTests subclass: {sorted(missing)}"
