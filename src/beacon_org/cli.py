"""The ``beacon-org`` command: look at an org from the shell (``beacon-org demo`` uses the sample org).

Commands read a JSON *bundle*: the org in its data format plus optional ``cases`` and ``items``
(see ``docs/cli.md``). Each command is one ``_cmd_*`` function and one ``_add_*`` function that
declares its arguments, so a new command is two functions and a line in ``_parser``.

Exit status: 0 done, 1 the check found errors (``check``), expectations that do not hold
(``test``) or a difference (``diff --exit-code``), 2 bad input or usage, 3 an internal error;
2 and 3 always come with one line on stderr and never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn, TextIO, TypeVar

from ._bundle import Bundle
from ._cli_io import (
    EXIT_BAD_INPUT,
    EXIT_BROKEN_PIPE,
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    MESSAGE_LIMIT,
    WIDTH,
    _BadInput,
    _cut,
    _name,
    _Progress,
    _read_bundle,
    _write_json,
    _Writer,
)
from ._errors import OrgError, shown, type_name
from ._model import ORG_CUSTODY, Case, InventoryItem, Role
from ._org import Org
from .rules import (
    AccessDiff,
    Custody,
    Decision,
    Finding,
    Readiness,
    Severity,
    Visibility,
    check_setup,
    diff_access,
)
from .rules._setup import readiness_of_every_group

__all__ = ["main"]


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        msg = f"{shown(text)} is not a date in the form YYYY-MM-DD"
        raise argparse.ArgumentTypeError(msg) from None


_Row = TypeVar("_Row", Case, InventoryItem)


def _user(bundle: Bundle, user_id: str, path: str) -> str:
    if user_id not in bundle.org.users:
        msg = f"unknown user {shown(user_id)} in {_name(path)}"
        raise _BadInput(msg)
    return user_id


def _case(bundle: Bundle, case_id: str, path: str) -> Case:
    return _row(bundle.cases, "case", case_id, path)


def _item(bundle: Bundle, item_id: str, path: str) -> InventoryItem:
    return _row(bundle.items, "item", item_id, path)


def _row(rows: Sequence[_Row], kind: str, row_id: str, path: str) -> _Row:
    # The bundle's case or item with this id, or one line naming what is missing and where.
    row = next((r for r in rows if r.id == row_id), None)
    if row is None:
        msg = f"unknown {kind} {shown(row_id)} in {_name(path)}"
        raise _BadInput(msg)
    return row


# --- rendering ------------------------------------------------------------------------------------


def _label(org: Org, user_id: str) -> str:
    user = org.user(user_id)
    flags = user.status_flags
    region = f" [{user.region}]" if user.region else ""
    extra = f" ({', '.join(flags)})" if flags else ""
    return f"{user_id}{region}{extra}"


def render_structure(org: Org, out: TextIO) -> None:
    """Write the org's distributor groups, regions and back office as indented text."""
    w = _Writer(out)
    users = org.users
    w.line("Distributor groups")
    for distributor in sorted(org.distributors):
        shared = "shares inventory" if org.shares_inventory(distributor) else "does not share"
        w.line(f"  {_label(org, distributor)}: {shared}")
        reps = sorted(org.reps_of(distributor))
        for i, rep in enumerate(reps):
            branch = "└─" if i == len(reps) - 1 else "├─"
            w.line(f"    {branch} {_label(org, rep)}")
        if not reps:
            w.line("    (no reps)")
    solo = sorted(
        uid for uid, u in users.items() if u.role is Role.SALES and org.distributor_of(uid) is None
    )
    if solo:
        w.line(f"  reps in no group: {', '.join(_label(org, r) for r in solo)}")
    w.line()
    w.line("Regions")
    for region_id in sorted(org.regions):
        region = org.region(region_id)
        manager = region.manager or "no manager"
        states = ", ".join(sorted(region.states)) or "no states"
        members = ", ".join(sorted(org.region_members(region_id))) or "nobody"
        w.line(f"  {region_id} ({region.name or region_id}; {states}), managed by {manager}")
        w.line(f"    members: {members}")
    w.line()
    w.line("Organisation-wide and facility users")
    for uid in sorted(users):
        user = users[uid]
        if user.role.is_org_wide or user.role is Role.FACILITY_MANAGER:
            where = f" at {', '.join(sorted(user.facilities))}" if user.facilities else ""
            w.line(f"  {uid}: {user.role.value}{where}")


