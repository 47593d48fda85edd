"""``beacon-org test``: a file of expected answers, checked against a bundle, for a team's CI.

The file (JSON, or YAML when PyYAML is installed) lists answers that must be ``allowed``, answers
that must be ``denied`` and exact ``lookups``; its JSON Schema is ``expectations.schema.json``
beside this module (``beacon-org test --schema``). Reading files is the command line's job, so
this module belongs to it and is not part of the library's pure core.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any, TextIO

import attrs

from ._bundle import Bundle
from ._cli_io import (
    EXIT_FINDINGS,
    EXIT_OK,
    _BadInput,
    _name,
    _parse_json,
    _Progress,
    _read_bundle,
    _read_text,
    _write_json,
    _Writer,
)
from ._errors import InvalidDataError, shown, type_name
from ._model import ORG_CUSTODY
from .rules import Custody, Decision, Visibility

__all__ = ["CHECK_PERMISSIONS", "LOOKUP_PERMISSIONS", "run_expectations_command", "schema"]

#: What ``allowed`` and ``denied`` entries may ask.
CHECK_PERMISSIONS = (
    "view_case",
    "edit_case",
    "reopen_case",
    "use_item",
    "view_item",
    "move_item",
    "pull_reports",
)
#: What ``lookups`` may list.
LOOKUP_PERMISSIONS = ("view_case", "edit_case", "use_item", "view_item")
_TOP = ("$schema", "description", "on", "allowed", "denied", "lookups")


def schema() -> dict[str, Any]:
    """The expectations file's JSON Schema (draft 2020-12), as shipped with the package."""
    text = resources.files("beacon_org").joinpath("expectations.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@attrs.frozen
class Check:
    where: str
    expect: bool
    user: str
    permission: str
    object: str
    to: str | None = None


@attrs.frozen
class Lookup:
    where: str
    permission: str
    user: str | None
    object: str | None
    expected: frozenset[str]


@attrs.frozen
class Expectations:
    on: _dt.date | None
    checks: tuple[Check, ...]
    lookups: tuple[Lookup, ...]

    def __len__(self) -> int:
        return len(self.checks) + len(self.lookups)


# --- reading the file -----------------------------------------------------------------------------


def _load(path: str) -> Any:
    name = _name(path)
    text = _read_text(path)
    if not path.lower().endswith((".yaml", ".yml")):
        return _parse_json(text, name)
    try:
        import yaml  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        msg = f"{name} is YAML, which needs PyYAML: pip install PyYAML (or write the file as JSON)"
        raise _BadInput(msg) from None
    try:
        return yaml.load(text, Loader=_yaml_loader(yaml))  # a SafeLoader: no objects built
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be read"
        msg = f"{name} is not valid YAML: {problem}{where}"
        raise _BadInput(msg) from None
    except RecursionError:
        msg = f"{name} is nested too deeply to read"
        raise _BadInput(msg) from None


def _yaml_loader(yaml: Any) -> Any:
    """PyYAML's safe loader with YAML 1.2 booleans: ``on``, ``yes`` and ``no`` stay strings."""

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        pass

    bool_tag = "tag:yaml.org,2002:bool"
    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != bool_tag]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Loader.add_implicit_resolver(
        bool_tag, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )
    return Loader


def _fail(where: str, message: str) -> InvalidDataError:
    return InvalidDataError(f"{where}: {message}")


