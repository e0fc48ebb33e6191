"""Production settings are safe by default: `check --deploy` passes with only the required variables set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Set by the test run itself (the browser tests need the last one); a production process has none of them.
DEV_ONLY_VARIABLES = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _run_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in DEV_ONLY_VARIABLES}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.base", **extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "SECRET_KEY": "k" * 20 + "-Zq8!x2@Lm4#Rt7$Wp9^Yb3&Hn6*Jc5",
    "ALLOWED_HOSTS": "crm.example.cn",
    # Production shares one cache between its workers (the public rate limits count there); the check reads the
    # setting only, it does not connect.
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_check_deploy_passes_under_production_settings() -> None:
    result = _run_check(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_shared_cache_fails_the_check() -> None:
    result = _run_check({k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"})
    assert result.returncode != 0
    assert "core.E002" in result.stderr and "REDIS_URL" in result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _run_check({"ALLOWED_HOSTS": "crm.example.cn"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