def _table(rows: Sequence[Sequence[str]], w: _Writer, indent: str = "  ") -> bool:
    """Write rows as aligned columns if they fit the width; return False (writing nothing) if not."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    if len(indent) + sum(widths) + 2 * (len(widths) - 1) > WIDTH:
        return False
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        w.line(f"{indent}{'  '.join(cells).rstrip()}")
    return True


def render_case_access(org: Org, cases: Iterable[Case], out: TextIO) -> None:
    """Write who may view and who may edit each case; back office, who sees every case, apart."""
    w = _Writer(out)
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
    w.line(f"Who sees which case (back office {', '.join(back_office)} sees every case)")
    if _table(rows, w):
        return
    # Too wide for one table: one block per case.
    for case_id, status, rep, sub_rep, viewers_text, editors_text in rows[1:]:
        sub = f", sub-rep {sub_rep}" if sub_rep else ""
        w.line(f"  {case_id} ({status}; representative {rep}{sub})")
        w.line(f"    can view: {viewers_text}")
        w.line(f"    can edit: {editors_text}")


def render_findings(findings: Sequence[Finding], out: TextIO, on: _dt.date | None = None) -> None:
    """Write findings one per line, errors first, and whether expiry was judged."""
    w = _Writer(out)
    counts = {s: sum(f.severity is s for f in findings) for s in Severity}
    summary = ", ".join(
        f"{n} {s.value}{'s' if n != 1 and s is not Severity.ADVICE else ''}"
        for s, n in counts.items()
    )
    w.line(f"Setup findings ({summary})")
    for f in findings:
        w.line(f"  {f.severity.value.upper():7} {f.code} [{f.subject}]: {f.message}", hang="  ")
    if not findings:
        w.line("  none: the setup follows the guide")
    if on is None:
        w.line("  expiry not judged: give --on DATE to report items expired before that day")
    else:
        w.line(f"  expiry judged on {on.isoformat()}")


def render_readiness(result: Readiness, out: TextIO) -> None:
    """Write one group's steps with a tick for each step done."""
    w = _Writer(out)
    state = "ready" if result.ready else "not ready"
    w.line(f"  {result.distributor}: {state}")
    for step in result.steps:
        mark = "x" if step.done else " "
        w.line(f"    [{mark}] {step.title}: {step.detail}", hang="    ")
    for advice in result.advice:
        w.line(f"    advice: {advice.message}", hang="    ")


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


def _decision_json(d: Decision) -> dict[str, Any]:
    return {
        "allowed": d.allowed,
        "reason": d.reason,
        "path": list(d.path),
        "suggestion": d.suggestion,
    }


def _write_decision(w: _Writer, action: str, d: Decision) -> None:
    verdict = "allowed" if d.allowed else "denied"
    w.line(f"{action}: {verdict} ({d.reason})")
    if d.path:
        w.line(f"  because: {' -> '.join(d.path)}")
    if not d.allowed and d.suggestion:
        w.line(f"  would be granted by: {d.suggestion}")


def _on_text(on: _dt.date | None) -> str:
    return f"on {on.isoformat()}" if on else "expiry not judged"


# --- commands -------------------------------------------------------------------------------------


def _cmd_demo(_args: argparse.Namespace, out: TextIO, _err: TextIO) -> int:
    from .testing import sample_cases, sample_items, sample_org

    org, cases, items = sample_org(), sample_cases(), sample_items()
    out.write(f"The sample org: {org!r}\n\n")
    render_structure(org, out)
    out.write("\n")
    render_case_access(org, cases, out)
    out.write("\n")
    findings = check_setup(org, items, cases=cases)
    render_findings(findings, out)
    out.write("\nReadiness of each distributor group\n")
    for result in readiness_of_every_group(org, items):
        render_readiness(result, out)
    return EXIT_OK


