"""`make audit`: known vulnerabilities in the locked Python set (pip-audit) and the npm set (npm audit).

Exit status: 0 when both audits ran and found nothing that is not on the ignore list; 1 when they found something
(or an ignore entry is past its review date); 3 when a vulnerability database could not be reached, so the audit
did NOT run — never a pass.

The Python audit reads ``requirements/dev.txt`` (the runtime lock is the same versions, a subset) with hashes
required and without installing anything. ``AUDIT_SERVICE=osv`` asks OSV instead of PyPI's JSON API (pip-audit's
``--vulnerability-service``).

Accepted findings are listed in ``requirements/audit-ignore.txt``, one a line::

    <advisory id>  <accepted on YYYY-MM-DD>  <review by YYYY-MM-DD>  <package>  <why it is accepted>

An entry applies to the advisory under any of its aliases (GHSA-…, PYSEC-…, CVE-…) until its review date; after
that the finding counts again and the audit says the acceptance expired.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "dev.txt"
IGNORE_FILE = ROOT / "requirements" / "audit-ignore.txt"

OK, FOUND, UNREACHABLE = 0, 1, 3


@dataclass(frozen=True)
class Accepted:
    advisory: str
    accepted_on: dt.date
    review_by: dt.date
    package: str
    reason: str


@dataclass(frozen=True)
class Finding:
    source: str  # "python" or "npm"
    package: str
    version: str
    advisory: str
    aliases: tuple[str, ...]
    summary: str


@dataclass
class Result:
    source: str
    findings: list[Finding]
    unreachable: str = ""  # why the database could not be asked; empty when it answered
    unaudited: tuple[str, ...] = ()


def parse_ignore(text: str) -> tuple[list[Accepted], list[str]]:
    """The ignore list's entries and the lines it could not read (each is an error: the list must be exact)."""
    entries: list[Accepted] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 4)
        try:
            if len(parts) < 5:
                raise ValueError("five fields needed: id, accepted on, review by, package, reason")
            accepted_on, review_by = dt.date.fromisoformat(parts[1]), dt.date.fromisoformat(parts[2])
            if review_by < accepted_on:
                raise ValueError("review date before the acceptance date")
        except ValueError as error:
            errors.append(f"{IGNORE_FILE.name} line {number}: {error}")
            continue
        entries.append(Accepted(parts[0].upper(), accepted_on, review_by, parts[3], parts[4]))
    return entries, errors


def parse_pip_audit(stdout: str, stderr: str) -> Result:
    """pip-audit's JSON answer. A dependency it "could not audit" means the database did not answer for it."""
    try:
        data = json.loads(stdout)
    except ValueError:
        reason = _last_line(stderr) or "pip-audit gave no answer"
        return Result("python", [], unreachable=reason)
    findings: list[Finding] = []
    unaudited: list[str] = []
    reasons: list[str] = []
    dependencies = data.get("dependencies", []) if isinstance(data, dict) else data
    for dependency in dependencies:
        name, version = dependency.get("name", "?"), dependency.get("version", "?")
        if dependency.get("skip_reason"):
            unaudited.append(f"{name}=={version}")
            reasons.append(str(dependency["skip_reason"]))
            continue
        for vuln in dependency.get("vulns", []):
            findings.append(
                Finding(
                    "python",
                    name,
                    version,
                    vuln["id"].upper(),
                    tuple(a.upper() for a in vuln.get("aliases", [])),
                    (vuln.get("description") or "").split("\n", 1)[0][:160],
                )
            )
    result = Result("python", findings, unaudited=tuple(unaudited))
    if not dependencies:
        result.unreachable = _last_line(stderr) or "pip-audit listed no dependency"
    elif unaudited and len(unaudited) == len(dependencies):
        result.unreachable = f"none of the {len(unaudited)} packages could be looked up ({reasons[0]})"
    return result


