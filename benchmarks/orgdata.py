"""Synthetic org data of a given size, as to_dict data, for the benchmarks."""

from __future__ import annotations

import random
from typing import Any


def org_data(
    users: int = 100_000, distributors: int = 1_000, regions: int = 500, seed: int = 7
) -> dict[str, Any]:
    """Return ``to_dict``-shaped data: back office, one manager per region, groups, reps."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []

    def user(uid: str, role: str, region: str | None = None) -> None:
        rows.append(
            {
                "id": uid,
                "email": f"{uid}@bench.example",
                "role": role,
                "name": uid,
                "region": region,
                "facilities": [],
                "directory_records": ["fac-1"],
                "training_complete": True,
                "active": True,
                "custodian_only": False,
            }
        )

    for i in range(5):
        user(f"admin-{i}", "admin")
    region_ids = [f"region-{i}" for i in range(regions)]
    for i in range(regions):
        user(f"rm-{i}", "regional_manager")
    for i in range(distributors):
        user(f"dist-{i}", "distributor", rng.choice(region_ids))
    facility_managers = max(1, users // 500)
    for i in range(facility_managers):
        rows.append(
            {
                "id": f"fm-{i}",
                "email": f"fm-{i}@bench.example",
                "role": "facility_manager",
                "facilities": [f"fac-{i % 50}"],
                "training_complete": True,
            }
        )
    reps = users - len(rows)
    groups: dict[str, list[str]] = {}
    for i in range(reps):
        rep = f"rep-{i}"
        user(rep, "sales", rng.choice(region_ids))
        if rng.random() < 0.95:
            groups.setdefault(f"dist-{rng.randrange(distributors)}", []).append(rep)
    return {
        "version": 1,
        "settings": {"field_users_can_reopen_cases": False},
        "regions": [
            {"id": r, "name": r, "states": [], "manager": f"rm-{i}"}
            for i, r in enumerate(region_ids)
        ],
        "users": rows,
        "groups": [
            {"distributor": d, "reps": reps, "shared_inventory": int(d.split("-")[1]) % 2 == 0}
            for d, reps in sorted(groups.items())
        ],
    }
