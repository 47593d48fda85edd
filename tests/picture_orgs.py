"""Deterministic orgs of a given size for the drawing and explore tests: real-looking shapes.

Groups of very different sizes (2 to 60 reps), most reps in their distributor's region and a few
elsewhere or in no group, managers of one or two regions, some locked and deactivated users.
"""

from __future__ import annotations

import random
from typing import Any

import beacon_org as bo


def picture_org(users: int, *, seed: int = 18) -> bo.Org:
    """An org of exactly ``users`` users (at least 20), built through ``bo.from_dict``."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []

    def user(uid: str, role: str, region: str | None = None, **extra: Any) -> None:
        rows.append(
            {
                "id": uid,
                "email": f"{uid}@pictures.example",
                "role": role,
                "name": uid.title(),
                "region": region,
                "training_complete": True,
                **extra,
            }
        )

    user("owner", "primary_admin")
    user("admin-1", "admin")
    user("ops-1", "operations")
    for i in range(max(1, users // 400)):
        user(f"fm-{i}", "facility_manager", facilities=[f"fac-{i}"])
    regions = [f"region-{i}" for i in range(max(2, users // 120))]
    managers = [f"rm-{i}" for i in range(max(1, len(regions) * 2 // 3))]
    for manager in managers:
        user(manager, "regional_manager")
    distributors = [f"dist-{i}" for i in range(max(2, users // 22))]
    for distributor in distributors:
        user(distributor, "distributor", rng.choice(regions))
    home = {d: row["region"] for d, row in ((r["id"], r) for r in rows) if d in distributors}
    groups: dict[str, list[str]] = {d: [] for d in distributors}
    weights = [rng.paretovariate(1.2) for _ in distributors]
    i = 0
    while len(rows) < users:
        rep = f"rep-{i}"
        i += 1
        draw = rng.random()
        if draw < 0.06:
            user(rep, "sales", rng.choice(regions))
            continue
        distributor = rng.choices(distributors, weights)[0]
        region = home[distributor] if draw < 0.93 else rng.choice(regions)
        state: dict[str, Any] = {}
        if rng.random() < 0.03:
            state["training_complete"] = False
        elif rng.random() < 0.03:
            state["active"] = False
        user(rep, "sales", region, **state)
        groups[distributor].append(rep)
    return bo.from_dict(
        {
            "version": 1,
            "settings": {"field_users_can_reopen_cases": False},
            "regions": [
                {
                    "id": r,
                    "name": r.replace("region-", "Region "),
                    "states": [],
                    "manager": managers[n % len(managers)] if n % 7 != 6 else None,
                }
                for n, r in enumerate(regions)
            ],
            "users": rows,
            "groups": [
                {"distributor": d, "reps": reps, "shared_inventory": n % 2 == 0}
                for n, (d, reps) in enumerate(sorted(groups.items()))
            ],
        }
    )
