"""The commands added for daily work: lookup, explain for items, test, --version, diff --exit-code,
--format json, check --on, progress, exit 3, and output that fits 100 columns."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import beacon_org as bo
import beacon_org._cli_io as _cli_io
import beacon_org.cli as cli
from beacon_org._expectations import schema
from beacon_org.cli import main
from beacon_org.testing import sample_cases, sample_items, sample_org

ORG, CASES, ITEMS = sample_org(), sample_cases(), sample_items()


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "beacon_org", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
    )


def in_process(*args: str, err: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), err or io.StringIO()
    status = main(list(args), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def bundle(tmp_path: Path) -> str:
    path = tmp_path / "sample.json"
    path.write_text(json.dumps(bo.bundle_to_dict(bo.Bundle(org=ORG, cases=CASES, items=ITEMS))))
    return str(path)


# --- --version, exit statuses ---------------------------------------------------------------------


def test_version() -> None:
    done = run("--version")
    assert (done.returncode, done.stdout) == (0, f"beacon-org {bo.__version__}\n")


def test_an_internal_error_is_exit_3_in_one_line(
    bundle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom " * 200)

    monkeypatch.setattr(cli, "check_setup", broken)
    status, out, err = in_process("check", bundle)
    assert (status, out) == (3, "")
    assert err.startswith("beacon-org: internal error (RuntimeError: boom boom")
    assert err.count("\n") == 1
    assert len(err) < 400
    assert "Traceback" not in err


def test_a_long_bad_id_is_cut_and_the_place_kept(bundle: str) -> None:
    done = run("explain", bundle, "u" * 20_000, "c-100")
    assert done.returncode == 2
    assert done.stderr.startswith("beacon-org: unknown user 'uuuu")
    assert "sample.json" in done.stderr  # the place survives the cut
    assert len(done.stderr) < 200


def test_a_bad_date_is_bad_usage(bundle: str) -> None:
    done = run("check", bundle, "--on", "31/12/2026")
    assert done.returncode == 2
    assert "'31/12/2026' is not a date in the form YYYY-MM-DD" in done.stderr


# --- check --on -----------------------------------------------------------------------------------


def test_check_judges_expiry_only_with_a_date(bundle: str) -> None:
    status, out, _ = in_process("check", bundle)
    assert "expired-item" not in out
    assert "expiry not judged: give --on DATE" in out
    status, out, _ = in_process("check", bundle, "--on", "2027-04-01")
    assert "WARNING expired-item [plate-a-old]" in out
    assert "WARNING expired-item [screw-a-1]" in out
    assert "expiry judged on 2027-04-01" in out
    assert "not counted: plate-a-old, screw-a-1" in out
    status, out, _ = in_process("check", bundle, "--on", "2027-04-01", "--format", "json")
    report = json.loads(out)
    assert report["on"] == "2027-04-01"
    expected = bo.check_setup(ORG, ITEMS, cases=CASES, on=dt.date(2027, 4, 1))
    assert [(f["code"], f["subject"]) for f in report["findings"]] == [
        (f.code, f.subject) for f in expected
    ]
    assert (report["errors"], report["warnings"], report["advice"]) == (1, 5, 3)
    assert status == 1


# --- explain for items ----------------------------------------------------------------------------


def test_explain_an_item_use_view_and_move(bundle: str) -> None:
    status, out, _ = in_process("explain", bundle, "rep-a2", "screw-a-1", "--to", "rep-b1")
    assert status == 0
    assert out.splitlines() == [
        "use screw-a-1 as rep-a2 (expiry not judged): allowed (shared-inventory)",
        "  because: rep-a2 -> dist-a -> screw-a-1",
        "view screw-a-1 as rep-a2: allowed (visible-inventory)",
        "move screw-a-1 to rep-b1 as rep-a2: allowed (shared-inventory)",
        "  because: rep-a2 -> dist-a -> screw-a-1",
    ]
    _, out, _ = in_process("explain", bundle, "rep-a2", "screw-a-1", "--on", "2027-04-01")
    assert "use screw-a-1 as rep-a2 (on 2027-04-01): denied (item-expired)" in out
    custody = bo.Custody(ORG, ITEMS)
    recipients = [
        u
        for u in [bo.ORG_CUSTODY, *sorted(ORG.users)]
        if custody.can_transfer("rep-a2", "screw-a-1", u)
    ]
    assert f"move screw-a-1 as rep-a2: to {', '.join(recipients)}" in " ".join(
        line.strip() for line in out.splitlines()
    )


def test_explain_an_item_as_json(bundle: str) -> None:
    _, out, _ = in_process(
        "explain", bundle, "dist-b", "item:drill-a1", "--to", "rep-b1", "--format", "json"
    )
    report = json.loads(out)
    assert sorted(report) == ["item", "move", "on", "use", "user", "view"]
    custody = bo.Custody(ORG, ITEMS)
    assert report["use"]["reason"] == custody.can_use("dist-b", "drill-a1").reason
    assert report["move"]["allowed"] is custody.can_transfer("dist-b", "drill-a1", "rep-b1").allowed
    assert report["view"]["allowed"] is False
    _, out, _ = in_process("explain", bundle, "dist-a", "drill-a1", "--json")
    assert "move_to" in json.loads(out)


def test_explain_refuses_what_does_not_fit(tmp_path: Path, bundle: str) -> None:
    status, _, err = in_process("explain", bundle, "dist-a", "c-100", "--to", "rep-b1")
    assert status == 2
    assert "--to names the recipient of an item" in err
    status, _, err = in_process("explain", bundle, "dist-a", "drill-a1", "--to", "nobody")
    assert (status, err.strip()) == (2, f"beacon-org: unknown user 'nobody' in {bundle!r}")
    both = tmp_path / "both.json"
    data = bo.bundle_to_dict(
        bo.Bundle(
            org=ORG, cases=(bo.Case("x", "rep-a1"),), items=(bo.InventoryItem("x", "dist-a"),)
        )
    )
    both.write_text(json.dumps(data))
    status, _, err = in_process("explain", str(both), "dist-a", "x")
    assert status == 2
    assert "write case:x or item:x" in err
    assert in_process("explain", str(both), "dist-a", "case:x")[1].startswith("view x as dist-a")
    assert in_process("explain", str(both), "dist-a", "item:x")[1].startswith("use x as dist-a")


# --- lookup ---------------------------------------------------------------------------------------


def test_lookup_a_user_agrees_with_the_library(bundle: str) -> None:
    _, out, _ = in_process("lookup", bundle, "--user", "rm-west", "--format", "json")
    report = json.loads(out)
    vis, custody = bo.Visibility(ORG), bo.Custody(ORG, ITEMS)
    assert report == {
        "user": "rm-west",
        "on": None,
        "view_case": [c.id for c in vis.visible_cases("rm-west", CASES)],
        "edit_case": [c.id for c in CASES if vis.can_edit_case("rm-west", c)],
        "use_item": sorted(custody.usable_inventory("rm-west")),
        "view_item": sorted(custody.visible_inventory("rm-west")),
    }
    status, out, _ = in_process("lookup", bundle, "--user", "rep-a1", "--on", "2027-04-01")
    assert status == 0
    assert out.splitlines() == [
        "user rep-a1 (on 2027-04-01)",
        "  view_case (2): c-100, c-101",
        "  edit_case (1): c-100",
        "  use_item (2): drill-a1, screw-a-2",
        "  view_item (5): drill-a1, plate-a-old, screw-a-1, screw-a-2, screw-a1-spare",
    ]


def test_lookup_who_sees_a_case_and_who_may_use_an_item(bundle: str) -> None:
    _, out, _ = in_process("lookup", bundle, "--case", "c-100", "--json")
    vis = bo.Visibility(ORG)
    case = CASES[0]
    report = json.loads(out)
    assert report["view_case"] == sorted(vis.case_viewers(case))
    assert report["edit_case"] == sorted(u for u in ORG.users if vis.can_edit_case(u, case))
    _, out, _ = in_process("lookup", bundle, "--item", "screw-a-1", "--json")
    custody = bo.Custody(ORG, ITEMS)
    report = json.loads(out)
    assert report["use_item"] == sorted(u for u in ORG.users if custody.can_use(u, "screw-a-1"))
    assert report["view_item"] == sorted(
        u for u in ORG.users if "screw-a-1" in custody.visible_inventory(u)
    )
    done = run("lookup", "-", "--item", "screw-a-1", stdin=Path(bundle).read_text())
    assert done.returncode == 0
    assert done.stdout.startswith("item screw-a-1 (expiry not judged)\n  use_item (")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--user", "nobody"], "unknown user 'nobody'"),
        (["--case", "c-404"], "unknown case 'c-404'"),
        (["--item", "kit-404"], "unknown item 'kit-404'"),
        ([], "one of the arguments --user --case --item is required"),
        (["--user", "rep-a1", "--case", "c-100"], "not allowed with argument"),
    ],
)
def test_lookup_bad_input(bundle: str, args: list[str], needle: str) -> None:
    status, out, err = in_process("lookup", bundle, *args)
    assert (status, out) == (2, "")
    assert needle in err


# --- progress -------------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_goes_to_a_terminal_only(bundle: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_cli_io, "PROGRESS_AFTER", 0.0)
    terminal = Terminal()
    status, out, err = in_process("lookup", bundle, "--item", "screw-a-1", err=terminal)
    assert status == 0
    assert "\rbeacon-org: users asked" in err
    assert err.endswith("\r\033[K")  # the line is cleared when the work is done
    status, out_plain, err_plain = in_process("lookup", bundle, "--item", "screw-a-1")
    assert (out_plain, err_plain) == (out, "")


# --- diff --exit-code and JSON --------------------------------------------------------------------


def test_diff_exit_code(tmp_path: Path, bundle: str) -> None:
    after = tmp_path / "after.json"
    moved = ORG.unassign_rep("rep-a1").assign_rep("rep-a1", "dist-b")
    after.write_text(json.dumps(bo.bundle_to_dict(bo.Bundle(org=moved, cases=CASES, items=ITEMS))))
    assert run("diff", bundle, str(after)).returncode == 0
    assert run("diff", "--exit-code", bundle, str(after)).returncode == 1
    assert run("diff", "--exit-code", bundle, bundle).returncode == 0
    done = run("diff", "--exit-code", "--format", "json", bundle, str(after))
    assert done.returncode == 1
    rows = json.loads(done.stdout)
    assert all(sorted(r) == ["cause", "change", "object", "permission", "user"] for r in rows)


def test_diff_says_when_no_single_change_causes_an_access(tmp_path: Path) -> None:
    start = ORG.set_shared_inventory("dist-a", False)
    after = start.set_shared_inventory("dist-a", True).unassign_rep("rep-b2")
    after = after.assign_rep("rep-b2", "dist-a")
    paths = []
    for name, org in (("a", start), ("b", after)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(bo.bundle_to_dict(bo.Bundle(org=org, cases=CASES, items=ITEMS))))
        paths.append(str(path))
    _, out, _ = in_process("diff", *paths)
    assert "+ rep-b2 use_item screw-a-1 (no single change alone: only the changes together)" in out


# --- test: the expectations file ------------------------------------------------------------------

EXPECTATIONS = {
    "description": "the sample org's promises",
    "on": "2027-04-01",
    "allowed": [
        {"user": "dist-a", "permission": "view_case", "object": "c-100"},
        {"user": "rep-a2", "permission": "move_item", "object": "drill-a1", "to": "rep-b1"},
        {"user": "dist-a", "permission": "pull_reports", "object": "rep-a1"},
    ],
    "denied": [
        {"user": "dist-b", "permission": "view_case", "object": "c-100"},
        {"user": "rep-a2", "permission": "use_item", "object": "screw-a-1"},
    ],
    "lookups": [
        {"user": "rep-a1", "permission": "view_case", "objects": ["c-100", "c-101"]},
        {"object": "drill-a1", "permission": "use_item", "users": ["rep-a1"]},
    ],
}


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_expectations_that_hold_exit_0(tmp_path: Path, bundle: str) -> None:
    jsonschema.validate(EXPECTATIONS, schema())
    done = run("test", bundle, write(tmp_path, "e.json", EXPECTATIONS))
    assert done.returncode == 1  # rep-a2 may not move rep-a1's drill: the file is wrong there
    assert done.stdout.splitlines()[-2:] == [
        "  FAIL allowed[1]: rep-a2 move_item drill-a1 to rep-b1: expected allowed, got denied "
        "(cannot-move)",
        "7 expectation(s): 1 failed",
    ]
    fixed = {**EXPECTATIONS, "allowed": EXPECTATIONS["allowed"][::2]}
    done = run("test", bundle, write(tmp_path, "fixed.json", fixed))
    assert (done.returncode, done.stdout.splitlines()[-1]) == (0, "6 expectation(s): all hold")


def test_expectations_in_yaml_with_a_failing_lookup(tmp_path: Path, bundle: str) -> None:
    text = """\