def _cmd_check(args: argparse.Namespace, out: TextIO, _err: TextIO) -> int:
    bundle = _read_bundle(args.bundle)
    org = bundle.org
    findings = check_setup(org, bundle.items, cases=bundle.cases, on=args.on)
    groups = readiness_of_every_group(org, bundle.items, on=args.on)
    count = {s: sum(f.severity is s for f in findings) for s in Severity}
    if args.format == "json":
        _write_json(
            out,
            {
                "on": args.on.isoformat() if args.on else None,
                "findings": [_finding_json(f) for f in findings],
                "readiness": [_readiness_json(r) for r in groups],
                "errors": count[Severity.ERROR],
                "warnings": count[Severity.WARNING],
                "advice": count[Severity.ADVICE],
            },
        )
    else:
        render_findings(findings, out, args.on)
        if groups:
            out.write("\nReadiness of each distributor group\n")
            for result in groups:
                render_readiness(result, out)
    return EXIT_FINDINGS if count[Severity.ERROR] else EXIT_OK


def _object(bundle: Bundle, ref: str, path: str) -> Case | InventoryItem:
    """A case or item named by ``ID``, ``case:ID`` or ``item:ID``."""
    kind, _, rest = ref.partition(":")
    if kind == "case" and rest:
        return _case(bundle, rest, path)
    if kind == "item" and rest:
        return _item(bundle, rest, path)
    case = next((c for c in bundle.cases if c.id == ref), None)
    item = next((i for i in bundle.items if i.id == ref), None)
    if case is not None and item is not None:
        msg = f"{shown(ref)} is both a case and an item in {_name(path)}: write case:{ref} or item:{ref}"
        raise _BadInput(msg)
    if case is None and item is None:
        msg = f"no case or item {shown(ref)} in {_name(path)}"
        raise _BadInput(msg)
    return case if case is not None else item  # type: ignore[return-value]


def _cmd_explain(args: argparse.Namespace, out: TextIO, _err: TextIO) -> int:
    bundle = _read_bundle(args.bundle)
    user = _user(bundle, args.user, args.bundle)
    if args.object == "create-case" and args.representative is not None:
        return _explain_create(args, bundle.org, out)
    if args.representative is not None or args.facility or args.sub_rep:
        msg = "REP, --facility and --sub-rep go with 'create-case': explain BUNDLE USER create-case REP"
        raise _BadInput(msg)
    target = _object(bundle, args.object, args.bundle)
    if isinstance(target, Case):
        if args.to is not None:
            msg = "--to names the recipient of an item: it does not apply to a case"
            raise _BadInput(msg)
        return _explain_case(bundle, user, target, args.format, out)
    if args.to is not None and args.to != ORG_CUSTODY:
        _user(bundle, args.to, args.bundle)
    return _explain_item(bundle, user, target, args, out)


def _explain_case(bundle: Bundle, user: str, case: Case, format: str, out: TextIO) -> int:
    vis = Visibility(bundle.org)
    decisions = {
        "view": vis.can_view_case(user, case),
        "edit": vis.can_edit_case(user, case),
        "reopen": vis.can_reopen_case(user, case),
    }
    if format == "json":
        report: dict[str, Any] = {"user": user, "case": case.id}
        report.update({k: _decision_json(d) for k, d in decisions.items()})
        _write_json(out, report)
        return EXIT_OK
    w = _Writer(out)
    for action, d in decisions.items():
        _write_decision(w, f"{action} {case.id} as {user}", d)
    return EXIT_OK


def _explain_create(args: argparse.Namespace, org: Org, out: TextIO) -> int:
    # explain BUNDLE USER create-case REP [--facility F] [--sub-rep S]
    rep = args.representative
    if rep not in org.users:
        msg = f"unknown user {shown(rep)} in {_name(args.bundle)}"
        raise _BadInput(msg)
    d = Visibility(org).can_create_case(
        args.user, rep, facility=args.facility, sub_rep=args.sub_rep
    )
    if args.format == "json":
        report = {"user": args.user, "representative": rep, "create_case": _decision_json(d)}
        _write_json(out, report)
        return EXIT_OK
    where = "".join(f" {k} {v}" for k, v in (("at", args.facility), ("with", args.sub_rep)) if v)
    verdict = "allowed" if d.allowed else "denied"
    out.write(f"create-case for {rep}{where} as {args.user}: {verdict} ({d.reason})\n")
    if d.path:
        out.write(f"  because: {' -> '.join(d.path)}\n")
    if not d.allowed and d.suggestion:
        out.write(f"  would be granted by: {d.suggestion}\n")
    return EXIT_OK


