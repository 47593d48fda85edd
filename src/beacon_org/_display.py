"""Compact HTML tables for notebooks: the ``_repr_html_`` of orgs, decisions and findings.

Pure string building with escaping; nothing here imports a notebook or display library, and the
helpers take plain rows and values so every record type can reuse them. Imports point one way:
the records (``rules._records``, ``_org``, ...) import these helpers, never the other way.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "access_changes_html",
    "cell_text",
    "decision_html",
    "findings_html",
    "html_table",
    "path_text",
    "readiness_html",
]

_TABLE_STYLE = "border-collapse:collapse;margin:0.25em 0;font-size:0.9em"
_CELL_STYLE = "border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top"
_SEVERITY_COLOUR = {"error": "#b00020", "warning": "#b26a00", "advice": "#1565c0"}


def cell_text(value: object) -> str:
    """Return the text a table cell shows for ``value``: collections joined, ``None`` blank.

    Examples
    --------
    >>> from beacon_org._display import cell_text
    >>> cell_text(["rep-a2", "rep-a1"]), cell_text(None), cell_text(True)
    ('rep-a1, rep-a2', '', 'yes')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        # Sets have no order; sorted text keeps a table stable between runs.
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


def path_text(path: Sequence[str]) -> str:
    """Return a decision path as ``a → b → c`` (empty for no path).

    Examples
    --------
    >>> from beacon_org._display import path_text
    >>> path_text(("rm-west", "west", "rep-a1", "c-100"))
    'rm-west → west → rep-a1 → c-100'
    """
    return " → ".join(path)


def _cell(tag: str, content: str, style: str = "") -> str:
    extra = f";{style}" if style else ""
    return f'<{tag} style="{_CELL_STYLE}{extra}">{content}</{tag}>'


def html_table(
    rows: Iterable[Mapping[str, object]],
    *,
    columns: Sequence[str] | None = None,
    caption: str | None = None,
    empty: str = "(none)",
) -> str:
    """Return ``rows`` (one mapping per row) as an escaped HTML ``<table>``.

    Parameters
    ----------
    rows
        The rows; each maps a column name to a value (shown with :func:`cell_text`).
    columns
        The columns in order; by default the keys of the first row.
    caption
        A caption above the table.
    empty
        What the table says when there are no rows.

    Returns
    -------
    str
        HTML text with every value escaped.

    Examples
    --------
    >>> from beacon_org._display import html_table
    >>> print(html_table([{"id": "rep-<1>", "reps": 2}], caption="Groups"))
    <table ...><caption ...>Groups</caption><tr><th ...>id</th><th ...>reps</th></tr><tr><td ...>rep-&lt;1&gt;</td><td ...>2</td></tr></table>
    """
    rows = list(rows)
    if columns is None:
        columns = list(rows[0]) if rows else []
    parts = _table_start(caption)
    if not rows:
        parts.append(f"<tr>{_cell('td', html.escape(empty), 'color:#777')}</tr></table>")
        return "".join(parts)
    parts.append("<tr>" + "".join(_cell("th", html.escape(c)) for c in columns) + "</tr>")
    for row in rows:
        cells = (_cell("td", html.escape(cell_text(row.get(c)))) for c in columns)
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


def decision_html(
    allowed: bool, reason: str, path: Sequence[str], suggestion: str | None = None
) -> str:
    """Return one decision as a small two-column HTML table (what :class:`Decision` shows).

    Examples
    --------
    >>> from beacon_org._display import decision_html
    >>> "denied" in decision_html(False, "other-group", ())
    True
    """
    verdict = (
        '<span style="color:#1b5e20;font-weight:bold">allowed</span>'
        if allowed
        else '<span style="color:#b00020;font-weight:bold">denied</span>'
    )
    rows = [("decision", verdict), ("reason", f"<code>{html.escape(reason)}</code>")]
    if path:
        rows.append(("path", html.escape(path_text(path))))
    if suggestion:
        rows.append(("suggestion", html.escape(suggestion)))
    body = "".join(f"<tr>{_cell('th', name)}{_cell('td', value)}</tr>" for name, value in rows)
    return f'<table style="{_TABLE_STYLE}">{body}</table>'


