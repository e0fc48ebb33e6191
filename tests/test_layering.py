"""The layering of DESIGN.md and STYLE.md 2.3, kept by the import-linter contracts in ``pyproject.toml``."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def _lint_imports() -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(executable), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


class LayeringTests:
    def test_the_contracts_cover_the_app_order_and_the_in_app_stack(self) -> None:
        names = [c["name"] for c in _contracts()]
        assert len(names) >= 2, names

    def test_every_import_linter_contract_is_kept(self) -> None:
        result = _lint_imports()
        report = result.stdout + result.stderr
        assert result.returncode == 0, report
        assert f"Contracts: {len(_contracts())} kept, 0 broken." in report, report

    def test_the_in_app_contract_covers_every_app_and_names_only_real_modules(self) -> None:
        """The containers are a pattern (every app) and the contract is exhaustive, so a new module of any app must
        be placed in a layer; a layer name no app has is a stale entry."""
        contract = next(c for c in _contracts() if c["name"].startswith("Inside an app"))
        assert contract["containers"] == ["apps.*"] and contract["exhaustive"] is True
        names = {name.strip().strip("()") for layer in contract["layers"] for name in layer.split(":")}
        modules = {
            path.stem
            for app in (ROOT / "apps").iterdir()
            if (app / "__init__.py").exists()
            for path in app.iterdir()
            if path.suffix == ".py" or (path / "__init__.py").exists()
        }
        assert names <= modules, sorted(names - modules)

    def test_areas_nest_under_their_layer_and_are_never_named_in_the_contract(self) -> None:
        """One nesting rule, ``apps/<app>/<layer>/<area>.py``: no app has a flat ``<layer>_<area>.py`` module (or
        package) beside its layers, and the in-app contract lists layer names only."""
        contract = next(c for c in _contracts() if c["name"].startswith("Inside an app"))
        layers = {name.strip().strip("()") for layer in contract["layers"] for name in layer.split(":")}
        prefixed = sorted(name for name in layers if any(name.startswith(f"{other}_") for other in layers))
        assert prefixed == [], prefixed
        flat = sorted(
            f"{app.name}/{path.name}"
            for app in (ROOT / "apps").iterdir()
            if (app / "__init__.py").exists()
            for path in app.iterdir()
            if (path.suffix == ".py" or (path / "__init__.py").exists())
            and any(path.stem.startswith(f"{layer}_") for layer in layers)
        )
        assert flat == [], flat

    def test_no_module_outside_migrations_and_tests_exceeds_600_lines(self) -> None:
        too_long = sorted(
            (len(path.read_text(encoding="utf-8").splitlines()), str(path.relative_to(ROOT)))
            for path in (ROOT / "apps").rglob("*.py")
            if "migrations" not in path.parts
            and "tests" not in path.parts
            and len(path.read_text(encoding="utf-8").splitlines()) > 600
        )
        assert too_long == [], too_long
