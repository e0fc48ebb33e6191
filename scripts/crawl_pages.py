#!/usr/bin/env python
"""Crawl every GET route as a few demo users and write what each page shows, for a before/after check of a refactor.

What it does (``crawl``): with a database already loaded with the demo (``manage.py migrate && manage.py
load_demo``; the demo is deterministic for a given day in Asia/Shanghai), it walks every route of the URL resolver
(pages and the ``/api/v1/`` lists and details; the Django admin, the OpenAPI schema and its viewer, sign-out and the
language switch are left out), fills the path parameters with real ids (the first 2 and the last 2 rows of the
model the route addresses, then the pages the crawled pages link to, up to ``--per-route`` URLs a route), signs in
through the login page as each user (Django's test ``Client``, in-process, ``DEBUG`` off) and writes one JSON file
per user. For every URL it keeps the status and a normalised digest of the content, not the raw HTML (markup may
change):

- HTML: ``refs`` (the link targets that are record pages, i.e. routes with a path parameter), ``cells`` (the numbers
  — money, counts, percentages — in table cells and description values), ``cards`` (the numbers in cards outside
  tables) and ``rows`` (each table's body row count); dates and times are left out of the numbers;
- JSON: every id (``id``, ``*_id``, ``*_ids``) and every numeric field (numbers and decimal strings), by key path;
- a redirect: where it goes; anything else (Excel, PDF): its content type.

``compare A.json B.json`` prints the differences per URL (URLs crawled in only one of the two are listed apart,
with whether the route existed in A) and exits 1 when there is any.

Running a before/after check (both on SQLite in a temp directory, with the test settings: DEBUG off, fast hasher)::

    git worktree add /tmp/crawl-before <sha>          # the commit before the change
    cd /tmp/crawl-before && ln -s /work/main/.venv .venv && ln -s /work/main/node_modules node_modules \\
        && ln -s /work/main/static/vendor static/vendor && .venv/bin/python scripts/compile_messages.py
    cp <this checkout>/scripts/crawl_pages.py scripts/  # the crawler needs nothing from the project but Django
    export DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=sqlite:////tmp/crawl-db/before.sqlite3
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_demo
    .venv/bin/python scripts/crawl_pages.py crawl --out /tmp/crawl-out/before
    # then the same in this checkout with DATABASE_URL=sqlite:////tmp/crawl-db/after.sqlite3, adding
    #   --also /tmp/crawl-out/before  (so every URL crawled before is crawled after too)
    .venv/bin/python scripts/crawl_pages.py compare /tmp/crawl-out/before/ceo.json /tmp/crawl-out/after/ceo.json

Load both databases the same day (the demo dates follow today in Asia/Shanghai, which rolls over at 16:00 UTC).
Ids are compared as they are: when the two demos create different rows (the demo loader changed too), the ids
after the first difference move, and the pages addressed by them differ for that reason alone. To see the code's
differences only, crawl the *same records* after as well: copy the before database, bring it forward with this
checkout's ``manage.py migrate --skip-checks`` and crawl that copy with ``--also`` the before crawl.

Crawls write sessions and sign-in records: give each user's crawl its own copy of the database when running them
at the same time (SQLite answers "database is locked" otherwise, a 500 that is no difference of the code).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
USERS = ("ceo", "sales_mgr", "sales1")
PASSWORD = "demo12345"
ENDS = 2  # ids from each end of a model's table: the first 2 and the last 2 rows
PER_ROUTE = 6  # URLs at most per route with path parameters (the seeded ids + what pages link to)
SKIP_PREFIXES = ("django-admin/", "api/schema/", "api/docs/")
SKIP_NAMES = {"logout", "set_language"}
# Files rather than pages (Excel, PDF, print views): left out with --no-files (slow to render, nothing to compare
# but their content type).
FILE_WORDS = re.compile(r"export|xlsx|pdf|print|download|import/template")

DATE_TIME = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"|\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}:\d{2}(?::\d{2})?"
)
NUMBER = re.compile(r"(?<![A-Za-z0-9_.\-/])-?\d[\d,]*(?:\.\d+)?%?(?![A-Za-z0-9_])")
DECIMAL = re.compile(r"^-?\d+(?:\.\d+)?$")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def numbers_in(text: str) -> list[str]:
    text = DATE_TIME.sub(" ", text)
    return [m.group(0).replace(",", "") for m in NUMBER.finditer(text)]


# --------------------------------------------------------------------------------------------------- routes


class Route:
    def __init__(self, name: str, template: str, params: list[str], callback: Any) -> None:
        self.name = name
        self.template = template  # "customers/<pk>/" (no converters)
        self.params = params
        self.callback = callback

    def url(self, values: dict[str, Any]) -> str:
        out = self.template
        for key, value in values.items():
            out = out.replace(f"<{key}>", str(value))
        return "/" + out


def _piece(pattern: Any) -> tuple[str, list[str]]:
    """A URL pattern's text with its parameters as ``<name>``, and the names."""
    from django.urls.resolvers import RegexPattern

    if isinstance(pattern, RegexPattern):
        text = pattern._regex.lstrip("^").rstrip("$")
        params = re.findall(r"\(\?P<(\w+)>", text)
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", text)
        text = text.replace("\\.", ".").replace("/?", "/")
        return text, params
    text = str(pattern)
    params = [m.group(2) for m in re.finditer(r"<(?:(\w+):)?(\w+)>", text)]
    return re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", text), params


