"""The benchmark's data: an org built from orgdata.org_data, its cases and items, and the questions.

Every engine in benchmarks/run.py answers the same questions on the same org, cases and items.
Some users are made locked, deactivated or custodian-only so that every rule, grants and
denials, is exercised; cases get sub-reps, facilities and closed statuses; items sit with reps,
distributors (half of them share) and the organisation's own custody, some inactive.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import Any

import attrs
from orgdata import org_data

import beacon_org as bo


@attrs.frozen
class Workload:
    """An org, its cases and items, and (user, case) / (user, item) questions about them."""

    org: bo.Org
    cases: tuple[bo.Case, ...]
    items: tuple[bo.InventoryItem, ...]
    case_questions: tuple[tuple[str, bo.Case], ...]
    item_questions: tuple[tuple[str, str], ...]


def bench_org(users: int, *, seed: int = 7) -> bo.Org:
    """An org of ``users`` users (a group per 100, a region per 200), with a few odd accounts.

    About 1% of the reps are locked (Training Complete not checked), 1% deactivated and 1%
    custodian-only, so the decisions meet every account state.
    """
    data = org_data(users=users, distributors=max(1, users // 100), regions=max(1, users // 200))
    rng = random.Random(seed)
    for row in data["users"]:
        if row["role"] != "sales":
            continue
        draw = rng.random()
        if draw < 0.01:
            row["training_complete"] = False
        elif draw < 0.02:
            row["active"] = False
        elif draw < 0.03:
            row["custodian_only"] = True
    return bo.from_dict(data)


def field_users(org: bo.Org) -> list[str]:
    """The sales and distributor users, sorted: the ones that carry cases and hold items."""
    return sorted(u for u, user in org.users.items() if user.role.has_region)


def make_cases(org: bo.Org, count: int, *, seed: int = 11, prefix: str = "c") -> list[bo.Case]:
    """``count`` cases of field users; 30% with a sub-rep of the same group, every status."""
    rng = random.Random(seed)
    field = field_users(org)
    statuses = list(bo.CaseStatus)
    mates: dict[str, list[str]] = {}
    cases = []
    for i in range(count):
        rep = rng.choice(field)
        if rep not in mates:
            distributor = org.distributor_of(rep)
            mates[rep] = sorted(org.reps_of(distributor) - {rep}) if distributor else []
        sub = rng.choice(mates[rep]) if mates[rep] and rng.random() < 0.3 else None
        cases.append(
            bo.Case(
                f"{prefix}-{i}",
                rep,
                sub_rep=sub,
                facility=f"fac-{rng.randrange(50)}",
                status=rng.choice(statuses),
            )
        )
    return cases


_FIRST_EXPIRY = datetime.date(2026, 1, 1)


def make_items(
    org: bo.Org, count: int, *, seed: int = 13, org_share: float = 0.05
) -> list[bo.InventoryItem]:
    """``count`` items: ``org_share`` in the organisation's custody, the rest with field users.

    Distributors hold a quarter of the field users' items (so shared pools are large), 5% of
    all items are inactive and 30% expire on a day of 2026-2028.
    """
    rng = random.Random(seed)
    field = field_users(org)
    distributors = sorted(org.distributors)
    items = []
    for i in range(count):
        draw = rng.random()
        if draw < org_share:
            custodian = bo.ORG_CUSTODY
        elif draw < org_share + 0.25 * (1 - org_share):
            custodian = rng.choice(distributors)
        else:
            custodian = rng.choice(field)
        expires = _FIRST_EXPIRY + datetime.timedelta(days=rng.randrange(1096))
        items.append(
            bo.InventoryItem(
                f"i-{i}",
                custodian,
                active=rng.random() >= 0.05,
                expires=expires if rng.random() < 0.3 else None,
            )
        )
    return items


def _overseers(org: bo.Org, user_id: str) -> list[str]:
    # The users whose answers about user_id's cases and items are most often grants.
    user = org.users[user_id]
    out = [user_id]
    distributor = org.distributor_of(user_id)
    if distributor is not None:
        out.append(distributor)
        out.extend(sorted(org.reps_of(distributor))[:3])
    if user.role is bo.Role.DISTRIBUTOR:
        out.extend(sorted(org.reps_of(user_id))[:3])
    if user.region is not None:
        manager = org.regions[user.region].manager
        if manager is not None:
            out.append(manager)
    return out


def case_questions(
    org: bo.Org, cases: Sequence[bo.Case], count: int, *, seed: int = 17
) -> list[tuple[str, bo.Case]]:
    """``count`` (user, case) questions: a third about anyone (mostly denials), the rest close by.

    Close by: the representative, the sub-rep, the distributor and its other reps, the regional
    manager, an org-wide user, a facility manager.
    """
    rng = random.Random(seed)
    users = sorted(org.users)
    back_office = sorted(u for u, user in org.users.items() if user.role.is_org_wide)
    facility_managers = sorted(
        u for u, user in org.users.items() if user.role is bo.Role.FACILITY_MANAGER
    )
    out: list[tuple[str, bo.Case]] = []
    for i in range(count):
        case = rng.choice(cases)
        kind = i % 6
        if kind in (0, 1):
            user = rng.choice(users)
        elif kind == 2 and case.sub_rep is not None:
            user = rng.choice(_overseers(org, case.sub_rep))
        elif kind == 3:
            user = rng.choice(back_office + facility_managers)
        else:
            user = rng.choice(_overseers(org, case.representative))
        out.append((user, case))
    return out


def item_questions(
    org: bo.Org, items: Sequence[bo.InventoryItem], count: int, *, seed: int = 19
) -> list[tuple[str, str]]:
    """``count`` (user, item id) questions: a third about anyone, the rest near the custodian."""
    rng = random.Random(seed)
    users = sorted(org.users)
    back_office = sorted(u for u, user in org.users.items() if user.role.is_org_wide)
    out: list[tuple[str, str]] = []
    for i in range(count):
        item = rng.choice(items)
        if i % 3 == 0:
            user = rng.choice(users)
        elif item.custodian == bo.ORG_CUSTODY:
            user = rng.choice(back_office + users[:50])
        else:
            user = rng.choice(_overseers(org, item.custodian))
        out.append((user, item.id))
    return out


def workload(users: int, cases: int, items: int, questions: int, *, seed: int = 7) -> Workload:
    """The org, cases, items and questions of one benchmark run."""
    org = bench_org(users, seed=seed)
    case_list = make_cases(org, cases, seed=seed + 4)
    item_list = make_items(org, items, seed=seed + 6)
    return Workload(
        org=org,
        cases=tuple(case_list),
        items=tuple(item_list),
        case_questions=tuple(case_questions(org, case_list, questions, seed=seed + 10)),
        item_questions=tuple(item_questions(org, item_list, questions, seed=seed + 12)),
    )


def sample(rows: Sequence[Any], count: int, *, seed: int = 23) -> list[Any]:
    """``count`` rows of ``rows`` chosen at random (all of them when there are fewer)."""
    if count >= len(rows):
        return list(rows)
    return random.Random(seed).sample(list(rows), count)
