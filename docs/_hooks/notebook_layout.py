"""mkdocs hook: notebook pages hide the navigation side bar, so their tables and drawings have room.

A notebook has no front matter to say ``hide: [navigation]`` as a Markdown page would; this sets it.
"""

from __future__ import annotations

from typing import Any


def on_page_context(context: dict[str, Any], *, page: Any, config: Any, nav: Any) -> dict[str, Any]:
    if page.file.src_uri.endswith(".ipynb"):
        hide = page.meta.setdefault("hide", [])
        if "navigation" not in hide:
            hide.append("navigation")
    return context