def iter_routes() -> list[Route]:
    from django.urls import URLPattern, URLResolver, get_resolver

    routes: list[Route] = []

    def walk(patterns: Any, prefix: str, params: list[str], namespace: str) -> None:
        for p in patterns:
            text, names = _piece(p.pattern)
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}{p.namespace}:"
                walk(p.url_patterns, prefix + text, params + names, ns)
            elif isinstance(p, URLPattern):
                full = prefix + text
                allp = params + names
                if "format" in allp or any(full.startswith(s) for s in SKIP_PREFIXES):
                    continue
                name = f"{namespace}{p.name}" if p.name else full
                if p.name in SKIP_NAMES or "<" in re.sub(r"<\w+>", "", full) or "(" in full:
                    continue
                if answers_get(p.callback):
                    routes.append(Route(name, full, allp, p.callback))

    walk(get_resolver().url_patterns, "", [], "")
    seen: set[str] = set()
    unique = []
    for r in routes:  # the first of two patterns with the same text wins, as in the resolver
        if r.template not in seen:
            seen.add(r.template)
            unique.append(r)
    return unique


def answers_get(callback: Any) -> bool:
    """False for a route that only takes other methods (a DRF action for POST, a class view without ``get``)."""
    actions = getattr(callback, "actions", None)
    if actions is not None:
        return "get" in actions
    view = getattr(callback, "view_class", None)
    if view is not None:
        return hasattr(view, "get") and "get" in getattr(view, "http_method_names", ["get"])
    return True


def _route_model(route: Route) -> Any:
    view = getattr(route.callback, "view_class", None) or getattr(route.callback, "cls", None)
    model = getattr(view, "model", None)
    if model is None:
        qs = getattr(view, "queryset", None)
        model = getattr(qs, "model", None)
    return model


def _models_by_name() -> dict[str, list[Any]]:
    from django.apps import apps

    out: dict[str, list[Any]] = defaultdict(list)
    for m in apps.get_models():
        out[m._meta.model_name].append(m)
    return out


def _app_of(route: Route) -> str:
    module = getattr(route.callback, "__module__", "") or ""
    view = getattr(route.callback, "view_class", None) or getattr(route.callback, "cls", None)
    if view is not None:
        module = view.__module__
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "apps" else ""


def param_models(route: Route, by_name: dict[str, list[Any]]) -> dict[str, Any]:
    """The model each path parameter addresses, as far as the view or the names tell."""

    def pick(candidates: list[Any]) -> Any:
        app = _app_of(route)
        for m in candidates:
            if m._meta.app_label == app:
                return m
        return candidates[0] if candidates else None

    def by_words(words: list[str]) -> Any:
        for n in range(len(words), 0, -1):  # the longest run of leading words naming a model
            key = "".join(words[:n])
            if key in by_name:
                return pick(by_name[key])
        app = _app_of(route)
        for n in range(len(words), 0, -1):  # or the end of a model's name in the view's app (plan: MarketPlan)
            key = "".join(words[:n])
            for name, models in sorted(by_name.items()):
                if name.endswith(key) and any(m._meta.app_label == app for m in models):
                    return pick(models)
        return None

    out: dict[str, Any] = {}
    for param in route.params:
        model = None
        if param in ("pk", "id"):
            model = _route_model(route)
            if model is None:
                short = route.name.rsplit(":", 1)[-1]
                words = [w for w in re.split(r"[_\-]", short) if w and w != "api"]
                model = by_words(words)
        else:
            base = re.sub(r"_(id|pk)$", "", param)
            model = by_words(base.split("_"))
        if model is not None:
            out[param] = model
    return out


