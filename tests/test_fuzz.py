"""Bad input never escapes: an OrgError (exit 2 on the command line) or a valid result, nothing else.

First the reproducers of the escapes found by hand (each failed before its fix), then hypothesis
fuzzing of ``from_dict``, ``bundle_from_dict`` and the ``beacon-org`` command seeded with them.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.cli import MESSAGE_LIMIT, main
from beacon_org.testing import sample_cases, sample_items, sample_org


def nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


DEEP = nested(2_000)
HUGE = "x" * 10_000_000
SAMPLE = bo.bundle_to_dict(bo.Bundle(org=sample_org(), cases=sample_cases(), items=sample_items()))
USER = {"id": "u", "email": "u@x.example", "role": "sales"}


# --- the escapes, one test each -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "needle"),
    [
        (
            lambda: bo.from_dict({"version": 1, "users": [{**USER, 1: 2}]}),
            "users[0]: unknown field(s) 1",
        ),
        (
            lambda: bo.from_dict({"version": 1, "regions": [{"id": "r", None: 2}]}),
            "unknown field(s) None",
        ),
        (
            lambda: bo.case_from_dict({"id": "c", "representative": "u", 1: 2}),
            "case: unknown field(s) 1",
        ),
        (
            lambda: bo.item_from_dict({"id": "i", "custodian": "u", (1,): 2}),
            "item: unknown field(s) (1,)",
        ),
        (lambda: bo.bundle_from_dict({**SAMPLE, 7: 1}), "unknown top-level key(s) 7"),
    ],
)
def test_escape_2_non_string_keys_are_named(build: Any, needle: str) -> None:
    with pytest.raises(bo.InvalidDataError) as info:
        build()
    assert needle in str(info.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda org, vis: bo.from_dict({"version": DEEP}),
        lambda org, vis: bo.from_dict({"version": 1, "users": [{**USER, "id": DEEP}]}),
        lambda org, vis: org.user(DEEP),
        lambda org, vis: org.add_user(DEEP, email="n@x.example", role="sales"),
        lambda org, vis: org.add_user("n", email=DEEP, role="sales"),
        lambda org, vis: vis.can_pull_reports("dist-a", DEEP),
        lambda org, vis: vis.can_pull_reports(DEEP, "dist-a"),
        lambda org, vis: vis.can_view_case("dist-a", DEEP),
        lambda org, vis: vis.can_view_case(DEEP, sample_cases()[0]),
    ],
)
def test_escape_3_deeply_nested_values_make_short_messages(call: Any) -> None:
    org = sample_org()
    with pytest.raises(bo.OrgError) as info:
        call(org, bo.Visibility(org))
    assert "[[[[...]]]]" in str(info.value)
    assert len(str(info.value)) < 200


@pytest.mark.parametrize("cases", [5, None, 3.5, object()])
def test_escape_4_cases_that_are_not_a_collection(cases: Any) -> None:
    vis = bo.Visibility(sample_org())
    for ask in (vis.visible_cases, vis.viewable):
        with pytest.raises(bo.InvalidValueError, match="'cases' must be an iterable of cases"):
            ask("dist-a", cases)


@pytest.mark.parametrize(
    "call",
    [
        lambda org: org.add_user("n", email=HUGE, role="sales"),
        lambda org: org.user(HUGE),
        lambda org: bo.from_dict({"version": HUGE}),
        lambda org: bo.from_dict({"version": 1, "users": [{**USER, "role": HUGE}]}),
        lambda org: bo.from_dict({"version": 1, HUGE: 1}),
        lambda org: bo.Visibility(org).can_view_case("dist-a", HUGE),
        lambda org: bo.case_from_dict({"id": "c", "representative": "u", HUGE: 1}),
    ],
)
def test_escape_5_huge_values_are_cut_in_messages(call: Any) -> None:
    with pytest.raises(bo.OrgError) as info:
        call(sample_org())
    assert len(str(info.value)) < 300
    assert "xxx...xxx" in str(info.value)


def test_escape_6_to_dict_of_none() -> None:
    with pytest.raises(bo.InvalidValueError, match=r"to_dict\(\) needs an Org \(got None\)"):
        bo.to_dict(None)  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match="needs a Bundle"):
        bo.bundle_to_dict(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", [True, 1.0, "1", [1]])
def test_escape_7_version_must_be_the_integer_1(version: Any) -> None:
    with pytest.raises(bo.InvalidDataError, match="version: expected 1"):
        bo.from_dict({"version": version})


def test_a_dict_passed_as_a_case_points_to_case_from_dict() -> None:
    vis = bo.Visibility(sample_org())
    with pytest.raises(bo.InvalidValueError, match=r"bo\.case_from_dict"):
        vis.can_view_case("dist-a", {"id": "c", "representative": "rep-a1"})


@pytest.mark.parametrize(
    ("build", "needle"),
    [
        (lambda: bo.from_dict(None), "(got None)"),
        (lambda: bo.from_dict({"version": 1, "users": None}), "users: must be a list (got None)"),
        (lambda: bo.from_dict({"version": 1, "users": [None]}), "(got None)"),
        (
            lambda: bo.bundle_from_dict({"version": 1, "items": None}),
            "items: must be a list (got None)",
        ),
        (lambda: bo.bundle_from_dict(None), "(got None)"),
    ],
)
def test_messages_say_got_none_not_nonetype(build: Any, needle: str) -> None:
    with pytest.raises(bo.InvalidDataError) as info:
        build()
    assert needle in str(info.value)
    assert "NoneType" not in str(info.value)


# --- the same on the command line, in a subprocess ------------------------------------------------


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "beacon_org", *args],
        capture_output=True,
        input=stdin,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("[" * 2_000 + "]" * 2_000, "nested too deeply"),
        ('{"version": ' + "9" * 4_301 + "}", "Python cannot read"),
        ('{"version": 1, "users": "' + "x" * 1_000_000 + '"}', "users: must be a list"),
        (json.dumps({"version": 1, "users": [{**USER, "role": "r" * 1_000_000}]}), "is not a role"),
        (json.dumps({"version": True}), "version: expected 1 (got True)"),
        (json.dumps({"version": 1.0}), "version: expected 1 (got 1.0)"),
        (
            json.dumps({"version": 1, "colour": 1}),
            "expected version, settings, regions, users, groups, cases, items",
        ),
    ],
)
@pytest.mark.parametrize("command", ["check", "explain", "diff", "lookup", "test"])
def test_bad_files_exit_2_with_one_short_line(
    tmp_path: Path, content: str, needle: str, command: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(SAMPLE))
    argv = {
        "check": ["check", str(path)],
        "explain": ["explain", str(path), "dist-a", "c-100"],
        "diff": ["diff", str(good), str(path)],
        "lookup": ["lookup", str(path), "--user", "dist-a"],
        "test": ["test", str(path), str(good)],
    }[command]
    done = run(*argv)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert done.stdout == b""
    assert err.count("\n") == 1
    assert len(err) <= MESSAGE_LIMIT + len("beacon-org: \n")
    assert needle in err
    assert "Traceback" not in err


def test_a_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(SAMPLE).encode())
    assert run("check", str(path)).returncode == 1  # the sample has one error finding
    assert run("check", "-", stdin=path.read_bytes()).returncode == 1


def test_diff_of_stdin_with_itself_says_so() -> None:
    done = run("diff", "-", "-", stdin=json.dumps(SAMPLE).encode())
    assert done.returncode == 2
    assert b"BEFORE and AFTER cannot both be '-'" in done.stderr


# --- fuzzing --------------------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["sales", "distributor", "rep-a1", "dist-a", "c-100", "2027-01-01", "@org"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
# Python callers may pass keys JSON cannot hold.
python_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10) | st.integers() | st.none(), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found += _paths(inner, (*path, i))
    return found


SAMPLE_PATHS = _paths(SAMPLE)


@st.composite
def mutated_bundles(draw: st.DrawFn, values: st.SearchStrategy[Any] = json_values) -> Any:
    """The sample bundle with one place replaced by a random value (or a random key added)."""
    data = json.loads(json.dumps(SAMPLE))
    path = draw(st.sampled_from(SAMPLE_PATHS))
    if not path:
        return draw(values)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and draw(st.booleans()):
        parent[draw(st.text(max_size=8))] = draw(values)  # an extra key beside the place
    else:
        parent[path[-1]] = draw(values)
    return data


class Seed:
    """A reproducer, shown by name: hypothesis cannot print a list nested 2,000 deep."""

    def __init__(self, name: str, value: Any) -> None:
        self.name, self.value = name, value

    def __repr__(self) -> str:
        return f"Seed({self.name!r})"


SEEDS = [
    Seed("version nested 2,000 deep", {"version": DEEP}),
    Seed("a user id nested 2,000 deep", {"version": 1, "users": [{**USER, "id": DEEP}]}),
    Seed("an int key in a user", {"version": 1, "users": [{**USER, 1: 2}]}),
    Seed("version True", {"version": True}),
    Seed("version 1.0", {"version": 1.0}),
    Seed("a 100,000-character email", {"version": 1, "users": [{**USER, "email": "x" * 100_000}]}),
    Seed("cases null", {"version": 1, "cases": None}),
    Seed("null", None),
]


def _outcome(build: Any) -> str:
    try:
        result = build()
    except bo.OrgError as exc:
        message = str(exc)
    else:
        return f"valid: {type(result).__name__}"
    assert len(message) < 2_000, message[:200]
    return "OrgError"


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.one_of(
        python_values,
        mutated_bundles(python_values),
        mutated_bundles(scalars),  # often still valid: a name, a flag, a facility changed
        st.just(SAMPLE),
    )
)
@example(SEEDS[0])
@example(SEEDS[1])
@example(SEEDS[2])
@example(SEEDS[3])
@example(SEEDS[4])
@example(SEEDS[5])
@example(SEEDS[6])
@example(SEEDS[7])
def test_from_dict_gives_an_org_or_an_org_error(data: Any) -> None:
    if isinstance(data, Seed):
        data = data.value
    event(f"from_dict -> {_outcome(lambda: bo.from_dict(data))}")
    outcome = _outcome(lambda: bo.bundle_from_dict(data))
    event(f"bundle_from_dict -> {outcome}")
    if outcome.startswith("valid"):
        bundle = bo.bundle_from_dict(data)
        assert bo.bundle_from_dict(json.loads(json.dumps(bo.bundle_to_dict(bundle)))) == bundle


COMMANDS = st.sampled_from(
    [
        ["check"],
        ["check", "--on", "2027-04-01"],
        ["explain", "{b}", "dist-a", "c-100"],
        ["explain", "{b}", "rep-a2", "screw-a-1", "--to", "rep-b1"],
        ["lookup", "{b}", "--user", "rep-a1"],
        ["lookup", "{b}", "--item", "drill-a1", "--json"],
        ["diff", "{good}", "{b}"],
        ["test", "{b}", "{good_expect}"],
        ["test", "{good}", "{b}"],
    ]
)
_FOLDER = Path(tempfile.mkdtemp(prefix="beacon-fuzz-"))
_GOOD = _FOLDER / "good.json"
_GOOD.write_text(json.dumps(SAMPLE))
_GOOD_EXPECT = _FOLDER / "expect.json"
_GOOD_EXPECT.write_text(
    json.dumps({"allowed": [{"user": "dist-a", "permission": "view_case", "object": "c-100"}]})
)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    COMMANDS,
    st.one_of(
        mutated_bundles().map(json.dumps),
        mutated_bundles(scalars).map(json.dumps),
        json_values.map(json.dumps),
        st.text(max_size=50),
        st.just("\ufeff" + json.dumps(SAMPLE)),
    ),
)
@example(["check"], "[" * 2_000 + "]" * 2_000)
@example(["check"], '{"version": ' + "9" * 4_301 + "}")
@example(["diff", "{good}", "{b}"], json.dumps({"version": True}))
@example(["check"], json.dumps({"version": 1, "users": [{**USER, "role": "r" * 100_000}]}))
def test_the_command_line_exits_0_1_or_2_and_never_fails_inside(
    argv: list[str], content: str
) -> None:
    path = _FOLDER / "input.json"
    path.write_text(content, encoding="utf-8")
    if argv == ["check"] or argv[0] == "check":
        args = [*argv, str(path)]
    else:
        args = [a.format(b=path, good=_GOOD, good_expect=_GOOD_EXPECT) for a in argv]
    out, err = io.StringIO(), io.StringIO()
    status = main(args, out=out, err=err)
    event(f"{args[0]} -> exit {status}")
    assert status in (0, 1, 2), err.getvalue()
    if status == 2:
        line = err.getvalue()
        assert line.startswith("beacon-org: ")
        assert line.count("\n") == 1
        assert len(line) <= MESSAGE_LIMIT + len("beacon-org: \n")
        assert out.getvalue() == ""
    else:
        assert err.getvalue() == ""
        assert out.getvalue()
