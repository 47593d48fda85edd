"""SpiceDBSync against SpiceDB 1.54 in-process: loads, changes, batches, retries and failures.

After each write, SpiceDB is read back (every relationship, ReadRelationships) and must hold
exactly the export of the snapshot written; decisions are asked with CheckPermission at least as
fresh as the ZedToken the write returned.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import grpc
import pytest
from spicedb_embedded.errors import SpiceDBError

import beacon_org as bo
from beacon_org.export import (
    SpiceDBSync,
    SyncError,
    expected_answers,
    relationship_changes,
    to_spicedb,
)
from beacon_org.testing import sample_cases, sample_items, sample_org
from engines import NO, YES, SpiceDB, count, exported, parse_relationship


class Status(grpc.RpcError):
    """A gRPC failure with a status, as a real channel raises it."""

    def __init__(self, code: grpc.StatusCode, details: str = "injected") -> None:
        super().__init__(details)
        self._code = code
        self._details = details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


class Client:
    """The in-process SpiceDB under a SyncClient's method names, failing the writes it is told.

    ``failures`` maps the number of a WriteRelationships call (from 1) to the error it raises
    instead of writing, once; every call's update count is kept in ``writes``.
    """

    def __init__(
        self, db: SpiceDB, failures: dict[int, Callable[[], BaseException]] | None = None
    ) -> None:
        embedded: Any = db.client
        self._permissions = embedded.permissions()
        self._schema = embedded.schema()
        self.failures = dict(failures or {})
        self.writes: list[int] = []
        self.calls = 0

    def WriteRelationships(self, request: Any) -> Any:
        self.calls += 1
        fail = self.failures.pop(self.calls, None)
        if fail is not None:
            raise fail()
        self.writes.append(len(request.updates))
        return self._permissions.WriteRelationships(request)

    def WriteSchema(self, request: Any) -> Any:
        return self._schema.WriteSchema(request)

    def ReadSchema(self, request: Any) -> Any:
        return self._schema.ReadSchema(request)

    def DeleteRelationships(self, request: Any) -> Any:
        return self._permissions.DeleteRelationships(request)

    def ReadRelationships(self, request: Any) -> Any:
        return self._permissions.ReadRelationships(request)


@pytest.fixture
def spicedb() -> Iterator[SpiceDB]:
    with SpiceDB() as db:
        yield db


def assert_exact(
    db: SpiceDB, token: str, org: bo.Org, cases: Sequence[Any] = (), items: Sequence[Any] = ()
) -> int:
    """SpiceDB holds exactly the export and answers each check as the library; returns checks."""
    assert db.relationships(token) == exported(org, cases, items)
    answers = expected_answers(org, cases, items)
    bulk = db.check_answers(answers, token=token)
    # Every decision in bulk, and one in five again as a single CheckPermission at the token.
    single = {
        n: db.check_permission(a.resource_type, a.resource_id, a.permission, a.user, token=token)
        for n, a in enumerate(answers)
        if n % 5 == 0
    }
    for n, (a, got) in enumerate(zip(answers, bulk, strict=True)):
        assert single.get(n, got) == got, a
        if a.permission == "use":
            # Without a date, an item that expires is a conditional yes (see the caveat tests).
            assert (got != NO) == a.allowed, a
        else:
            assert got == (YES if a.allowed else NO), a
    count("spicedb-sync", len(answers) + len(single))
    return len(answers) + len(single)


def test_load_apply_and_day_to_day_writes_answer_at_their_tokens(spicedb: SpiceDB) -> None:
    org, cases, items = sample_org(), list(sample_cases()), list(sample_items())
    sync = SpiceDBSync(spicedb.client, batch_size=7)
    token = sync.load(org, cases, items)
    assert isinstance(token, str)
    assert token
    assert_exact(spicedb, token, org, cases, items)

    after = org.deactivate("rm-west").set_shared_inventory("dist-a", False)
    token = sync.apply(org, after, cases=cases, items=items)
    assert token is not None
    assert spicedb.check_permission("case", "c-100", "view", "rm-west", token=token) == NO
    assert_exact(spicedb, token, after, cases, items)
    assert sync.apply(after, after, cases=cases, items=items) is None

    # A case closes and loses its sub-rep; a new case arrives; an item moves and one goes.
    changed = attrs.evolve(cases[0], sub_rep=None, status="closed")
    new_case = bo.Case("c-new", "rep-a1", facility="mercy-general")
    cases = [changed, *cases[1:], new_case]
    token = sync.put_cases([changed, new_case])
    assert_exact(spicedb, token, after, cases, items)
    token = sync.delete_cases([new_case.id, "never-written"])
    cases = cases[:-1]
    assert_exact(spicedb, token, after, cases, items)
    moved = attrs.evolve(items[0], custodian="rep-a1")
    items = [moved, *items[1:]]
    token = sync.put_items([moved])
    assert_exact(spicedb, token, after, cases, items)
    token = sync.delete_items([items[-1].id])
    items = items[:-1]
    assert_exact(spicedb, token, after, cases, items)
    # Nothing to write still gives a token to read at.
    assert sync.put_cases([])
    assert sync.delete_items([])


def test_repair_removes_drift_and_restores_what_is_missing(spicedb: SpiceDB) -> None:
    org, cases, items = sample_org(), sample_cases(), sample_items()
    client = Client(spicedb)
    sync = SpiceDBSync(client)
    sync.load(org, cases, items)
    # Drift, written behind the sync's back: a stray grant, a lost lock, an expiry moved.
    drift = [
        (True, "case:c-100#sub_rep@user:dist-b"),
        (False, "user:rep-new#locked@user:rep-new"),
        (True, 'item:screw-a-1#expired@user:*[past_expiry:{"expires":"2030-01-01"}]'),
    ]
    from authzed.api.v1 import RelationshipUpdate, WriteRelationshipsRequest

    op = RelationshipUpdate.Operation
    client.WriteRelationships(
        WriteRelationshipsRequest(
            updates=[
                RelationshipUpdate(
                    operation=op.OPERATION_TOUCH if touch else op.OPERATION_DELETE,
                    relationship=parse_relationship(text),
                )
                for touch, text in drift
            ]
        )
    )
    assert spicedb.relationships() != exported(org, cases, items)
    client.writes.clear()
    token = sync.repair(org, cases, items)
    assert client.writes == [3]  # one delete, two writes: only what differed
    assert spicedb.relationships(token) == exported(org, cases, items)
    assert spicedb.check_permission("case", "c-100", "view", "dist-b", token=token) == (
        YES if bo.Visibility(org).can_view_case("dist-b", cases[0]) else NO
    )
    client.writes.clear()
    assert sync.repair(org, cases, items)  # nothing differs: no write, still a token
    assert client.writes == []


def test_a_new_expiry_date_is_one_touch_that_replaces_the_caveat(spicedb: SpiceDB) -> None:
    org, items = sample_org(), list(sample_items())
    screw = next(i for i in items if i.id == "screw-a-1")
    later = [
        attrs.evolve(i, expires=datetime.date(2027, 6, 30)) if i is screw else i for i in items
    ]
    changes = relationship_changes(org, org, items=items, after_items=later)
    assert changes.writes == (
        'item:screw-a-1#expired@user:*[past_expiry:{"expires":"2027-06-30"}]',
    )
    assert changes.deletes == ()  # a DELETE of the old caveat would remove the new one
    sync = SpiceDBSync(spicedb.client)
    sync.load(org, items=items)
    on = datetime.date(2027, 4, 1)
    assert spicedb.check_permission("item", "screw-a-1", "use", "dist-a", on=on) == NO
    token = sync.apply(org, org, items=items, after_items=later)
    assert token is not None
    assert spicedb.relationships(token) == exported(org, items=later)
    assert spicedb.check_permission("item", "screw-a-1", "use", "dist-a", token=token, on=on) == YES


def test_bad_arguments_raise_org_errors(spicedb: SpiceDB) -> None:
    with pytest.raises(bo.InvalidValueError, match="batch_size"):
        SpiceDBSync(spicedb.client, batch_size=0)
    sync = SpiceDBSync(spicedb.client)
    with pytest.raises(bo.InvalidValueError, match="not one string"):
        sync.delete_cases("c-100")
    with pytest.raises(bo.InvalidValueError, match="non-empty string"):
        sync.delete_items([""])
    with pytest.raises(bo.DuplicateIdError, match="case id 'c' appears twice"):
        sync.put_cases([bo.Case("c", "a"), bo.Case("c", "b")])


def big_org(users: int) -> tuple[bo.Org, list[bo.InventoryItem]]:
    org = bo.Org().add_region("west", name="West")
    for n in range(users):
        org = org.add_user(f"rep-{n}", email=f"rep{n}@x.example", role="sales", region="west")
    items = [bo.InventoryItem(f"kit-{n}", f"rep-{n}") for n in range(users)]
    return org, items


def test_a_load_and_an_apply_of_more_than_1000_updates_go_in_batches(spicedb: SpiceDB) -> None:
    # per rep: role, locked, region and org (for create_case); per item: org and holder: 1,800
    org, items = big_org(300)
    client = Client(spicedb)
    sync = SpiceDBSync(client)
    token = sync.load(org, items=items)
    assert sum(client.writes) == len(to_spicedb(org, items=items).relationships) > 1000
    assert client.writes == [1000, 800]
    assert spicedb.relationships(token) == exported(org, items=items)

    after = org
    for n in range(300):
        after = after.complete_training(f"rep-{n}")
    after_items = [attrs.evolve(item, active=False) for item in items]
    client.writes.clear()
    token = sync.apply(org, after, items=items, after_items=after_items)
    assert token is not None
    assert client.writes == [600]  # 300 locks deleted, 300 items made inactive
    client.writes.clear()
    inactive_items = after_items
    after_items = [bo.InventoryItem(f"kit-{n}", f"rep-{(n + 1) % 300}") for n in range(300)]
    later = after
    for n in range(150):
        later = later.deactivate(f"rep-{n}")
    token = sync.apply(after, later, items=inactive_items, after_items=after_items)
    assert token is not None
    # 300 holders replaced (600 updates), 300 inactive flags deleted, 150 deactivations of two
    # relationships each (deactivated, and inactive@user:* for create_case)
    assert client.writes == [1000, 200]
    assert spicedb.relationships(token) == exported(later, items=after_items)
    for user in ("rep-0", "rep-149", "rep-150", "rep-299"):
        assert spicedb.lookup_resources_at("item", "use", user, token=token) == dict.fromkeys(
            bo.Custody(later, after_items).usable_inventory(user), YES
        )


def test_a_transient_failure_is_retried_and_the_end_state_is_exact(spicedb: SpiceDB) -> None:
    org, cases, items = sample_org(), sample_cases(), sample_items()
    client = Client(
        spicedb,
        failures={
            2: lambda: Status(grpc.StatusCode.UNAVAILABLE),
            # the in-process wrapper's form of the same: Go's status in the message
            4: lambda: SpiceDBError("rpc error: code = DeadlineExceeded desc = context deadline"),
        },
    )
    sync = SpiceDBSync(client, batch_size=10, backoff=0.001)
    token = sync.load(org, cases, items)
    assert not client.failures  # both were raised, and each batch then written
    assert sum(client.writes) == len(to_spicedb(org, cases, items).relationships)
    assert_exact(spicedb, token, org, cases, items)


def test_a_permanent_failure_names_the_batch_and_a_second_call_finishes(
    spicedb: SpiceDB,
) -> None:
    org, cases, items = sample_org(), sample_cases(), sample_items()
    total = len(to_spicedb(org, cases, items).relationships)
    batches = -(-total // 10)
    client = Client(
        spicedb, failures={3: lambda: Status(grpc.StatusCode.INVALID_ARGUMENT, "bad update")}
    )
    sync = SpiceDBSync(client, batch_size=10, backoff=0.001)
    with pytest.raises(SyncError, match=rf"batch 3 of {batches} failed") as caught:
        sync.load(org, cases, items)
    error = caught.value
    assert isinstance(error, bo.OrgError)
    assert (error.operation, error.batch, error.batches, error.written) == ("load", 3, batches, 2)
    assert error.status == "INVALID_ARGUMENT"
    assert "bad update" in str(error)
    assert error.token is not None
    assert len(spicedb.relationships(error.token)) == 20  # the two batches written before it
    token = sync.load(org, cases, items)  # the same call again: harmless, and it finishes
    assert_exact(spicedb, token, org, cases, items)


def test_a_transient_failure_that_persists_gives_up_after_the_retries(spicedb: SpiceDB) -> None:
    client = Client(
        spicedb, failures={n: lambda: Status(grpc.StatusCode.UNAVAILABLE) for n in range(1, 10)}
    )
    sync = SpiceDBSync(client, retries=3, backoff=0.001)
    with pytest.raises(SyncError, match=r"batch 1 of 1 failed after 4 tries \(UNAVAILABLE") as e:
        sync.load(sample_org())
    assert e.value.written == 0
    assert e.value.token is None
    assert client.calls == 4


def test_spicedb_errors_come_through_with_their_message(spicedb: SpiceDB) -> None:
    import ctypes

    from authzed.api.v1 import WriteSchemaRequest
    from spicedb_embedded import ffi

    from beacon_org.export._sync import report_embedded_errors

    embedded: Any = spicedb.client
    bad = WriteSchemaRequest(schema="definition nope {")
    # spicedb_embedded 0.7.1 as shipped: every SpiceDB error is a ctypes ArgumentError.
    ffi._get_lib().spicedb_free.argtypes = [ctypes.c_char_p]
    try:
        with pytest.raises(ctypes.ArgumentError, match="wrong type"):
            embedded.schema().WriteSchema(bad)
    finally:
        report_embedded_errors()
    with pytest.raises(SpiceDBError, match=r"code = InvalidArgument desc = parse error"):
        embedded.schema().WriteSchema(bad)

    # Through SpiceDBSync: a schema SpiceDB refuses (it would orphan relationships) is a
    # SyncError carrying SpiceDB's own reason.
    extra = to_spicedb(bo.Org()).schema + "\ndefinition extra {\n    relation owner: user\n}\n"
    embedded.schema().WriteSchema(WriteSchemaRequest(schema=extra))
    client = Client(spicedb)
    from authzed.api.v1 import RelationshipUpdate, WriteRelationshipsRequest

    client.WriteRelationships(
        WriteRelationshipsRequest(
            updates=[
                RelationshipUpdate(
                    operation=RelationshipUpdate.Operation.OPERATION_TOUCH,
                    relationship=parse_relationship("extra:x#owner@user:u"),
                )
            ]
        )
    )
    with pytest.raises(SyncError, match=r"load: writing the schema failed \((\w+): .*extra") as e:
        SpiceDBSync(embedded).load(sample_org())
    assert e.value.status not in {None, "UNAVAILABLE"}
    assert e.value.batch == 0
    # A read through the streaming proxy (a grpc error) names SpiceDB's reason too.
    with (
        SpiceDB() as empty,
        pytest.raises(SyncError, match=r"put_cases: reading case:c-1 failed .*case") as e,
    ):
        SpiceDBSync(empty.client).put_cases([bo.Case("c-1", "rep-a1")])  # no schema
    assert e.value.status in {"FAILED_PRECONDITION", "INVALID_ARGUMENT", "NOT_FOUND"}


def test_import_beacon_org_never_imports_authzed() -> None:
    code = (
        "import sys, beacon_org, beacon_org.export; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('authzed', 'grpc', "
        "'spicedb_embedded')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