def seed_urls(routes: list[Route], ends: int = ENDS) -> dict[str, set[str]]:
    """For each route: its URL when it has no parameter, else the URLs for the first and last ``ends`` rows."""
    from django.urls import Resolver404, resolve

    by_name = _models_by_name()
    out: dict[str, set[str]] = defaultdict(set)
    for route in routes:
        if not route.params:
            out[route.name].add(route.url({}))
            continue
        models = param_models(route, by_name)
        if len(models) != len(route.params):
            continue
        columns = []
        for param in route.params:
            pks = list(models[param]._base_manager.order_by("pk").values_list("pk", flat=True))
            chosen = pks[:ends] + [pk for pk in pks[-ends:] if pk not in pks[:ends]]
            columns.append(chosen)
        for values in zip(*columns, strict=False):
            url = route.url(dict(zip(route.params, values, strict=True)))
            try:
                resolve(url)
            except Resolver404:
                continue
            out[route.name].add(url)
    return out


# --------------------------------------------------------------------------------------------------- digests


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, is a card)
        self.cell = 0
        self.card = 0
        self.skip = 0
        self.tables: list[list[int]] = []  # per open table: [body rows, in tbody, in thead]
        self.rows: list[int] = []
        self.hrefs: list[str] = []
        self.cell_text: list[str] = []
        self.card_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if tag in VOID:
            return
        classes = (a.get("class") or "").split()
        is_card = "card" in classes
        self.stack.append((tag, is_card))
        if is_card:
            self.card += 1
        if tag in ("td", "th", "dd"):
            self.cell += 1
            self.cell_text.append(" ")
        elif tag in ("script", "style", "template"):
            self.skip += 1
        elif tag == "table":
            self.tables.append([0, 0, 0])
        elif tag in ("tbody", "thead") and self.tables:
            self.tables[-1][1 if tag == "tbody" else 2] += 1
        elif tag == "tr" and self.tables and not self.tables[-1][2]:
            self.tables[-1][0] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            t, is_card = self.stack.pop()
            if is_card:
                self.card -= 1
            if t in ("td", "th", "dd"):
                self.cell -= 1
                self.cell_text.append(" ")
            elif t in ("script", "style", "template"):
                self.skip -= 1
            elif t == "table" and self.tables:
                self.rows.append(self.tables.pop()[0])
            elif t in ("tbody", "thead") and self.tables:
                self.tables[-1][1 if t == "tbody" else 2] -= 1
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.cell:
            self.cell_text.append(data)
        elif self.card:
            self.card_text.append(data + " ")