# unquoted on: and dates are read as YAML 1.2 would
on: 2027-04-01
denied:
  - {user: rep-a2, permission: use_item, object: screw-a-1}
lookups:
  - {user: rep-a1, permission: use_item, objects: [drill-a1, screw-a-1]}
"""
    status, out, _ = in_process("test", bundle, write(tmp_path, "e.yaml", text), "--format", "json")
    assert status == 1
    report = json.loads(out)
    assert (report["on"], report["total"], report["failed"]) == ("2027-04-01", 2, 1)
    lookup = report["results"][1]
    assert (lookup["missing"], lookup["unexpected"]) == (["screw-a-1"], ["screw-a-2"])
    status, out, _ = in_process("test", bundle, write(tmp_path, "e.yaml", text))
    assert "FAIL lookups[0]: rep-a1 use_item: missing screw-a-1; unexpected screw-a-2" in out


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (
            {"allowed": [{"user": "dist-a", "permission": "fly", "object": "c-100"}]},
            "allowed[0].permission: 'fly' is not one of",
        ),
        (
            {"allowed": [{"user": "dist-a", "permission": "move_item", "object": "drill-a1"}]},
            "allowed[0].to: must be a non-empty string id",
        ),
        (
            {
                "denied": [
                    {"user": "dist-a", "permission": "view_case", "object": "c-100", "to": "x"}
                ]
            },
            "denied[0].to: only move_item takes a recipient",
        ),
        (
            {"lookups": [{"user": "dist-a", "permission": "view_case", "objects": "c-100"}]},
            "lookups[0].objects: must be a list of string ids",
        ),
        (
            {"lookups": [{"object": "c-100", "permission": "view_case"}]},
            "lookups[0].users: must be a list",
        ),
        ({"on": "tomorrow"}, "on: 'tomorrow' is not a date"),
        ({"colour": 1}, "unknown field(s) 'colour'"),
        ([1], "expectations: must be an object (got list)"),
    ],
)
def test_bad_expectations_exit_2_and_the_schema_refuses_them_too(
    tmp_path: Path, bundle: str, data: Any, needle: str
) -> None:
    status, out, err = in_process("test", bundle, write(tmp_path, "bad.json", data))
    assert (status, out) == (2, "")
    assert needle in err
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema())


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        (
            {"user": "nobody", "permission": "view_case", "object": "c-100"},
            "allowed[0].user: unknown user 'nobody'",
        ),
        (
            {"user": "dist-a", "permission": "view_case", "object": "c-404"},
            "allowed[0].object: unknown case 'c-404'",
        ),
        (
            {"user": "dist-a", "permission": "use_item", "object": "c-100"},
            "allowed[0].object: unknown item 'c-100'",
        ),
        (
            {"user": "dist-a", "permission": "move_item", "object": "drill-a1", "to": "x"},
            "allowed[0].to: unknown user 'x'",
        ),
    ],
)
def test_expectations_naming_what_the_bundle_lacks_exit_2(
    tmp_path: Path, bundle: str, entry: Any, needle: str
) -> None:
    status, _, err = in_process("test", bundle, write(tmp_path, "e.json", {"allowed": [entry]}))
    assert status == 2
    assert needle in err


def test_the_schema_is_shipped_and_printed() -> None:
    done = run("test", "--schema")
    assert done.returncode == 0
    assert json.loads(done.stdout) == schema()
    jsonschema.Draft202012Validator.check_schema(schema())
    done = run("test")
    assert done.returncode == 2
    assert "required: BUNDLE, EXPECTATIONS" in done.stderr


def test_a_broken_yaml_file_is_one_line(tmp_path: Path, bundle: str) -> None:
    status, _, err = in_process("test", bundle, write(tmp_path, "e.yml", "allowed: [\n"))
    assert status == 2
    assert err.startswith("beacon-org: ")
    assert "is not valid YAML" in err


# --- every command: JSON for scripts, 100 columns for people ---------------------------------------


COMMANDS = [
    ["check", "{b}", "--on", "2027-04-01"],
    ["explain", "{b}", "dist-a", "c-100"],
    ["explain", "{b}", "rm-west", "drill-a1"],
    ["lookup", "{b}", "--user", "owner"],
    ["lookup", "{b}", "--case", "c-100"],
    ["lookup", "{b}", "--item", "drill-a1"],
    ["test", "{b}", "{e}"],
    ["diff", "{b}", "{a}"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:1] + c[2:]))
def test_every_command_writes_json_and_fits_100_columns(
    tmp_path: Path, bundle: str, command: list[str]
) -> None:
    after = ORG.deactivate("rep-a1").set_shared_inventory("dist-a", False)
    names = {
        "b": bundle,
        "e": write(tmp_path, "e.json", EXPECTATIONS),
        "a": write(
            tmp_path, "a.json", bo.bundle_to_dict(bo.Bundle(org=after, cases=CASES, items=ITEMS))
        ),
    }
    argv = [part.format(**names) for part in command]
    status, out, err = in_process(*argv)
    assert status in (0, 1)
    assert err == ""
    assert max(len(line) for line in out.splitlines()) <= 100
    status_json, out_json, _ = in_process(*argv, "--format", "json")
    assert status_json == status
    json.loads(out_json)


def test_demo_fits_100_columns() -> None:
    status, out, _ = in_process("demo")
    assert status == 0
    assert max(len(line) for line in out.splitlines()) <= 100


def test_expectations_written_from_the_library_all_hold(tmp_path: Path, bundle: str) -> None:
    # every permission of the file, both ways, and every lookup: built from the library's answers
    on = dt.date(2027, 4, 1)
    vis, custody = bo.Visibility(ORG), bo.Custody(ORG, ITEMS)
    users = sorted(ORG.users)
    checks: dict[str, list[dict[str, str]]] = {"allowed": [], "denied": []}

    def add(allowed: bool, user: str, permission: str, obj: str, **extra: str) -> None:
        checks["allowed" if allowed else "denied"].append(
            {"user": user, "permission": permission, "object": obj, **extra}
        )

    for user in users[::3]:
        for case in CASES[::2]:
            add(bool(vis.can_view_case(user, case)), user, "view_case", case.id)
            add(bool(vis.can_edit_case(user, case)), user, "edit_case", case.id)
            add(bool(vis.can_reopen_case(user, case)), user, "reopen_case", case.id)
        for item in ITEMS[::2]:
            add(bool(custody.can_use(user, item.id, on=on)), user, "use_item", item.id)
            add(item.id in custody.visible_inventory(user), user, "view_item", item.id)
            to = "rep-b1"
            add(bool(custody.can_transfer(user, item.id, to)), user, "move_item", item.id, to=to)
            add(
                bool(custody.can_transfer(user, item.id, "@org")),
                user,
                "move_item",
                item.id,
                to="@org",
            )
        add(bool(vis.can_pull_reports(user, "rep-a1")), user, "pull_reports", "rep-a1")
    lookups: list[dict[str, Any]] = []
    for user in users[::4]:
        seen = vis.visible_cases(user, CASES)
        lookups += [
            {"user": user, "permission": "view_case", "objects": [c.id for c in seen]},
            {
                "user": user,
                "permission": "edit_case",
                "objects": [c.id for c in CASES if vis.can_edit_case(user, c)],
            },
            {
                "user": user,
                "permission": "use_item",
                "objects": sorted(custody.usable_inventory(user, on=on)),
            },
            {
                "user": user,
                "permission": "view_item",
                "objects": sorted(custody.visible_inventory(user)),
            },
        ]
    case, item = CASES[0], ITEMS[0]
    lookups += [
        {"object": case.id, "permission": "view_case", "users": sorted(vis.case_viewers(case))},
        {
            "object": case.id,
            "permission": "edit_case",
            "users": [u for u in users if vis.can_edit_case(u, case)],
        },
        {
            "object": item.id,
            "permission": "use_item",
            "users": [u for u in users if custody.can_use(u, item.id, on=on)],
        },
        {
            "object": item.id,
            "permission": "view_item",
            "users": [u for u in users if item.id in custody.visible_inventory(u)],
        },
    ]
    data = {"on": on.isoformat(), **checks, "lookups": lookups}
    jsonschema.validate(data, schema())
    status, out, _ = in_process("test", bundle, write(tmp_path, "all.json", data))
    assert status == 0, out
    assert out.splitlines()[-1].endswith("all hold")
    # flip one answer: exactly that one fails
    data["denied"].append(data["allowed"].pop(0))
    status, out, _ = in_process("test", bundle, write(tmp_path, "flipped.json", data), "--json")
    report = json.loads(out)
    assert (status, report["failed"]) == (1, 1)


def test_a_file_that_is_not_utf8_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"version": 1, "users": [{"name": "Jos\xe9"}]}'.encode("latin-1"))
    done = run("check", str(path))
    assert done.returncode == 2
    assert "is not UTF-8 text (bad byte at offset" in done.stderr


def test_test_cannot_read_both_files_from_stdin() -> None:
    status, _, err = in_process("test", "-", "-")
    assert status == 2
    assert "cannot both be '-'" in err


def test_a_narrow_case_table_is_a_table() -> None:
    org = bo.Org().add_user("owner", email="o@x.example", role="primary_admin")
    org = org.add_user("d", email="d@x.example", role="distributor")
    org = org.add_user("r", email="r@x.example", role="sales").assign_rep("r", "d")
    org = org.complete_training("r").complete_training("d")
    out = io.StringIO()
    cli.render_case_access(org, [bo.Case("c1", "r")], out)
    assert out.getvalue().splitlines()[1:] == [
        "  case  status  representative  sub-rep  can view  can edit",
        "  c1    open    r                        d, r      d, r",
    ]
    out = io.StringIO()
    cli.render_structure(bo.Org().add_user("d", email="d@x.example", role="distributor"), out)
    assert "    (no reps)" in out.getvalue().splitlines()