def _recipients(bundle: Bundle, custody: Custody, user: str, item: InventoryItem) -> list[str]:
    candidates = [ORG_CUSTODY, *sorted(bundle.org.users)]
    return [to for to in candidates if custody.can_transfer(user, item.id, to).allowed]


def _explain_item(
    bundle: Bundle, user: str, item: InventoryItem, args: argparse.Namespace, out: TextIO
) -> int:
    custody = Custody(bundle.org, bundle.items)
    use = custody.can_use(user, item.id, on=args.on)
    seen = item.id in custody.visible_inventory(user)
    view = Decision(allowed=seen, reason="visible-inventory" if seen else "not-visible")
    move = custody.can_transfer(user, item.id, args.to) if args.to is not None else None
    recipients = _recipients(bundle, custody, user, item) if move is None else None
    if args.format == "json":
        report: dict[str, Any] = {
            "user": user,
            "item": item.id,
            "on": args.on.isoformat() if args.on else None,
            "use": _decision_json(use),
            "view": _decision_json(view),
        }
        if move is not None:
            report["move"] = {"to": args.to, **_decision_json(move)}
        else:
            report["move_to"] = recipients
        _write_json(out, report)
        return EXIT_OK
    w = _Writer(out)
    _write_decision(w, f"use {item.id} as {user} ({_on_text(args.on)})", use)
    w.line(f"view {item.id} as {user}: {'allowed' if seen else 'denied'} ({view.reason})")
    if move is not None:
        _write_decision(w, f"move {item.id} to {args.to} as {user}", move)
    else:
        w.line(f"move {item.id} as {user}: to {', '.join(recipients or []) or 'nobody'}")
    return EXIT_OK


def _users_where(org: Org, err: TextIO, what: str, allowed: Callable[[str], bool]) -> list[str]:
    users = sorted(org.users)
    progress = _Progress(err, what, len(users))
    found = []
    for n, uid in enumerate(users, 1):
        if allowed(uid):
            found.append(uid)
        progress.step(n)
    progress.done()
    return found


def _cmd_lookup(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    bundle = _read_bundle(args.bundle)
    org = bundle.org
    if args.user is not None:
        report = _lookup_user(bundle, _user(bundle, args.user, args.bundle), args.on)
    elif args.case is not None:
        case = _case(bundle, args.case, args.bundle)
        vis = Visibility(org)
        viewers = sorted(vis.case_viewers(case))
        editors = [u for u in viewers if vis.can_edit_case(u, case)]
        report = {"case": case.id, "view_case": viewers, "edit_case": editors}
    else:
        item = _item(bundle, args.item, args.bundle)
        custody = Custody(org, bundle.items)
        report = {
            "item": item.id,
            "on": args.on.isoformat() if args.on else None,
            "use_item": _users_where(
                org, err, "users asked", lambda u: custody.can_use(u, item.id, on=args.on).allowed
            ),
            "view_item": _users_where(
                org, err, "users asked", lambda u: item.id in custody.visible_inventory(u)
            ),
        }
    if args.format == "json":
        _write_json(out, report)
        return EXIT_OK
    w = _Writer(out)
    subject = next(k for k in ("user", "case", "item") if k in report)
    when = f" ({_on_text(args.on)})" if subject != "case" else ""
    w.line(f"{subject} {report[subject]}{when}")
    for permission in ("view_case", "edit_case", "use_item", "view_item"):
        if permission in report:
            names = report[permission]
            w.line(f"  {permission} ({len(names)}): {', '.join(names) or '-'}", hang="  ")
    return EXIT_OK


def _lookup_user(bundle: Bundle, user: str, on: _dt.date | None) -> dict[str, Any]:
    vis = Visibility(bundle.org)
    custody = Custody(bundle.org, bundle.items)
    seen = vis.visible_cases(user, bundle.cases)
    return {
        "user": user,
        "on": on.isoformat() if on else None,
        "view_case": [c.id for c in seen],
        "edit_case": [c.id for c in seen if vis.can_edit_case(user, c).allowed],
        "use_item": sorted(custody.usable_inventory(user, on=on)),
        "view_item": sorted(custody.visible_inventory(user)),
    }


def _merged(before: Iterable[Any], after: Iterable[Any]) -> list[Any]:
    # The after bundle's version of a record wins; records only in the before bundle still count.
    by_id = {r.id: r for r in before}
    by_id.update((r.id, r) for r in after)
    return list(by_id.values())


def _cmd_diff(args: argparse.Namespace, out: TextIO, _err: TextIO) -> int:
    if args.before == "-" and args.after == "-":
        msg = (
            "BEFORE and AFTER cannot both be '-': stdin holds one bundle; give a file for the other"
        )
        raise _BadInput(msg)
    before, after = _read_bundle(args.before), _read_bundle(args.after)
    diff: AccessDiff = diff_access(
        before.org,
        after.org,
        cases=_merged(before.cases, after.cases),
        items=_merged(before.items, after.items),
    )
    lines = diff.changes()
    status = EXIT_FINDINGS if args.exit_code and lines else EXIT_OK
    if args.format == "json":
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
        _write_json(out, rows)
        return status
    w = _Writer(out)
    w.line(f"Access gained: {len(diff.gained)}, lost: {len(diff.lost)}")
    for line in lines:
        c = line.change
        cause = c.cause or "no single change alone: only the changes together"
        sign = "+" if line.gained else "-"
        w.line(f"  {sign} {c.user} {c.permission} {c.object} ({cause})", hang="    ")
    return status


def _cmd_export(args: argparse.Namespace, out: TextIO, _err: TextIO) -> int:
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


_EXIT_TEXT = (
    "Exit status: 0 done; 1 the check found errors ('check'), expectations failed ('test') or "
    "access changed ('diff --exit-code'); 2 bad input or usage (one line on stderr); 3 an "
    "internal error. See docs/cli.md."
)
_BUNDLE_HELP = "a JSON bundle: the org's data format plus optional cases and items ('-': stdin)"


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default) or json for scripts (keys in docs/cli.md)",
    )
    parser.add_argument(
        "--json", dest="format", action="store_const", const="json", help="same as --format json"
    )