def parse_npm_audit(stdout: str, stderr: str) -> Result:
    """npm audit's JSON answer (npm 7+). An answer without ``vulnerabilities`` is an error from the endpoint."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return Result("npm", [], unreachable=_last_line(stderr) or "npm audit gave no answer")
    if not isinstance(data, dict) or "vulnerabilities" not in data:
        message = data.get("message") or data.get("error", {}).get("summary") if isinstance(data, dict) else None
        return Result("npm", [], unreachable=str(message or _last_line(stderr) or "npm audit answered no report"))
    findings: list[Finding] = []
    for name, entry in sorted(data["vulnerabilities"].items()):
        for via in entry.get("via", []):
            if not isinstance(via, dict):  # a string names the dependency that carries the advisory
                continue
            url = via.get("url", "")
            match = re.search(r"(GHSA-[\w-]+)", url, re.IGNORECASE)
            advisory = match.group(1).upper() if match else str(via.get("source", url)).upper()
            findings.append(
                Finding("npm", name, str(via.get("range", "")), advisory, (), str(via.get("title", ""))[:160])
            )
    return Result("npm", findings)


def judge(results: list[Result], accepted: list[Accepted], today: dt.date) -> tuple[int, list[str]]:
    """Exit status and the report's lines."""
    lines: list[str] = []
    status = OK
    for result in results:
        label = "Python (requirements/dev.txt)" if result.source == "python" else "npm (package-lock.json)"
        if result.unreachable:
            lines.append(
                f"{label}: NOT AUDITED — the vulnerability database could not be reached: {result.unreachable}"
            )
            status = max(status, UNREACHABLE)
            continue
        if result.unaudited:
            shown = ", ".join(result.unaudited[:10]) + (" …" if len(result.unaudited) > 10 else "")
            lines.append(
                f"{label}: NOT AUDITED for {len(result.unaudited)} package(s), the database did not "
                f"answer for them: {shown}"
            )
            status = max(status, UNREACHABLE)
        counted = 0
        for finding in result.findings:
            ids = {finding.advisory, *finding.aliases}
            entry = next((a for a in accepted if a.advisory in ids), None)
            where = f"{finding.package} {finding.version}: {finding.advisory} {finding.summary}".rstrip()
            if entry and entry.review_by >= today:
                lines.append(f"{label}: accepted until {entry.review_by} — {where} ({entry.reason})")
                continue
            if entry:
                lines.append(f"{label}: FOUND (acceptance expired {entry.review_by}) — {where}")
            else:
                lines.append(f"{label}: FOUND — {where}")
            counted += 1
        if counted:
            status = max(status, FOUND)
        elif not result.unaudited:
            lines.append(f"{label}: no known vulnerability")
    return status, lines


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def run_pip_audit() -> Result:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    if not pip_audit.exists():
        return Result("python", [], unreachable=f"{pip_audit} is missing: run `make setup`")
    with tempfile.TemporaryDirectory() as cache:
        command = [
            str(pip_audit),
            "-r",
            str(LOCK),
            "--require-hashes",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--cache-dir",
            cache,
            "--vulnerability-service",
            os.environ.get("AUDIT_SERVICE", "pypi"),
        ]
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)  # noqa: S603
    return parse_pip_audit(completed.stdout, completed.stderr)


def run_npm_audit() -> Result:
    try:
        completed = subprocess.run(
            ["npm", "audit", "--json"],
            cwd=ROOT,  # noqa: S607
            capture_output=True,
            text=True,
            timeout=300,
        )
    except FileNotFoundError:
        return Result("npm", [], unreachable="npm is not installed")
    return parse_npm_audit(completed.stdout, completed.stderr)


def main() -> int:
    accepted, errors = parse_ignore(IGNORE_FILE.read_text() if IGNORE_FILE.exists() else "")
    if errors:
        for error in errors:
            print(f"audit: {error}", file=sys.stderr)  # noqa: T201
        return FOUND
    status, lines = judge([run_pip_audit(), run_npm_audit()], accepted, dt.date.today())
    for line in lines:
        print(f"audit: {line}")  # noqa: T201
    if status == UNREACHABLE:
        print(
            "audit: the audit did NOT run to the end, so it does not pass. It needs the vulnerability databases "  # noqa: T201
            "(PyPI's JSON API or OSV for Python, the npm registry's audit endpoint), which this machine cannot "
            "reach; run `make audit` where they can be reached.",
            file=sys.stderr,
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
