"""Notebook display: ``_repr_html_`` tables and readable text for orgs, decisions and findings."""

from __future__ import annotations

import html.parser

import pytest

import beacon_org as bo
from beacon_org._display import (
    access_changes_html,
    cell_text,
    decision_html,
    findings_html,
    html_table,
    readiness_html,
)
from beacon_org.rules._records import FindingList
from beacon_org.testing import sample_items, sample_org


class _Cells(html.parser.HTMLParser):
    """Collect the text of every table cell, row by row, and check that tags balance."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.captions: list[str] = []
        self.open: list[str] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.open.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag in {"td", "th", "caption"}:
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        assert self.open.pop() == tag
        if tag in {"td", "th"}:
            assert self._text is not None
            self.rows[-1].append("".join(self._text))
            self._text = None
        if tag == "caption":
            assert self._text is not None
            self.captions.append("".join(self._text))
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def parse(text: str) -> _Cells:
    cells = _Cells()
    cells.feed(text)
    cells.close()
    assert cells.open == [], "unclosed tags"
    return cells


def test_html_table_escapes_and_orders_columns() -> None:
    rows = [{"id": "<script>", "n": 1, "ids": frozenset({"b", "a"})}, {"id": "x&y", "n": None}]
    text = html_table(rows, columns=("n", "id", "ids"), caption="A & B")
    assert "<script>" not in text
    cells = parse(text)
    assert cells.captions == ["A & B"]
    assert cells.rows == [["n", "id", "ids"], ["1", "<script>", "a, b"], ["", "x&y", ""]]


def test_html_table_without_rows_says_so() -> None:
    assert parse(html_table([], empty="no groups")).rows == [["no groups"]]


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (False, "no"), ("a,b", "a,b"), (["z", "a"], "a, z"), (3.5, "3.5")],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_org_html_shows_its_summary_tables() -> None:
    org = sample_org()
    cells = parse(org._repr_html_())
    assert cells.captions == ["Users by role", "Distributor groups", "Regions"]
    rows = {row[0]: row for row in cells.rows}
    assert rows["sales"][1] == str(sum(u.role is bo.Role.SALES for u in org.users.values()))
    assert "facility_manager" in rows
    assert rows["dist-a"][1:4] == ["west", "yes", "2"]
    assert rows["dist-b"][-1] == "rep-b1, rep-b2, rep-new"
    assert rows["east"][1:4] == ["East", "MA, NJ, NY", "rm-east"]
    assert (
        f"&lt;Org: {len(org.users)} users, 3 regions, 2 distributor groups&gt;" in org._repr_html_()
    )


def test_org_html_hides_roles_nobody_has() -> None:
    org = bo.Org().add_user("d", email="d@x.example", role="distributor", name="<D>")
    cells = parse(org._repr_html_())
    header = cells.rows.index(["role", "users", "active", "locked", "deactivated"])
    assert cells.rows[header + 1] == ["distributor", "1", "0", "1", "0"]
    assert cells.rows[header + 2][0] == "distributor"  # the groups table's header follows
    assert cells.rows[-1] == ["(none)"]  # no regions


def test_org_repr_is_one_readable_line() -> None:
    org = sample_org()
    assert repr(org) == f"<Org: {len(org.users)} users, 3 regions, 2 distributor groups>"


def test_decision_html_and_str() -> None:
    granted = bo.Decision(allowed=True, reason="sub-rep", path=("rep-a2", "c-100"))
    cells = parse(granted._repr_html_())
    assert cells.rows == [
        ["decision", "allowed"],
        ["reason", "sub-rep"],
        ["path", "rep-a2 → c-100"],
    ]
    assert str(granted) == "allowed (sub-rep): rep-a2 → c-100"
    denied = bo.Decision(allowed=False, reason="not-in-group", suggestion="assign <r> to d")
    cells = parse(denied._repr_html_())
    assert cells.rows == [
        ["decision", "denied"],
        ["reason", "not-in-group"],
        ["suggestion", "assign <r> to d"],
    ]
    assert str(denied) == "denied (not-in-group); suggestion: assign <r> to d"
    assert eval(repr(denied), {"Decision": bo.Decision}) == denied


def test_decision_html_helper_matches_the_method() -> None:
    decision = bo.Decision(allowed=False, reason="locked")
    assert decision._repr_html_() == decision_html(False, "locked", ())


def _finding(code: str, severity: str, subject: str) -> bo.Finding:
    return bo.Finding(code=code, severity=severity, subject=subject, message=f"{subject}: <{code}>")


def test_findings_html_lists_every_finding_in_order() -> None:
    found = [_finding("b", "error", "x"), _finding("a", "advice", "y")]
    cells = parse(findings_html(found, caption="Setup"))
    assert cells.captions == ["Setup"]
    assert cells.rows == [
        ["code", "severity", "subject", "message"],
        ["b", "error", "x", "x: <b>"],
        ["a", "advice", "y", "y: <a>"],
    ]
    assert parse(found[0]._repr_html_()).rows[1] == ["b", "error", "x", "x: <b>"]
    assert parse(findings_html([])).rows == [["(no findings)"]]


def test_finding_list_is_a_list_that_shows_a_table() -> None:
    found = FindingList([_finding("a", "warning", "x")])
    assert isinstance(found, list)
    assert found == [_finding("a", "warning", "x")]
    assert parse(found._repr_html_()).rows[1][0] == "a"
    assert repr(found) == repr(list(found))


def test_readiness_html_shows_steps_and_advice() -> None:
    ready = bo.readiness(sample_org(), "dist-a", sample_items())
    cells = parse(readiness_html(ready))
    steps = [row for row in cells.rows if row and row[0] in {s.name for s in ready.steps}]
    assert [row[0] for row in steps] == [s.name for s in ready.steps]
    assert all(row[1] == "✓" for row in steps)
    assert "<b>dist-a</b>: " in readiness_html(ready)
    assert ">ready</span>" in readiness_html(ready)
    blocked = bo.readiness(sample_org(), "dist-b", sample_items())
    text = readiness_html(blocked)
    assert "not ready" in text
    rows = {row[0]: row for row in parse(text).rows}
    assert rows["user-setup"][1] == "✗"
    assert "rep-new" in rows["user-setup"][3]


def test_access_changes_html_sorts_gained_then_lost() -> None:
    class Change:
        def __init__(self, user: str, permission: str, obj: str) -> None:
            self.user, self.permission, self.object = user, permission, obj

    gained = [Change("rep-b", "view_case", "c-2"), Change("rep-a", "use_item", "k-1")]
    lost = [Change("dist-a", "view_case", "c-1")]
    cells = parse(access_changes_html(gained, lost))
    assert cells.rows[1:] == [
        ["+ gained", "rep-a", "use_item", "k-1"],
        ["+ gained", "rep-b", "view_case", "c-2"],
        ["− lost", "dist-a", "view_case", "c-1"],
    ]
    assert parse(access_changes_html([], [])).rows == [["(no change in access)"]]


def test_access_changes_html_shows_the_cause_when_known() -> None:
    with_cause = bo.AccessChange("rep-b1", "use_item", "plate-b-1", cause="dist-b shares")
    cells = parse(access_changes_html([with_cause], []))
    assert cells.rows == [
        ["change", "user", "permission", "object", "cause"],
        ["+ gained", "rep-b1", "use_item", "plate-b-1", "dist-b shares"],
    ]


def test_check_setup_findings_and_readiness_show_as_tables() -> None:
    findings = bo.check_setup(sample_org(), sample_items())
    assert isinstance(findings, FindingList)
    rows = parse(findings._repr_html_()).rows
    assert [row[0] for row in rows[1:]] == [f.code for f in findings]
    ready = bo.readiness(sample_org(), "dist-a", sample_items())
    assert ready._repr_html_() == readiness_html(ready)


def test_access_diff_reads_as_counts_lines_and_a_table() -> None:
    org = sample_org()
    after = org.set_shared_inventory("dist-b", True)
    diff = bo.diff_access(org, after, items=sample_items())
    assert repr(diff) == f"<AccessDiff: {len(diff.gained)} gained, 0 lost>"
    assert str(diff).splitlines() == [str(line) for line in diff.changes()]
    rows = parse(diff._repr_html_()).rows
    assert len(rows) == 1 + len(diff)
    assert {tuple(row[1:4]) for row in rows[1:]} == {
        (c.user, c.permission, c.object) for c in diff.gained
    }
    assert str(bo.diff_access(org, org)) == "no change in access"


def test_readiness_repr_names_what_is_missing() -> None:
    org = sample_org()
    assert repr(bo.readiness(org, "dist-a", sample_items())) == "<Readiness dist-a: ready>"
    assert (
        repr(bo.readiness(org, "dist-b", ()))
        == "<Readiness dist-b: not ready, missing user-setup, inventory>"
    )
