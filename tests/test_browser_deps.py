"""`make test` sees to the browser tests' needs before any test runs (issue 10, "README and set-up"): Debian's
Chromium and CJK fonts are installed when root, otherwise a clear message and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "browser_deps.sh"


def test_a_missing_chromium_stops_with_what_to_install() -> None:
    env = {**os.environ, "CHROMIUM_PATH": "/nonexistent/chromium", "BROWSER_DEPS_INSTALL": "0"}
    completed = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, check=False)  # noqa: S603,S607
    assert completed.returncode != 0
    assert "tests need: chromium" in completed.stderr
    assert "apt-get install -y chromium" in completed.stderr and "No test was run" in completed.stderr


def test_make_test_checks_the_browser_needs_before_running_pytest() -> None:
    completed = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603,S607
    lines = completed.stdout.splitlines()
    deps = next(i for i, line in enumerate(lines) if "scripts/browser_deps.sh" in line)
    pytest_line = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    assert deps < pytest_line, lines
