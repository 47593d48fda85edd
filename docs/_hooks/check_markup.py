"""mkdocs hook: a page that still shows a raw Sphinx role or unrendered markup fails the build.

The griffe extension beside this file turns the docstrings' roles into links; this hook is the
check that none survived, on every page (a docs page could write one too). It runs after
mkdocstrings and autorefs have rendered the page, so it sees what the reader sees.
"""

from __future__ import annotations

import html
import re
from typing import Any

from mkdocs.exceptions import PluginError

# A role as Sphinx writes it (:class:`Org`), or as markdown renders one (:class:<code>Org</code>).
RAW_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|data|exc|mod|obj|const):(?:`|<code>)")
# An autorefs reference that found no target is left as [text][identifier] in the page.
UNRESOLVED_REF = re.compile(r"\[<code>[^<]*</code>\]\[[\w.]+\]")


def _visible_text(page_html: str) -> str:
    # Code blocks may quote anything; judge the prose.
    without_code = re.sub(r"<pre\b.*?</pre>", "", page_html, flags=re.S)
    return html.unescape(without_code)


def on_post_page(output: str, *, page: Any, config: Any) -> str:
    text = _visible_text(output)
    for pattern, what in ((RAW_ROLE, "a raw Sphinx role"), (UNRESOLVED_REF, "an unresolved link")):
        found = pattern.search(text)
        if found:
            start = max(found.start() - 60, 0)
            context = re.sub(r"\s+", " ", text[start : found.end() + 60])
            msg = f"{page.file.src_uri}: {what} in the rendered page: ...{context}..."
            raise PluginError(msg)
    return output