def _path_of(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc not in ("", "testserver"):
        return None
    return parts.path if parts.path.startswith("/") else None


def record_link(href: str, by_template: dict[str, Route]) -> tuple[str, str] | None:
    """(route name, path) when ``href`` opens a route with a path parameter."""
    from django.urls import Resolver404, resolve

    path = _path_of(href)
    if not path:
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if not match.kwargs:
        return None
    name = f"{match.namespace}:{match.url_name}" if match.namespace else (match.url_name or match.route)
    return name, path


def html_digest(body: str, by_template: dict[str, Route]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    p = _PageParser()
    p.feed(body)
    p.close()
    links = [link for href in p.hrefs if (link := record_link(href, by_template))]
    digest = {
        "refs": sorted({path for _, path in links}),
        "cells": sorted(numbers_in(" ".join(p.cell_text)), key=_num_key),
        "cards": sorted(numbers_in(" ".join(p.card_text)), key=_num_key),
        "rows": p.rows,
    }
    return digest, links


def _num_key(s: str) -> tuple[float, str]:
    try:
        return (float(s.rstrip("%")), s)
    except ValueError:
        return (0.0, s)


def json_digest(data: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)

    def walk(value: Any, path: str, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else k, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, f"{path}[]", key)
        elif isinstance(value, bool) or value is None:
            return
        elif isinstance(value, (int, float)):
            out[path].append(str(value))
        elif isinstance(value, str) and (
            DECIMAL.match(value) or key == "id" or key.endswith("_id") or key.endswith("_ids")
        ):
            out[path].append(value)

    walk(data, "", "")
    return {k: sorted(v, key=_num_key) for k, v in sorted(out.items())}


def api_links(data: Any) -> list[str]:
    """The API's own links (``url`` fields, ``next``) as paths."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and "/api/v1/" in value:
            found.append(value)

    walk(data)
    return found


# --------------------------------------------------------------------------------------------------- crawl


def fetch(client: Any, url: str, by_template: dict[str, Route]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    response = client.get(url, HTTP_ACCEPT="text/html,application/json;q=0.9")
    entry: dict[str, Any] = {"status": response.status_code}
    links: list[tuple[str, str]] = []
    ctype = (response.get("Content-Type") or "").split(";")[0]
    if response.status_code in (301, 302, 303, 307, 308):
        entry["location"] = response.get("Location", "")
        return entry, links
    if getattr(response, "streaming", False):
        entry["type"] = ctype
        return entry, links
    if ctype == "text/html":
        digest, links = html_digest(response.content.decode("utf-8", "replace"), by_template)
        entry.update(digest)
    elif ctype == "application/json":
        try:
            data = json.loads(response.content)
        except ValueError:
            entry["type"] = ctype
        else:
            entry["json"] = json_digest(data)
            links = [link for href in api_links(data) if (link := record_link(href, by_template))]
    else:
        entry["type"] = ctype
    return entry, links


def crawl_user(username: str, routes: list[Route], seeds: dict[str, set[str]], also: set[str], per_route: int):
    from django.test import Client
    from django.urls import Resolver404, resolve

    by_template = {r.template: r for r in routes}
    client = Client(raise_request_exception=False)
    login = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    if login.status_code != 302:
        raise SystemExit(f"{username}: sign-in failed ({login.status_code})")

    pages: dict[str, Any] = {}
    taken: Counter[str] = Counter()
    queue: list[tuple[str, str]] = []
    for name in sorted(seeds):
        for url in sorted(seeds[name], key=_url_key):
            queue.append((name, url))
            taken[name] += 1
    for url in sorted(also, key=_url_key):
        try:
            match = resolve(url)
        except Resolver404:
            continue
        name = f"{match.namespace}:{match.url_name}" if match.namespace else (match.url_name or match.route)
        queue.append((name, url))
    done: set[str] = set()
    while queue:
        found: dict[str, set[str]] = defaultdict(set)
        for name, url in queue:
            if url in done:
                continue
            done.add(url)
            entry, links = fetch(client, url, by_template)
            entry["route"] = name
            pages[url] = entry
            if len(pages) % 100 == 0:
                print(f"  {username}: {len(pages)} URLs", file=sys.stderr, flush=True)
            for lname, path in links:
                if path not in done:
                    found[lname].add(path)
        queue = []
        for lname in sorted(found):  # the links a page shows, the smallest ids first, up to the cap a route
            for url in sorted(found[lname], key=_url_key):
                if taken[lname] >= per_route:
                    break
                if url not in done:
                    queue.append((lname, url))
                    taken[lname] += 1
    return pages


def _url_key(url: str) -> list[Any]:
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", url)]


def setup_django() -> None:
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings

    if settings.DEBUG:
        raise SystemExit("run with DEBUG off (DJANGO_SETTINGS_MODULE=config.settings.test)")


def cmd_crawl(args: argparse.Namespace) -> int:
    setup_django()
    import subprocess

    from django.utils import timezone

    routes = iter_routes()
    if args.no_files:
        routes = [r for r in routes if not FILE_WORDS.search(r.template)]
    seeds = seed_urls(routes, args.ends)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    for username in args.users:
        also: set[str] = set()
        if args.also:
            previous = Path(args.also) / f"{username}.json"
            if previous.exists():
                also = set(json.loads(previous.read_text())["pages"])
        started = time.monotonic()
        target = out / f"{username}.json"
        earlier: dict[str, Any] = {}
        if args.add_missing and target.exists():  # only the --also URLs this crawl lacks, no links followed
            earlier = json.loads(target.read_text())["pages"]
            pages = crawl_user(username, routes, {}, also - set(earlier), 0)
        else:
            pages = crawl_user(username, routes, seeds, also, args.per_route)
        pages = {**earlier, **pages}
        result = {
            "meta": {
                "user": username,
                "commit": commit,
                "today": str(timezone.localdate()),
                "routes": len(routes),
                "ends": args.ends,
                "per_route": args.per_route,
                "no_files": args.no_files,
                "routes_crawled": len({p["route"] for p in pages.values()}),
                "urls": len(pages),
                "seconds": round(time.monotonic() - started, 1),
            },
            "routes": {r.name: "/" + r.template for r in routes},
            "pages": dict(sorted(pages.items(), key=lambda kv: _url_key(kv[0]))),
        }
        target.write_text(json.dumps(result, ensure_ascii=False, indent=1))
        m = result["meta"]
        print(f"{username}: {m['urls']} URLs over {m['routes_crawled']} of {m['routes']} routes in {m['seconds']} s")
    return 0


# --------------------------------------------------------------------------------------------------- compare


def _multiset_diff(a: list[str], b: list[str]) -> str:
    ca, cb = Counter(a), Counter(b)
    gone = sorted((ca - cb).elements(), key=_num_key)
    new = sorted((cb - ca).elements(), key=_num_key)
    parts = []
    if gone:
        parts.append("-" + " -".join(gone[:20]) + (" …" if len(gone) > 20 else ""))
    if new:
        parts.append("+" + " +".join(new[:20]) + (" …" if len(new) > 20 else ""))
    return " ".join(parts)


def diff_entry(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    if a.get("status") == b.get("status") and a.get("status", 200) >= 400:
        return []  # the same refusal: an error page shows no records (its shell's links may change)
    out = []
    for key in ("status", "location", "type", "rows"):
        if a.get(key) != b.get(key):
            out.append(f"{key}: {a.get(key)} → {b.get(key)}")
    for key in ("refs", "cells", "cards"):
        if a.get(key, []) != b.get(key, []):
            out.append(f"{key}: {_multiset_diff(a.get(key, []), b.get(key, []))}")
    ja, jb = a.get("json", {}), b.get("json", {})
    for path in sorted(set(ja) | set(jb)):
        if ja.get(path, []) != jb.get(path, []):
            out.append(f"json {path}: {_multiset_diff(ja.get(path, []), jb.get(path, []))}")
    return out


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    lines = []
    pa, pb = a["pages"], b["pages"]
    for url in sorted(set(pa) | set(pb), key=_url_key):
        if url not in pb:
            lines.append(f"{url} [{pa[url]['route']}] only in A (status {pa[url]['status']})")
        elif url not in pa:
            route = pb[url]["route"]
            existed = set(a.get("routes", {}).values())  # by URL pattern: a route renamed is not a new page
            new = "route existed in A" if b.get("routes", {}).get(route) in existed else "new route"
            lines.append(f"{url} [{route}] only in B, {new} (status {pb[url]['status']})")
        else:
            for d in diff_entry(pa[url], pb[url]):
                lines.append(f"{url} [{pb[url]['route']}] {d}")
    return lines


def cmd_compare(args: argparse.Namespace) -> int:
    a = json.loads(Path(args.a).read_text())
    b = json.loads(Path(args.b).read_text())
    lines = compare(a, b)
    for line in lines:
        print(line)
    common = len(set(a["pages"]) & set(b["pages"]))
    differing = len({line.split(" ", 1)[0] for line in lines})
    print(f"{common} URLs in both; {differing} URLs differ or are in one only", file=sys.stderr)
    return 1 if lines else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("crawl", help="crawl as each user, one JSON per user")
    c.add_argument("--out", required=True, help="directory for <user>.json")
    c.add_argument("--users", nargs="+", default=list(USERS))
    c.add_argument("--also", help="directory of an earlier crawl: crawl its URLs too")
    c.add_argument("--per-route", type=int, default=PER_ROUTE)
    c.add_argument("--ends", type=int, default=ENDS, help="ids from each end of a model's table")
    c.add_argument("--no-files", action="store_true", help="leave out Excel/PDF/print routes")
    c.add_argument(
        "--add-missing", action="store_true", help="add to an existing <user>.json only the --also URLs it lacks"
    )
    c.set_defaults(func=cmd_crawl)
    d = sub.add_parser("compare", help="differences per URL; exit 1 when any")
    d.add_argument("a")
    d.add_argument("b")
    d.set_defaults(func=cmd_compare)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