def _finding_row(finding: Any) -> str:
    severity = str(getattr(finding, "severity", ""))
    colour = _SEVERITY_COLOUR.get(severity, "#000")
    cells = [
        _cell("td", f"<code>{html.escape(str(finding.code))}</code>"),
        _cell("td", html.escape(severity), f"color:{colour};font-weight:bold"),
        _cell("td", html.escape(str(finding.subject))),
        _cell("td", html.escape(str(finding.message))),
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _table_start(caption: str | None) -> list[str]:
    """The opening tag of a table and its caption, as the first parts of its HTML."""
    parts = [f'<table style="{_TABLE_STYLE}">']
    if caption:
        parts.append(
            f'<caption style="text-align:left;font-weight:bold">{html.escape(caption)}</caption>'
        )
    return parts


def findings_html(findings: Iterable[Any], *, caption: str | None = None) -> str:
    """Return findings (anything with ``code``, ``severity``, ``subject``, ``message``) as a table.

    Examples
    --------
    >>> from beacon_org._display import findings_html
    >>> f = bo.Finding(code="rep-without-group", severity="warning", subject="rep-solo",
    ...                message="rep-solo is in no distributor group")
    >>> "rep-without-group" in findings_html([f]), "(no findings)" in findings_html([])
    (True, True)
    """
    findings = list(findings)
    parts = _table_start(caption)
    if not findings:
        parts.append(f"<tr>{_cell('td', '(no findings)', 'color:#777')}</tr></table>")
        return "".join(parts)
    header = ("code", "severity", "subject", "message")
    parts.append("<tr>" + "".join(_cell("th", h) for h in header) + "</tr>")
    parts.extend(_finding_row(f) for f in findings)
    parts.append("</table>")
    return "".join(parts)


def readiness_html(readiness: Any) -> str:
    """Return a readiness (``distributor``, ``ready``, ``steps``, ``advice``) as HTML tables.

    Examples
    --------
    >>> from beacon_org._display import readiness_html
    >>> from beacon_org.testing import sample_org, sample_items
    >>> text = readiness_html(bo.readiness(sample_org(), "dist-b", sample_items()))
    >>> "not ready" in text, "user-setup" in text
    (True, True)
    """
    verdict = "ready" if readiness.ready else "not ready"
    colour = "#1b5e20" if readiness.ready else "#b00020"
    head = (
        f"<p><b>{html.escape(str(readiness.distributor))}</b>: "
        f'<span style="color:{colour};font-weight:bold">{verdict}</span></p>'
    )
    rows = [
        {
            "step": step.name,
            "done": "✓" if step.done else "✗",
            "what": getattr(step, "title", ""),
            "detail": step.detail,
        }
        for step in readiness.steps
    ]
    advice = tuple(getattr(readiness, "advice", ()))
    parts = [head, html_table(rows, columns=("step", "done", "what", "detail"), caption="Steps")]
    if advice:
        parts.append(findings_html(advice, caption="Advice"))
    return "<div>" + "".join(parts) + "</div>"


def access_changes_html(gained: Iterable[Any], lost: Iterable[Any]) -> str:
    """Return an access diff (``AccessChange`` records gained and lost) as one sorted table.

    Examples
    --------
    >>> from types import SimpleNamespace as Change
    >>> from beacon_org._display import access_changes_html
    >>> text = access_changes_html([Change(user="rep-a1", permission="use_item", object="kit-1")], [])
    >>> "+ gained" in text, "kit-1" in text
    (True, True)
    """

    def key(change: Any) -> tuple[str, str, str]:
        return (str(change.user), str(change.permission), str(change.object))

    rows = [
        {
            "change": mark,
            "user": c.user,
            "permission": c.permission,
            "object": c.object,
            "cause": getattr(c, "cause", None),
        }
        for mark, changes in (("+ gained", gained), ("− lost", lost))
        for c in sorted(changes, key=key)
    ]
    columns = ["change", "user", "permission", "object"]
    if any(row["cause"] for row in rows):
        columns.append("cause")
    return html_table(rows, columns=columns, empty="(no change in access)")