def _add_on(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--on",
        type=_date,
        metavar="DATE",
        help=f"the day (YYYY-MM-DD) to judge expiry on: {what}; without it expiry is not judged",
    )


def _command(
    commands: Any, name: str, run: Callable[..., int], help: str, description: str
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=help, description=description, epilog=_EXIT_TEXT
    )
    parser.set_defaults(run=run)
    return parser


def _add_demo(commands: Any) -> None:
    _command(
        commands,
        "demo",
        _cmd_demo,
        "run on the built-in sample org",
        "Show the built-in sample org: its groups, who sees which case, its setup findings and "
        "each group's readiness.",
    )


def _add_check(commands: Any) -> None:
    check = _command(
        commands,
        "check",
        _cmd_check,
        "list setup findings; exit 1 if any is an error",
        "List every setup problem and piece of advice, and each distributor group's readiness. "
        "Exit status 1 when any finding is an error.",
    )
    check.add_argument("bundle", metavar="BUNDLE", help=_BUNDLE_HELP)
    _add_on(check, "items expired before it are reported and not counted as stock")
    _add_format(check)


def _add_explain(commands: Any) -> None:
    explain = _command(
        commands,
        "explain",
        _cmd_explain,
        "say whether a user may view, edit, reopen a case, or use, view, move an item, and why",
        "For a case: whether USER may view, edit and reopen it. For an item: whether USER may "
        "use it, view it, and move it (to --to RECIPIENT, or to whom). Each with the reason, the "
        "path through the org that grants it, or the change that would.",
    )
    explain.add_argument("bundle", metavar="BUNDLE", help=_BUNDLE_HELP)
    explain.add_argument("user", metavar="USER", help="the asking user's id")
    explain.add_argument(
        "object",
        metavar="CASE_OR_ITEM",
        help="the id of a case or item in the bundle (case:ID or item:ID when both exist)",
    )
    explain.add_argument(
        "representative",
        metavar="REP",
        nargs="?",
        help="with CASE_OR_ITEM 'create-case': may USER enter a new case for REP",
    )
    explain.add_argument(
        "--to", metavar="RECIPIENT", help=f"for an item: the user (or {ORG_CUSTODY}) to move it to"
    )
    explain.add_argument("--facility", help="create-case: the new case's facility")
    explain.add_argument("--sub-rep", dest="sub_rep", help="create-case: the new case's sub-rep")
    _add_on(explain, "for an item, use is judged on it")
    _add_format(explain)


