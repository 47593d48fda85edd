"""SpiceDB kept in step by SpiceDBSync at scale: load, one change, checks and lookups, timed.

``. .cache/env.sh && .venv/bin/python benchmarks/bench_export.py --users 20000`` builds the
benchmark's org (benchmarks/workload.py) with its cases and items, loads it with
``SpiceDBSync.load`` into SpiceDB 1.54 **in-process, on its in-memory datastore** (the only one
this machine runs: a SpiceDB server on PostgreSQL or Spanner answers from indexed tables and
scales differently), applies one change with ``SpiceDBSync.apply``, then times CheckPermission
(p50 and p95, at least as fresh as the returned ZedToken), LookupResources and LookupSubjects,
after checking that every answer timed is beacon_org's on the changed org.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time
from typing import Any

import workload as wl
from authzed.api.v1 import (
    CheckPermissionRequest,
    CheckPermissionResponse,
    Consistency,
    LookupResourcesRequest,
    LookupSubjectsRequest,
    ObjectReference,
    SubjectReference,
    ZedToken,
)
from authzed.api.v1.permission_service_pb2_grpc import PermissionsServiceStub
from engines_spicedb import BenchSpiceDB
from google.protobuf.struct_pb2 import Struct

import beacon_org as bo
from beacon_org.export import SpiceDBSync, decode_spicedb_id, spicedb_id, to_spicedb

DATASTORE = "SpiceDB 1.54 in-process (spicedb-embedded 0.7.1), in-memory datastore"
_YES = (
    CheckPermissionResponse.PERMISSIONSHIP_HAS_PERMISSION,
    CheckPermissionResponse.PERMISSIONSHIP_CONDITIONAL_PERMISSION,
)


def _ref(kind: str, object_id: str) -> ObjectReference:
    return ObjectReference(object_type=kind, object_id=spicedb_id(object_id))


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--checks", type=int, default=200, help="questions per decision")
    parser.add_argument("--lookups", type=int, default=5, help="lookups of each kind timed")
    args = parser.parse_args()

    w = wl.workload(args.users, args.cases, args.items, args.checks)
    start = time.perf_counter()
    export = to_spicedb(w.org, w.cases, w.items)
    t_export = time.perf_counter() - start
    print(f"datastore: {DATASTORE}")
    print(
        f"users={args.users:,} cases={args.cases:,} items={args.items:,}: "
        f"to_spicedb {t_export:.2f} s for {len(export.relationships):,} relationships"
    )
    with BenchSpiceDB() as db:
        client: Any = db.client
        sync = SpiceDBSync(client)
        start = time.perf_counter()
        sync.load(w.org, w.cases, w.items)
        print(
            f"load (schema + relationships, 1,000 per write): {time.perf_counter() - start:.1f} s"
        )

        # One change: the first sharing distributor stops sharing and one of its reps leaves.
        distributor = next(d for d in sorted(w.org.distributors) if w.org.shares_inventory(d))
        rep = sorted(w.org.reps_of(distributor))[0]
        after = w.org.set_shared_inventory(distributor, False).deactivate(rep)
        start = time.perf_counter()
        token = sync.apply(w.org, after, cases=w.cases, items=w.items)
        t_apply = time.perf_counter() - start
        assert token is not None
        print(f"apply (sharing off for {distributor}, {rep} deactivated): {t_apply * 1e3:.0f} ms")

        fresh = Consistency(at_least_as_fresh=ZedToken(token=token))
        visibility, custody = bo.Visibility(after), bo.Custody(after, w.items)
        on = datetime.date(2027, 1, 1)
        context = Struct()
        context.update({"on": on.isoformat()})
        questions = [
            ("case", "view", u, c.id, visibility.can_view_case(u, c).allowed)
            for u, c in w.case_questions
        ]
        questions += [
            ("item", "use", u, i, custody.can_use(u, i, on=on).allowed) for u, i in w.item_questions
        ]
        latencies = []
        for kind, permission, user, object_id, expected in questions:
            request = CheckPermissionRequest(
                consistency=fresh,
                resource=_ref(kind, object_id),
                permission=permission,
                subject=SubjectReference(object=_ref("user", user)),
                context=context if kind == "item" else None,
            )
            start = time.perf_counter()
            response = client.permissions().CheckPermission(request)
            latencies.append(time.perf_counter() - start)
            assert (response.permissionship in _YES) == expected, (kind, user, object_id)
        print(
            f"CheckPermission at the apply's ZedToken, {len(latencies)} checks (case#view, "
            f"item#use on {on}) agree: p50 {_percentile(latencies, 0.5) * 1e3:.1f} ms, "
            f"p95 {_percentile(latencies, 0.95) * 1e3:.1f} ms, "
            f"mean {statistics.fmean(latencies) * 1e3:.1f} ms"
        )

        stub = PermissionsServiceStub(client.channel())
        distributors = [d for d in sorted(after.distributors) if after.users[d].active]
        timings = []
        for user in distributors[: args.lookups]:
            start = time.perf_counter()
            found = {
                decode_spicedb_id(r.resource_object_id)
                for r in stub.LookupResources(
                    LookupResourcesRequest(
                        consistency=fresh,
                        resource_object_type="item",
                        permission="use",
                        subject=SubjectReference(object=_ref("user", user)),
                        context=context,
                    )
                )
            }
            timings.append(time.perf_counter() - start)
            assert found == custody.usable_inventory(user, on=on), user
        print(
            f"LookupResources item#use on {on} for {len(timings)} distributors (agree): "
            f"median {statistics.median(timings):.2f} s, max {max(timings):.2f} s"
        )
        timings = []
        for case in w.cases[: args.lookups]:
            start = time.perf_counter()
            viewers = {
                decode_spicedb_id(r.subject.subject_object_id)
                for r in stub.LookupSubjects(
                    LookupSubjectsRequest(
                        consistency=fresh,
                        resource=_ref("case", case.id),
                        permission="view",
                        subject_object_type="user",
                    )
                )
            }
            timings.append(time.perf_counter() - start)
            assert viewers == visibility.case_viewers(case), case.id
        print(
            f"LookupSubjects case#view for {len(timings)} cases (agree): "
            f"median {statistics.median(timings):.2f} s, max {max(timings):.2f} s"
        )


if __name__ == "__main__":
    main()
