"""The ``beacon-org`` command: look at an org from the shell (``beacon-org demo`` uses the sample org)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from ._model import Role
from ._org import Org

__all__ = ["main"]


def _label(org: Org, user_id: str) -> str:
    user = org.user(user_id)
    flags = []
    if not user.active:
        flags.append("deactivated")
    elif user.locked:
        flags.append("locked")
    if user.custodian_only:
        flags.append("custodian-only")
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


def _demo(_args: argparse.Namespace, out: TextIO) -> int:
    from .testing import sample_org

    org = sample_org()
    out.write(f"The sample org: {org!r}\n\n")
    render_structure(org, out)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="beacon-org",
        description="Look at a Beacon organisation: its groups, who sees what, and its setup.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo = commands.add_parser(
        "demo", help="run on the built-in sample org", description="Show the built-in sample org."
    )
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 findings with errors, 2 bad input)."""
    args = _parser().parse_args(argv)
    status: int = args.run(args, out or sys.stdout)
    return status
