"""The ``beacon-org`` command: look at an org from the shell (``beacon-org demo`` uses the sample org).

Commands read a JSON *bundle*: the org in its data format plus optional ``cases`` and ``items``
(see ``docs/cli.md``). Exit status: 0 done, 1 ``check`` found errors, 2 bad input (a missing or
broken file, an unknown id, bad arguments), always with one line on stderr and never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn, TextIO

from ._bundle import Bundle, bundle_from_dict
from ._errors import OrgError
from ._model import Case, Role
from ._org import Org
from .rules import (
    AccessDiff,
    Decision,
    Finding,
    Readiness,
    Severity,
    Visibility,
    check_setup,
    diff_access,
    readiness,
)

__all__ = ["main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_BROKEN_PIPE = 141


class _BadInput(Exception):
    """Input the command cannot use: reported as one line on stderr, exit status 2."""


def _label(org: Org, user_id: str) -> str:
    user = org.user(user_id)
    flags = user.status_flags
    region = f" [{user.region}]" if user.region else ""
    extra = f" ({', '.join(flags)})" if flags else ""
    return f"{user_id}{region}{extra}"


def render_structure(org: Org, out: TextIO) -> None:
    """Write the org's distributor groups, regions and back office as indented text."""
    users = org.users
    out.write("Distributor groups\n")
    for distributor in sorted(org.distributors):
        shared = "shares inventory" if org.shares_inventory(distributor) else "does not share"
        out.write(f"  {_label(org, distributor)}: {shared}\n")
        reps = sorted(org.reps_of(distributor))
        for i, rep in enumerate(reps):
            branch = "└─" if i == len(reps) - 1 else "├─"
            out.write(f"    {branch} {_label(org, rep)}\n")
        if not reps:
            out.write("    (no reps)\n")
    solo = sorted(
        uid for uid, u in users.items() if u.role is Role.SALES and org.distributor_of(uid) is None
    )
    if solo:
        out.write(f"  reps in no group: {', '.join(_label(org, r) for r in solo)}\n")
    out.write("\nRegions\n")
    for region_id in sorted(org.regions):
        region = org.region(region_id)
        manager = region.manager or "no manager"
        states = ", ".join(sorted(region.states)) or "no states"
        members = ", ".join(sorted(org.region_members(region_id))) or "nobody"
        out.write(f"  {region_id} ({region.name or region_id}; {states}), managed by {manager}\n")
        out.write(f"    members: {members}\n")
    out.write("\nOrganisation-wide and facility users\n")
    for uid in sorted(users):
        user = users[uid]
        if user.role.is_org_wide or user.role is Role.FACILITY_MANAGER:
            where = f" at {', '.join(sorted(user.facilities))}" if user.facilities else ""
            out.write(f"  {uid}: {user.role.value}{where}\n")


def _table(rows: Sequence[Sequence[str]], out: TextIO, indent: str = "  ") -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        out.write(f"{indent}{'  '.join(cells).rstrip()}\n")


def render_case_access(org: Org, cases: Iterable[Case], out: TextIO) -> None:
    """Write who may view and who may edit each case; back office, who sees every case, apart."""
    vis = Visibility(org)
    back_office = sorted(uid for uid, u in org.users.items() if u.role.is_org_wide and u.active)
    rows = [["case", "status", "representative", "sub-rep", "can view", "can edit"]]
    for case in cases:
        viewers = sorted(u for u in vis.case_viewers(case) if u not in back_office)
        editors = [u for u in viewers if vis.can_edit_case(u, case)]
        rows.append(
            [
                case.id,
                case.status.value,
                case.representative,
                case.sub_rep or "",
                ", ".join(viewers) or "-",
                ", ".join(editors) or "-",
            ]
        )
    out.write(f"Who sees which case (back office {', '.join(back_office)} sees every case)\n")
    _table(rows, out)


def render_findings(findings: Sequence[Finding], out: TextIO) -> None:
    """Write findings one per line, errors first."""
    counts = {s: sum(f.severity is s for f in findings) for s in Severity}
    summary = ", ".join(
        f"{n} {s.value}{'s' if n != 1 and s is not Severity.ADVICE else ''}"
        for s, n in counts.items()
    )
    out.write(f"Setup findings ({summary})\n")
    for f in findings:
        out.write(f"  {f.severity.value.upper():7} {f.code} [{f.subject}]: {f.message}\n")
    if not findings:
        out.write("  none: the setup follows the guide\n")


def render_readiness(result: Readiness, out: TextIO) -> None:
    """Write one group's steps with a tick for each step done."""
    state = "ready" if result.ready else "not ready"
    out.write(f"  {result.distributor}: {state}\n")
    for step in result.steps:
        mark = "x" if step.done else " "
        out.write(f"    [{mark}] {step.title}: {step.detail}\n")
    for advice in result.advice:
        out.write(f"    advice: {advice.message}\n")


