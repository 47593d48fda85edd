"""The beacon-org command, run for real in a subprocess, plus in-process runs for the details."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

import beacon_org as bo
from beacon_org._bundle import Bundle, bundle_from_dict, bundle_to_dict
from beacon_org.cli import main
from beacon_org.testing import sample_cases, sample_items, sample_org

SCRIPT = Path(sys.executable).parent / "beacon-org"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "beacon_org", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
    )


CASES = sample_cases()
ITEMS = sample_items()


def write_bundle(
    path: Path,
    org: bo.Org,
    cases: Sequence[bo.Case] = CASES,
    items: Sequence[bo.InventoryItem] = ITEMS,
) -> str:
    bundle = Bundle(org=org, cases=tuple(cases), items=tuple(items))
    path.write_text(json.dumps(bundle_to_dict(bundle)))
    return str(path)


@pytest.fixture
def before(tmp_path: Path) -> str:
    return write_bundle(tmp_path / "before.json", sample_org())


@pytest.fixture
def after(tmp_path: Path) -> str:
    org = sample_org().unassign_rep("rep-a1").assign_rep("rep-a1", "dist-b")
    return write_bundle(tmp_path / "after.json", org)


def in_process(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(args), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


# --- the real command -----------------------------------------------------------------------------


def test_console_script_demo_runs_on_the_sample_org() -> None:
    done = subprocess.run(
        [str(SCRIPT), "demo"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    text = done.stdout
    for heading in (
        "Distributor groups",
        "Who sees which case",
        "Setup findings",
        "Readiness of each distributor group",
    ):
        assert heading in text
    assert "└─ rep-a2 [central]" in text
    # the who-sees table agrees with Visibility on the sample
    lines = text.splitlines()
    c100 = next(i for i, line in enumerate(lines) if line.strip().startswith("c-100"))
    assert (
        lines[c100 + 1].strip() == "can view: dist-a, fm-mercy, rep-a1, rep-a2, rm-central, rm-west"
    )
    assert max(len(line) for line in lines) <= 100
    assert "dist-a: ready" in text
    assert "dist-b: not ready" in text
    assert "item-held-by-deactivated-user [kit-gone]" in text


def test_check_exits_1_on_errors_and_0_without(tmp_path: Path, before: str) -> None:
    done = run("check", before)
    assert done.returncode == 1
    assert "ERROR   item-held-by-deactivated-user [kit-gone]" in done.stdout
    items = [i for i in sample_items() if i.id != "kit-gone"]
    clean = write_bundle(tmp_path / "clean.json", sample_org(), items=items)
    done = run("check", clean)
    assert done.returncode == 0, done.stdout
    assert "0 errors" in done.stdout


def test_check_json_is_for_machines(before: str) -> None:
    done = run("check", "--json", before)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    expected = bo.check_setup(sample_org(), sample_items(), cases=sample_cases())
    assert [(f["code"], f["subject"]) for f in report["findings"]] == [
        (f.code, f.subject) for f in expected
    ]
    assert report["errors"] == 1
    assert {r["distributor"]: r["ready"] for r in report["readiness"]} == {
        "dist-a": True,
        "dist-b": False,
    }


def test_check_reads_stdin(before: str) -> None:
    done = run("check", "-", stdin=Path(before).read_text())
    assert done.returncode == 1
    assert "kit-gone" in done.stdout


def test_explain_gives_reason_path_or_suggestion(before: str) -> None:
    done = run("explain", before, "dist-a", "c-100")
    assert done.returncode == 0
    assert "view c-100 as dist-a: allowed (distributor-of-representative)" in done.stdout
    assert "because: dist-a -> rep-a1 -> c-100" in done.stdout
    done = run("explain", before, "dist-b", "c-100")
    assert "view c-100 as dist-b: denied" in done.stdout
    assert "would be granted by: move rep-a1 from dist-a to dist-b" in done.stdout


def test_explain_json_matches_visibility(before: str) -> None:
    done = run("explain", "--json", before, "rep-a2", "c-100")
    report = json.loads(done.stdout)
    vis = bo.Visibility(sample_org())
    case = sample_cases()[0]
    view, edit = vis.can_view_case("rep-a2", case), vis.can_edit_case("rep-a2", case)
    assert (report["view"]["allowed"], report["view"]["reason"]) == (view.allowed, view.reason)
    assert report["view"]["path"] == list(view.path)
    assert (report["edit"]["allowed"], report["edit"]["reason"]) == (edit.allowed, edit.reason)


def test_diff_lists_access_gained_and_lost(before: str, after: str) -> None:
    done = run("diff", before, after)
    assert done.returncode == 0
    assert "+ dist-b view_case c-101 (rep-a1 moved from dist-a to dist-b)" in done.stdout
    assert "- dist-a view_case c-101 (rep-a1 moved from dist-a to dist-b)" in done.stdout
    done = run("diff", "--json", before, after)
    rows = json.loads(done.stdout)
    expected = bo.diff_access(
        sample_org(),
        sample_org().unassign_rep("rep-a1").assign_rep("rep-a1", "dist-b"),
        cases=sample_cases(),
        items=sample_items(),
    )
    assert {(r["user"], r["permission"], r["object"]) for r in rows if r["change"] == "gained"} == {
        (c.user, c.permission, c.object) for c in expected.gained
    }
    assert len(rows) == len(expected)
    same = run("diff", before, before)
    assert same.stdout == "Access gained: 0, lost: 0\n"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["check", "{dir}/missing.json"], "cannot read"),
        (["check", "{dir}/broken.json"], "is not valid JSON"),
        (["check", "{dir}/wrong.json"], "users[0].role: 'wizard' is not a role"),
        (["check", "{dir}/list.json"], "a bundle must be a JSON object"),
        (["check", "{dir}/dupe.json"], "cases[1].id: duplicate id 'c1'"),
        (["explain", "{before}", "nobody", "c-100"], "unknown user 'nobody'"),
        (["explain", "{before}", "dist-a", "c-999"], "no case or item 'c-999'"),
        (["explain", "{before}", "dist-a", "case:c-999"], "unknown case 'c-999'"),
        (["explain", "{before}"], "the following arguments are required: USER, CASE_OR_ITEM"),
        (["diff", "{before}"], "the following arguments are required: AFTER"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: COMMAND"),
        (["check", "--colour", "{before}"], "unrecognized arguments: --colour"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, before: str, args: list[str], needle: str
) -> None:
    (tmp_path / "broken.json").write_text('{"version": 1,')
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "wrong.json").write_text(
        json.dumps({"version": 1, "users": [{"id": "u", "email": "u@x.example", "role": "wizard"}]})
    )
    (tmp_path / "dupe.json").write_text(
        json.dumps(
            {
                "version": 1,
                "users": [{"id": "u", "email": "u@x.example", "role": "sales"}],
                "cases": [{"id": "c1", "representative": "u"}, {"id": "c1", "representative": "u"}],
            }
        )
    )
    argv = [a.format(dir=tmp_path, before=before) for a in args]
    done = run(*argv)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("beacon-org: ")
    assert needle in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "command", [[], ["demo"], ["check"], ["explain"], ["lookup"], ["test"], ["diff"]]
)
def test_help_on_every_command(command: list[str]) -> None:
    done = run(*command, "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: beacon-org")
    assert done.stderr == ""
    # the exit statuses are in every --help
    assert "2 bad input or usage" in done.stdout
    assert "3 an" in done.stdout


# --- in process -----------------------------------------------------------------------------------


def test_bundle_round_trip() -> None:
    bundle = Bundle(org=sample_org(), cases=sample_cases(), items=sample_items())
    assert bundle_from_dict(json.loads(json.dumps(bundle_to_dict(bundle)))) == bundle


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"version": 1, "cases": {}}, "cases: must be a list"),
        ({"version": 1, "items": [{"id": "i", "custodian": "x", "colour": 1}]}, "items[0]"),
        ({"version": 1, "items": [{"id": "i", "custodian": "x"}] * 2}, "items[1].id: duplicate"),
        ({"version": 2}, "version: expected 1"),
    ],
)
def test_bad_bundles_say_where(data: object, needle: str) -> None:
    with pytest.raises(bo.InvalidDataError) as info:
        bundle_from_dict(data)
    assert needle in str(info.value)


def test_check_on_an_empty_org(tmp_path: Path) -> None:
    empty = write_bundle(tmp_path / "empty.json", bo.Org(), cases=(), items=())
    status, out, err = in_process("check", empty)
    assert (status, err) == (1, "")  # an org needs a primary admin
    assert "no-primary-admin" in out
    assert "Readiness" not in out  # no distributor, no groups to report


def test_explain_shows_each_action_and_bundle_errors_from_rules(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b.json", sample_org())
    status, out, _ = in_process("explain", path, "rep-a1", "c-101")
    assert status == 0
    assert [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")] == [
        "view c-101 as rep-a1",
        "edit c-101 as rep-a1",
        "reopen c-101 as rep-a1",
    ]
    assert "edit c-101 as rep-a1: denied (case-closed)" in out


def test_diff_merges_cases_and_items_of_both_bundles(tmp_path: Path) -> None:
    org = sample_org()
    only_before = write_bundle(tmp_path / "a.json", org, cases=[bo.Case("c1", "rep-b2")], items=())
    after_org = org.deactivate("rep-b2")
    only_after = write_bundle(
        tmp_path / "b.json", after_org, cases=(), items=[bo.InventoryItem("k1", "rep-b2")]
    )
    status, out, _ = in_process("diff", only_before, only_after)
    assert status == 0
    assert "- rep-b2 view_case c1 (rep-b2 deactivated)" in out
    assert "- rep-b2 use_item k1 (rep-b2 deactivated)" in out