def _add_lookup(commands: Any) -> None:
    lookup = _command(
        commands,
        "lookup",
        _cmd_lookup,
        "list what a user sees and may use, or who sees a case or may use an item",
        "With --user: the cases USER may view and edit and the items it may use and view. With "
        "--case: the users who may view and edit the case. With --item: the users who may use "
        "and view the item.",
    )
    lookup.add_argument("bundle", metavar="BUNDLE", help=_BUNDLE_HELP)
    which = lookup.add_mutually_exclusive_group(required=True)
    which.add_argument("--user", metavar="USER", help="what this user sees and may use")
    which.add_argument("--case", metavar="CASE_ID", help="who sees and edits this case")
    which.add_argument("--item", metavar="ITEM_ID", help="who may use and view this item")
    _add_on(lookup, "use of items is judged on it")
    _add_format(lookup)


def _add_test(commands: Any) -> None:
    from ._expectations import run_expectations_command

    test = _command(
        commands,
        "test",
        run_expectations_command,
        "check a file of expected answers against a bundle; exit 1 on any mismatch",
        "Check every expected allowed and denied answer and every expected lookup in "
        "EXPECTATIONS (JSON, or YAML with PyYAML installed; its JSON Schema: --schema) against "
        "BUNDLE, and report each that does not hold. Exit status 1 on any mismatch.",
    )
    test.add_argument("bundle", metavar="BUNDLE", nargs="?", help=_BUNDLE_HELP)
    test.add_argument(
        "expectations", metavar="EXPECTATIONS", nargs="?", help="the expectations file"
    )
    test.add_argument(
        "--schema", action="store_true", help="write the expectations file's JSON Schema and stop"
    )
    _add_format(test)


def _add_diff(commands: Any) -> None:
    diff = _command(
        commands,
        "diff",
        _cmd_diff,
        "list access gained and lost between two bundles",
        "List every view_case, edit_case, use_item and view_item access gained and lost from "
        "BEFORE to AFTER, each with the change that alone would cause it. Cases and items come "
        "from both bundles (AFTER's version wins).",
    )
    diff.add_argument("before", metavar="BEFORE", help=_BUNDLE_HELP)
    diff.add_argument("after", metavar="AFTER", help=_BUNDLE_HELP)
    diff.add_argument(
        "--exit-code", action="store_true", help="exit 1 when any access is gained or lost"
    )
    _add_format(diff)


def _add_export(commands: Any) -> None:
    export = _command(
        commands,
        "export",
        _cmd_export,
        "write the files SpiceDB, Cedar or OpenFGA loads",
        "Write what ENGINE loads for the bundle: spicedb (spicedb.yaml for zed import, "
        "schema.zed), cedar (policies, schema, entities.json) or openfga (model.fga, tuples.json, "
        "store.fga.yaml). Prints the paths written.",
    )
    export.add_argument("engine", metavar="ENGINE", choices=["spicedb", "cedar", "openfga"])
    export.add_argument("bundle", metavar="BUNDLE", help=_BUNDLE_HELP)
    export.add_argument("-o", "--output", default=".", metavar="DIR", help="folder (default: .)")


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(
        prog="beacon-org",
        description="Look at a Beacon organisation: its groups, who sees what, and its setup.",
        epilog=_EXIT_TEXT,
    )
    parser.add_argument("--version", action="version", version=f"beacon-org {__version__}")
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    for add in (
        _add_demo,
        _add_check,
        _add_explain,
        _add_lookup,
        _add_test,
        _add_diff,
        _add_export,
    ):
        add(commands)
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line; return the exit status (0 done, 1 findings, 2 bad input, 3 internal).

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
        status: int = args.run(args, out, err)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except (_BadInput, OrgError) as exc:
        # OrgError: bad input the bundle checks let through (an id the rules refuse, say).
        err.write(f"beacon-org: {_cut(str(exc))}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (`beacon-org check x.json | head`): stop quietly, as a shell
        # reports a process ended by SIGPIPE, instead of a traceback when Python flushes.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        err.write("beacon-org: interrupted\n")
        return 130
    except Exception as exc:  # never a traceback: one line that says it is our fault
        text = _cut(f"{type_name(exc)}: {exc}", MESSAGE_LIMIT - 80)
        err.write(f"beacon-org: internal error ({text}); please report it with the command\n")
        return EXIT_INTERNAL
    return status