def _id(row: Mapping[Any, Any], key: str, where: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value:
        raise _fail(f"{where}.{key}", f"must be a non-empty string id (got {shown(value)})")
    return value


def _fields(row: Any, where: str, allowed: tuple[str, ...]) -> Mapping[Any, Any]:
    if not isinstance(row, Mapping):
        raise _fail(where, f"must be an object (got {type_name(row)})")
    extra = [k for k in row if k not in allowed]
    if extra:
        names = ", ".join(shown(k) for k in extra[:5])
        raise _fail(where, f"unknown field(s) {names}; expected {', '.join(allowed)}")
    return row


def _permission(row: Mapping[Any, Any], where: str, choices: tuple[str, ...]) -> str:
    value = row.get("permission")
    if value not in choices:
        raise _fail(f"{where}.permission", f"{shown(value)} is not one of {', '.join(choices)}")
    return str(value)


def _list(data: Mapping[Any, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise _fail(key, f"must be a list (got {type_name(value)})")
    return value


def _on(value: Any) -> _dt.date | None:
    if value is None:
        return None
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value  # YAML reads an unquoted 2027-01-01 as a date
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail("on", f"{shown(value)} is not a date in the form YYYY-MM-DD")


def parse_expectations(data: Any) -> Expectations:
    """Check an expectations file's data and return it as records; raise naming where it is wrong."""
    data = _fields(data, "expectations", _TOP)
    checks: list[Check] = []
    for key, expect in (("allowed", True), ("denied", False)):
        for i, row in enumerate(_list(data, key)):
            where = f"{key}[{i}]"
            row = _fields(row, where, ("user", "permission", "object", "to"))
            permission = _permission(row, where, CHECK_PERMISSIONS)
            to = None
            if permission == "move_item":
                to = _id(row, "to", where)
            elif "to" in row:
                raise _fail(f"{where}.to", "only move_item takes a recipient")
            checks.append(
                Check(
                    where,
                    expect,
                    _id(row, "user", where),
                    permission,
                    _id(row, "object", where),
                    to,
                )
            )
    lookups: list[Lookup] = []
    for i, row in enumerate(_list(data, "lookups")):
        where = f"lookups[{i}]"
        if isinstance(row, Mapping) and "user" in row:
            row = _fields(row, where, ("user", "permission", "objects"))
            user, obj, key = _id(row, "user", where), None, "objects"
        else:
            row = _fields(row, where, ("object", "permission", "users"))
            user, obj, key = None, _id(row, "object", where), "users"
        permission = _permission(row, where, LOOKUP_PERMISSIONS)
        names = row.get(key)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise _fail(f"{where}.{key}", f"must be a list of string ids (got {shown(names)})")
        lookups.append(Lookup(where, permission, user, obj, frozenset(names)))
    return Expectations(_on(data.get("on")), tuple(checks), tuple(lookups))


# --- checking -------------------------------------------------------------------------------------


class _Answers:
    """The bundle's answers to the questions an expectations file may ask."""

    def __init__(self, bundle: Bundle, on: _dt.date | None) -> None:
        self.bundle, self.on = bundle, on
        self.vis = Visibility(bundle.org)
        self.custody = Custody(bundle.org, bundle.items)
        self.cases = {c.id: c for c in bundle.cases}
        self.items = {i.id: i for i in bundle.items}

    def _known(self, where: str, key: str, value: str, table: Mapping[str, Any], what: str) -> None:
        if value not in table:
            raise _fail(f"{where}.{key}", f"unknown {what} {shown(value)} in the bundle")

    def _object_kind(self, permission: str) -> tuple[Mapping[str, Any], str]:
        if permission.endswith("_case"):
            return self.cases, "case"
        if permission.endswith("_item"):
            return self.items, "item"
        return self.bundle.org.users, "user"

    def decide(self, check: Check) -> Decision:
        users = self.bundle.org.users
        self._known(check.where, "user", check.user, users, "user")
        table, what = self._object_kind(check.permission)
        self._known(check.where, "object", check.object, table, what)
        user, obj, vis, custody = check.user, check.object, self.vis, self.custody
        if check.permission == "view_case":
            return vis.can_view_case(user, self.cases[obj])
        if check.permission == "edit_case":
            return vis.can_edit_case(user, self.cases[obj])
        if check.permission == "reopen_case":
            return vis.can_reopen_case(user, self.cases[obj])
        if check.permission == "use_item":
            return custody.can_use(user, obj, on=self.on)
        if check.permission == "view_item":
            seen = obj in custody.visible_inventory(user)
            return Decision(allowed=seen, reason="visible-inventory" if seen else "not-visible")
        if check.permission == "move_item":
            assert check.to is not None  # parse_expectations requires it
            if check.to != ORG_CUSTODY:
                self._known(check.where, "to", check.to, users, "user")
            return custody.can_transfer(user, obj, check.to)
        return vis.can_pull_reports(user, obj)

    def lookup(self, lookup: Lookup) -> frozenset[str]:
        permission, vis, custody = lookup.permission, self.vis, self.custody
        if lookup.user is not None:
            user = lookup.user
            self._known(lookup.where, "user", user, self.bundle.org.users, "user")
            if permission == "view_case":
                return frozenset(c.id for c in vis.visible_cases(user, self.bundle.cases))
            if permission == "edit_case":
                return frozenset(
                    c.id for c in self.bundle.cases if vis.can_edit_case(user, c).allowed
                )
            if permission == "use_item":
                return custody.usable_inventory(user, on=self.on)
            return custody.visible_inventory(user)
        assert lookup.object is not None
        obj = lookup.object
        table, what = self._object_kind(permission)
        self._known(lookup.where, "object", obj, table, what)
        if permission == "view_case":
            return vis.case_viewers(self.cases[obj])
        users = self.bundle.org.users
        allowed: Callable[[str], bool]
        if permission == "edit_case":
            case = self.cases[obj]
            allowed = lambda u: vis.can_edit_case(u, case).allowed  # noqa: E731
        elif permission == "use_item":
            allowed = lambda u: custody.can_use(u, obj, on=self.on).allowed  # noqa: E731
        else:
            allowed = lambda u: obj in custody.visible_inventory(u)  # noqa: E731
        return frozenset(u for u in users if allowed(u))


def check_expectations(
    bundle: Bundle, expectations: Expectations, progress: _Progress | None = None
) -> list[dict[str, Any]]:
    """Every expectation with its outcome, as the JSON report's ``results`` rows."""
    answers = _Answers(bundle, expectations.on)
    results: list[dict[str, Any]] = []
    for check in expectations.checks:
        decision = answers.decide(check)
        row: dict[str, Any] = {
            "where": check.where,
            "kind": "allowed" if check.expect else "denied",
            "user": check.user,
            "permission": check.permission,
            "object": check.object,
            "ok": decision.allowed is check.expect,
            "allowed": decision.allowed,
            "reason": decision.reason,
            "path": list(decision.path),
        }
        if check.to is not None:
            row["to"] = check.to
        results.append(row)
        if progress is not None:
            progress.step(len(results))
    for lookup in expectations.lookups:
        got = answers.lookup(lookup)
        missing = sorted(lookup.expected - got)
        unexpected = sorted(got - lookup.expected)
        results.append(
            {
                "where": lookup.where,
                "kind": "lookup",
                "user": lookup.user,
                "object": lookup.object,
                "permission": lookup.permission,
                "ok": not missing and not unexpected,
                "missing": missing,
                "unexpected": unexpected,
            }
        )
        if progress is not None:
            progress.step(len(results))
    return results


def _describe(row: Mapping[str, Any]) -> str:
    if row["kind"] == "lookup":
        subject = (
            f"{row['user']} {row['permission']}"
            if row["user"]
            else (f"who {row['permission']} {row['object']}")
        )
        parts = []
        if row["missing"]:
            parts.append(f"missing {', '.join(row['missing'])}")
        if row["unexpected"]:
            parts.append(f"unexpected {', '.join(row['unexpected'])}")
        return f"{row['where']}: {subject}: {'; '.join(parts)}"
    to = f" to {row['to']}" if "to" in row else ""
    got = "allowed" if row["allowed"] else "denied"
    because = f" via {' -> '.join(row['path'])}" if row["path"] else ""
    return (
        f"{row['where']}: {row['user']} {row['permission']} {row['object']}{to}: expected "
        f"{row['kind']}, got {got} ({row['reason']}){because}"
    )


def _short(path: str) -> str:
    return "stdin" if path == "-" else os.path.basename(path)


def run_expectations_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``beacon-org test BUNDLE EXPECTATIONS``: exit 0 when every expectation holds, else 1."""
    if args.schema:
        _write_json(out, schema())
        return EXIT_OK
    if args.bundle is None or args.expectations is None:
        msg = "the following arguments are required: BUNDLE, EXPECTATIONS (see 'beacon-org test --help')"
        raise _BadInput(msg)
    if args.bundle == "-" and args.expectations == "-":
        msg = "BUNDLE and EXPECTATIONS cannot both be '-': stdin holds one file"
        raise _BadInput(msg)
    bundle = _read_bundle(args.bundle)
    name = _name(args.expectations)
    try:
        expectations = parse_expectations(_load(args.expectations))
        progress = _Progress(err, "expectations checked", len(expectations))
        results = check_expectations(bundle, expectations, progress)
        progress.done()
    except InvalidDataError as exc:
        msg = f"{name}: {exc}"
        raise _BadInput(msg) from None
    failed = [r for r in results if not r["ok"]]
    on = expectations.on
    if args.format == "json":
        _write_json(
            out,
            {
                "on": on.isoformat() if on else None,
                "total": len(results),
                "failed": len(failed),
                "results": results,
            },
        )
    else:
        w = _Writer(out)
        when = f"use judged on {on.isoformat()}" if on else "expiry not judged"
        files = f"{_short(args.expectations)} against {_short(args.bundle)}"
        w.line(f"Expectations in {files} ({when})")
        for row in failed:
            w.line(f"  FAIL {_describe(row)}", hang="    ")
        verdict = "all hold" if not failed else f"{len(failed)} failed"
        w.line(f"{len(results)} expectation(s): {verdict}")
    return EXIT_FINDINGS if failed else EXIT_OK
