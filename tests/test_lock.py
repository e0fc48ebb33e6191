"""The lock (requirements/*.txt) and pyproject.toml must agree: `make lock-check`, run by .ci/run, fails otherwise
(issue 16: "`.ci/run` fails when the lock and `pyproject.toml` disagree (a dependency added to one only)")."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


lock = _load("lock")


@pytest.fixture
def files() -> dict[str, str]:
    return {
        "pyproject_text": (ROOT / "pyproject.toml").read_text(),
        "build_in_text": (ROOT / "requirements" / "build.in").read_text(),
        "runtime_text": (ROOT / "requirements" / "runtime.txt").read_text(),
        "dev_text": (ROOT / "requirements" / "dev.txt").read_text(),
    }


def _pin(name: str, version: str, via: str) -> str:
    return f"{name}=={version} \\\n    --hash=sha256:{'0' * 64}\n    # via {via}\n"


def test_the_committed_lock_agrees_with_pyproject(files: dict[str, str]) -> None:
    assert lock.check(**files) == []


def test_make_lock_check_passes_on_the_committed_lock() -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "lock.py"), "check"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr


def test_make_lock_check_exits_non_zero_when_pyproject_gains_a_dependency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        (ROOT / "pyproject.toml").read_text().replace('"gunicorn>=23",', '"gunicorn>=23",\n    "humanize",')
    )
    monkeypatch.setattr(lock, "PYPROJECT", pyproject)
    assert lock.main(["check"]) == 1
    assert "runtime.txt lacks humanize" in capsys.readouterr().err


def test_every_pin_has_hashes_and_the_tested_set_includes_the_build_tools(files: dict[str, str]) -> None:
    dev = lock.parse_lock(files["dev_text"])
    runtime = lock.parse_lock(files["runtime_text"])
    assert all(pin.hashes for pin in dev.values()) and all(pin.hashes for pin in runtime.values())
    assert {"django", "pytest", "pip", "setuptools", "uv", "pip-audit", "pytest-xdist"} <= set(dev)
    assert "django" in runtime and "pytest" not in runtime and "pip-audit" not in runtime


def test_a_dependency_added_to_pyproject_only_fails(files: dict[str, str]) -> None:
    files["pyproject_text"] = files["pyproject_text"].replace(
        '"Django>=5.2,<5.3",', '"Django>=5.2,<5.3",\n    "humanize>=4",'
    )
    problems = lock.check(**files)
    assert any("runtime.txt lacks humanize>=4" in p for p in problems), problems
    assert any("dev.txt lacks humanize>=4" in p for p in problems), problems


def test_a_dev_dependency_added_to_pyproject_only_fails(files: dict[str, str]) -> None:
    pyproject = files["pyproject_text"]
    files["pyproject_text"] = pyproject.replace('    "pytest>=8.3",', '    "pytest>=8.3",\n    "hypothesis",')
    problems = lock.check(**files)
    assert any("dev.txt lacks hypothesis" in p for p in problems), problems
    assert not any("runtime.txt" in p for p in problems), problems


def test_a_package_added_to_the_lock_only_fails(files: dict[str, str]) -> None:
    files["dev_text"] += _pin("humanize", "4.9.0", "nothing-here")
    problems = lock.check(**files)
    assert any("dev.txt pins humanize==4.9.0, which nothing in it requires" in p for p in problems), problems


def test_a_pin_for_a_dependency_removed_from_pyproject_fails(files: dict[str, str]) -> None:
    files["pyproject_text"] = files["pyproject_text"].replace('    "openpyxl>=3.1,<4",\n', "")
    problems = lock.check(**files)
    assert any("pins openpyxl for salesops (pyproject.toml), which no longer asks for it" in p for p in problems)


def test_a_pin_outside_the_range_fails(files: dict[str, str]) -> None:
    files["pyproject_text"] = files["pyproject_text"].replace('"Django>=5.2,<5.3"', '"Django>=5.3,<5.4"')
    problems = lock.check(**files)
    assert any(re.search(r"runtime.txt pins django==5\.2\.\S+, outside django", p, re.I) for p in problems)


def test_a_pin_without_hashes_fails(files: dict[str, str]) -> None:
    files["runtime_text"] = re.sub(r"(?m)^(django==\S+) \\\n(    --hash=\S+( \\)?\n)+", r"\1\n", files["runtime_text"])
    problems = lock.check(**files)
    assert any(p.startswith("runtime.txt pins django==") and "without a hash" in p for p in problems), problems


def test_production_and_the_tested_set_must_pin_the_same_versions(files: dict[str, str]) -> None:
    version = lock.parse_lock(files["runtime_text"])["redis"].version
    files["runtime_text"] = files["runtime_text"].replace(f"\nredis=={version} ", "\nredis==5.0.0 ")
    problems = lock.check(**files)
    assert any(f"runtime.txt pins redis==5.0.0 but dev.txt {version}" in p for p in problems), problems


def test_the_build_tools_follow_the_build_system(files: dict[str, str]) -> None:
    files["pyproject_text"] = files["pyproject_text"].replace(
        'requires = ["setuptools>=68"]', 'requires = ["setuptools>=68", "wheel"]'
    )
    problems = lock.check(**files)
    assert any("build.in lacks wheel" in p for p in problems), problems


def test_the_lock_is_for_python_3_11_on_linux_x86_64() -> None:
    """`make lock` resolves for one target whatever machine runs it, so the lock does not depend on who made it."""
    assert lock.PYTHON_VERSION == "3.11" and lock.PYTHON_PLATFORM == "x86_64-unknown-linux-gnu"
    header = (ROOT / "requirements" / "dev.txt").read_text().splitlines()[:3]
    assert any("make lock" in line for line in header), header