def _readiness_all(org: Org, items: Iterable[Any]) -> list[Readiness]:
    items = list(items)
    return [readiness(org, d, items) for d in sorted(org.distributors)]


# --- commands -------------------------------------------------------------------------------------


def _demo(_args: argparse.Namespace, out: TextIO) -> int:
    from .testing import sample_cases, sample_items, sample_org

    org, cases, items = sample_org(), sample_cases(), sample_items()
    out.write(f"The sample org: {org!r}\n\n")
    render_structure(org, out)
    out.write("\n")
    render_case_access(org, cases, out)
    out.write("\n")
    render_findings(check_setup(org, items, cases=cases), out)
    out.write("\nReadiness of each distributor group\n")
    for result in _readiness_all(org, items):
        render_readiness(result, out)
    return EXIT_OK


def _read_bundle(path: str) -> Bundle:
    name = "stdin" if path == "-" else repr(path)
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as exc:
        msg = f"cannot read {name}: {exc.strerror or exc}"
        raise _BadInput(msg) from None
    except UnicodeDecodeError:
        msg = f"{name} is not UTF-8 text"
        raise _BadInput(msg) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise _BadInput(msg) from None
    try:
        return bundle_from_dict(data)
    except OrgError as exc:
        msg = f"{name}: {exc}"
        raise _BadInput(msg) from None


def _finding_json(f: Finding) -> dict[str, str]:
    return {
        "code": f.code,
        "severity": f.severity.value,
        "subject": f.subject,
        "message": f.message,
    }


def _readiness_json(r: Readiness) -> dict[str, Any]:
    return {
        "distributor": r.distributor,
        "ready": r.ready,
        "steps": [{"name": s.name, "done": s.done, "detail": s.detail} for s in r.steps],
        "advice": [_finding_json(f) for f in r.advice],
    }


def _check(args: argparse.Namespace, out: TextIO) -> int:
    bundle = _read_bundle(args.bundle)
    org = bundle.org
    findings = check_setup(org, bundle.items, cases=bundle.cases)
    groups = _readiness_all(org, bundle.items)
    errors = any(f.severity is Severity.ERROR for f in findings)
    if args.json:
        report = {
            "findings": [_finding_json(f) for f in findings],
            "readiness": [_readiness_json(r) for r in groups],
            "errors": sum(f.severity is Severity.ERROR for f in findings),
        }
        out.write(json.dumps(report, indent=2) + "\n")
    else:
        render_findings(findings, out)
        if groups:
            out.write("\nReadiness of each distributor group\n")
            for result in groups:
                render_readiness(result, out)
    return EXIT_FINDINGS if errors else EXIT_OK


def _decision_json(d: Decision) -> dict[str, Any]:
    return {
        "allowed": d.allowed,
        "reason": d.reason,
        "path": list(d.path),
        "suggestion": d.suggestion,
    }


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    bundle = _read_bundle(args.bundle)
    org = bundle.org
    if args.user not in org.users:
        msg = f"unknown user {args.user!r} in {args.bundle!r}"
        raise _BadInput(msg)
    case = next((c for c in bundle.cases if c.id == args.case_id), None)
    if case is None:
        msg = f"unknown case {args.case_id!r} in {args.bundle!r}"
        raise _BadInput(msg)
    vis = Visibility(org)
    decisions = {
        "view": vis.can_view_case(args.user, case),
        "edit": vis.can_edit_case(args.user, case),
        "reopen": vis.can_reopen_case(args.user, case),
    }
    if args.json:
        report = {"user": args.user, "case": case.id}
        report.update({k: _decision_json(d) for k, d in decisions.items()})
        out.write(json.dumps(report, indent=2) + "\n")
        return EXIT_OK
    for action, d in decisions.items():
        verdict = "allowed" if d.allowed else "denied"
        out.write(f"{action} {case.id} as {args.user}: {verdict} ({d.reason})\n")
        if d.path:
            out.write(f"  because: {' -> '.join(d.path)}\n")
        if not d.allowed and d.suggestion:
            out.write(f"  would be granted by: {d.suggestion}\n")
    return EXIT_OK


def _merged(before: Iterable[Any], after: Iterable[Any]) -> list[Any]:
    # The after bundle's version of a record wins; records only in the before bundle still count.
    by_id = {r.id: r for r in before}
    by_id.update((r.id, r) for r in after)
    return list(by_id.values())


