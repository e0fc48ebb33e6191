"""PDF from a template by WeasyPrint (fonts embedded): the one helper every app's printable documents use (the
reports' cockpit and packs, a policy version's full text). Each app brings its own print stylesheet."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string


def pdf_from_template(
    template: str, context: dict[str, Any], *, stylesheets: Sequence[Path] = (), base_url: str = ""
) -> bytes:
    """Render ``template`` with ``context`` and return it as PDF, styled by ``stylesheets`` (files)."""
    from weasyprint import CSS, HTML  # imported here: loading Pango costs time that pages without a PDF need not pay

    html = render_to_string(template, context)
    return HTML(string=html, base_url=base_url or ".").write_pdf(
        stylesheets=[CSS(filename=str(s)) for s in stylesheets]
    )
