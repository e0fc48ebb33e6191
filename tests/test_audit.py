"""`make audit` (scripts/audit.py): findings fail, accepted findings pass until their review date, and a vulnerability
database that cannot be reached is said plainly and never passes (issue 16)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 12, 7)


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


audit = _load("audit")

# What pip-audit printed here, where PyPI's per-version JSON answers 404 for every package.
PIP_AUDIT_NO_DATABASE = json.dumps(
    {
        "dependencies": [
            {
                "name": "amqp",
                "version": "5.4.2",
                "skip_reason": "Dependency not found on PyPI and could not be audited: amqp (5.4.2)",
            },
            {
                "name": "django",
                "version": "5.2.20",
                "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.20)",
            },
        ],
        "fixes": [],
    }
)
# What npm audit printed here: the registry refuses the bulk advisory endpoint.
NPM_NO_DATABASE = json.dumps(
    {
        "message": "405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk",
        "statusCode": 405,
        "error": {"summary": "", "detail": ""},
    }
)
NPM_CLEAN = json.dumps({"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {}})
NPM_FINDING = json.dumps(
    {
        "auditReportVersion": 2,
        "vulnerabilities": {
            "echarts": {
                "name": "echarts",
                "severity": "moderate",
                "via": [
                    {
                        "source": 1099999,
                        "name": "echarts",
                        "title": "Cross-site scripting in tooltips",
                        "url": "https://github.com/advisories/GHSA-aaaa-bbbb-cccc",
                        "severity": "moderate",
                        "range": "<6.2.0",
                    }
                ],
            }
        },
    }
)


def _pip(*vulns: dict) -> str:
    return json.dumps(
        {
            "dependencies": [
                {"name": "django", "version": "5.2.20", "vulns": list(vulns)},
                {"name": "amqp", "version": "5.4.2", "vulns": []},
            ],
            "fixes": [],
        }
    )


DJANGO_VULN = {
    "id": "PYSEC-2026-1",
    "aliases": ["GHSA-dddd-eeee-ffff", "CVE-2026-0001"],
    "fix_versions": ["5.2.21"],
    "description": "SQL injection in a rarely used lookup.\nMore.",
}


def _judge(pip_stdout: str, npm_stdout: str, ignore: str = "", pip_stderr: str = "") -> tuple[int, list[str]]:
    accepted, errors = audit.parse_ignore(ignore)
    assert errors == []
    return audit.judge(
        [audit.parse_pip_audit(pip_stdout, pip_stderr), audit.parse_npm_audit(npm_stdout, "")], accepted, TODAY
    )


def test_unreachable_databases_are_said_plainly_and_do_not_pass() -> None:
    status, lines = _judge(PIP_AUDIT_NO_DATABASE, NPM_NO_DATABASE)
    assert status == audit.UNREACHABLE != 0
    assert any(line.startswith("Python (requirements/dev.txt): NOT AUDITED") for line in lines), lines
    assert any(line.startswith("npm (package-lock.json): NOT AUDITED") and "405" in line for line in lines), lines
    assert not any("no known vulnerability" in line for line in lines)


def test_a_connection_error_without_an_answer_does_not_pass() -> None:
    stderr = "requests.exceptions.ConnectionError: Failed to resolve the vulnerability service"
    status, lines = _judge("", NPM_CLEAN, pip_stderr=stderr)
    assert status == audit.UNREACHABLE
    assert any("NOT AUDITED" in line and "ConnectionError" in line for line in lines), lines


def test_some_packages_not_looked_up_do_not_pass() -> None:
    partial = json.loads(_pip())
    partial["dependencies"][1] = json.loads(PIP_AUDIT_NO_DATABASE)["dependencies"][0]
    status, lines = _judge(json.dumps(partial), NPM_CLEAN)
    assert status == audit.UNREACHABLE
    assert any("NOT AUDITED for 1 package(s)" in line and "amqp==5.4.2" in line for line in lines), lines


def test_a_clean_answer_passes() -> None:
    status, lines = _judge(_pip(), NPM_CLEAN)
    assert status == audit.OK
    assert lines == [
        "Python (requirements/dev.txt): no known vulnerability",
        "npm (package-lock.json): no known vulnerability",
    ]


def test_a_finding_fails_and_names_package_and_advisory() -> None:
    status, lines = _judge(_pip(DJANGO_VULN), NPM_FINDING)
    assert status == audit.FOUND
    assert any("FOUND — django 5.2.20: PYSEC-2026-1 SQL injection" in line for line in lines), lines
    assert any("FOUND — echarts <6.2.0: GHSA-AAAA-BBBB-CCCC" in line for line in lines), lines


def test_an_accepted_finding_passes_under_any_alias_until_its_review_date() -> None:
    ignore = (
        "GHSA-dddd-eeee-ffff  2026-12-01  2027-03-01  django  the lookup is not used\n"
        "GHSA-aaaa-bbbb-cccc  2026-12-01  2026-12-07  echarts  tooltips show no user text\n"
    )
    status, lines = _judge(_pip(DJANGO_VULN), NPM_FINDING, ignore)
    assert status == audit.OK, lines
    assert any("accepted until 2027-03-01 — django 5.2.20: PYSEC-2026-1" in line for line in lines), lines


def test_an_acceptance_past_its_review_date_fails_again() -> None:
    ignore = "CVE-2026-0001  2026-09-01  2026-12-06  django  reviewed in September\n"
    status, lines = _judge(_pip(DJANGO_VULN), NPM_CLEAN, ignore)
    assert status == audit.FOUND
    assert any("acceptance expired 2026-12-06" in line for line in lines), lines


def test_an_ignore_entry_without_dates_or_reason_is_refused() -> None:
    _, errors = audit.parse_ignore("GHSA-dddd-eeee-ffff  django\nPYSEC-1  2026-12-07  2026-01-01  x  backwards\n")
    assert len(errors) == 2 and "line 1" in errors[0] and "line 2" in errors[1]


def test_the_committed_ignore_list_reads() -> None:
    entries, errors = audit.parse_ignore((ROOT / "requirements" / "audit-ignore.txt").read_text())
    assert errors == []
    assert all(entry.review_by >= entry.accepted_on for entry in entries)