def _diff(args: argparse.Namespace, out: TextIO) -> int:
    before, after = _read_bundle(args.before), _read_bundle(args.after)
    diff: AccessDiff = diff_access(
        before.org,
        after.org,
        cases=_merged(before.cases, after.cases),
        items=_merged(before.items, after.items),
    )
    lines = diff.changes()
    if args.json:
        rows = [
            {
                "change": "gained" if line.gained else "lost",
                "user": line.change.user,
                "permission": line.change.permission,
                "object": line.change.object,
                "cause": line.change.cause,
            }
            for line in lines
        ]
        out.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    out.write(f"Access gained: {len(diff.gained)}, lost: {len(diff.lost)}\n")
    for line in lines:
        out.write(f"  {line}\n")
    return EXIT_OK


def _export(args: argparse.Namespace, out: TextIO) -> int:
    from .export import write_export

    bundle = _read_bundle(args.bundle)
    try:
        paths = write_export(
            args.engine, bundle.org, bundle.cases, bundle.items, directory=args.output
        )
    except OSError as exc:
        msg = f"cannot write to {args.output!r}: {exc.strerror or exc}"
        raise _BadInput(msg) from None
    for path in paths:
        out.write(f"{path}\n")
    return EXIT_OK


# --- the parser -----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    # argparse prints its usage and exits on a bad argument; say it in one line instead.
    def error(self, message: str) -> NoReturn:
        msg = f"{message} (see '{self.prog} --help')"
        raise _BadInput(msg)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="beacon-org",
        description="Look at a Beacon organisation: its groups, who sees what, and its setup.",
        epilog="Exit status: 0 done, 1 'check' found errors, 2 bad input. See docs/cli.md.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo = commands.add_parser(
        "demo",
        help="run on the built-in sample org",
        description="Show the built-in sample org: its groups, who sees which case, its setup "
        "findings and each group's readiness.",
    )
    demo.set_defaults(run=_demo)

    bundle_help = "a JSON bundle: the org's data format plus optional cases and items ('-': stdin)"
    check = commands.add_parser(
        "check",
        help="list setup findings; exit 1 if any is an error",
        description="List every setup problem and piece of advice, and each distributor "
        "group's readiness. Exit status 1 when any finding is an error.",
    )
    check.add_argument("bundle", metavar="BUNDLE", help=bundle_help)
    check.add_argument("--json", action="store_true", help="write JSON for machines")
    check.set_defaults(run=_check)

    explain = commands.add_parser(
        "explain",
        help="say whether a user may view, edit and reopen a case, and why",
        description="Say whether USER may view, edit and reopen case CASE_ID, with the reason, "
        "the path through the org that grants it, or the change that would.",
    )
    explain.add_argument("bundle", metavar="BUNDLE", help=bundle_help)
    explain.add_argument("user", metavar="USER", help="the asking user's id")
    explain.add_argument("case_id", metavar="CASE_ID", help="the id of a case in the bundle")
    explain.add_argument("--json", action="store_true", help="write JSON for machines")
    explain.set_defaults(run=_explain)

    diff = commands.add_parser(
        "diff",
        help="list access gained and lost between two bundles",
        description="List every view_case, edit_case, use_item and view_item access gained and "
        "lost from BEFORE to AFTER, with the change that caused it. Cases and items come from "
        "both bundles (AFTER's version wins).",
    )
    diff.add_argument("before", metavar="BEFORE", help=bundle_help)
    diff.add_argument("after", metavar="AFTER", help=bundle_help)
    diff.add_argument("--json", action="store_true", help="write JSON for machines")
    diff.set_defaults(run=_diff)
    export = commands.add_parser(
        "export",
        help="write the files SpiceDB, Cedar or OpenFGA loads",
        description="Write what ENGINE loads for the bundle: spicedb (spicedb.yaml for zed "
        "import, schema.zed), cedar (policies, schema, entities.json) or openfga (model.fga, "
        "tuples.json, store.fga.yaml). Prints the paths written.",
    )
    export.add_argument("engine", metavar="ENGINE", choices=["spicedb", "cedar", "openfga"])
    export.add_argument("bundle", metavar="BUNDLE", help=bundle_help)
    export.add_argument("-o", "--output", default=".", metavar="DIR", help="folder (default: .)")
    export.set_defaults(run=_export)
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line; return the exit status (0 done, 1 ``check`` found errors, 2 bad input).

    Examples
    --------
    >>> import io
    >>> from beacon_org.cli import main
    >>> err = io.StringIO()
    >>> main(["check", "no-such-file.json"], err=err)
    2
    >>> print(err.getvalue(), end="")
    beacon-org: cannot read 'no-such-file.json': No such file or directory
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = _parser().parse_args(argv)
        status: int = args.run(args, out)
    except _BadInput as exc:
        err.write(f"beacon-org: {exc}\n")
        return EXIT_BAD_INPUT
    except OrgError as exc:
        # Bad input the bundle checks let through (an id the rules refuse, say): still one line.
        err.write(f"beacon-org: {exc}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (`beacon-org check x.json | head`): stop quietly, as a shell
        # reports a process ended by SIGPIPE, instead of a traceback when Python flushes.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return status
