"""Copy the front-end assets installed by npm into static/vendor (served locally; no CDN anywhere)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

FILES = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "bootstrap/dist/css/bootstrap.min.css.map": "bootstrap/bootstrap.min.css.map",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "bootstrap/dist/js/bootstrap.bundle.min.js.map": "bootstrap/bootstrap.bundle.min.js.map",
    "bootstrap-icons/font/bootstrap-icons.min.css": "bootstrap-icons/bootstrap-icons.min.css",
    "bootstrap-icons/font/fonts/bootstrap-icons.woff2": "bootstrap-icons/fonts/bootstrap-icons.woff2",
    "bootstrap-icons/font/fonts/bootstrap-icons.woff": "bootstrap-icons/fonts/bootstrap-icons.woff",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
    "tom-select/dist/js/tom-select.complete.min.js": "tom-select/tom-select.complete.min.js",
    "tom-select/dist/js/tom-select.complete.min.js.map": "tom-select/tom-select.complete.min.js.map",
    "tom-select/dist/css/tom-select.bootstrap5.min.css": "tom-select/tom-select.bootstrap5.min.css",
    "tom-select/dist/css/tom-select.bootstrap5.min.css.map": "tom-select/tom-select.bootstrap5.min.css.map",
}


def main() -> None:
    for source, target in FILES.items():
        src = NODE / source
        if not src.exists():
            raise SystemExit(f"missing {src}: run `npm ci` first")
        dest = VENDOR / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.exists() or dest.stat().st_mtime < src.stat().st_mtime or dest.stat().st_size != src.stat().st_size:
            shutil.copy2(src, dest)


if __name__ == "__main__":
    main()
