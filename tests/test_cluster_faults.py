"""Faults on the two-node SpiceDB cluster: a node stopped mid-write, PostgreSQL restarted, stale reads.

A node stopped in the middle of ``SpiceDBSync.apply``: the client (one gRPC channel over both
nodes, ``Cluster.failover_client``) moves to the other node, the batch is written again, and the
end state is exact. PostgreSQL restarted between two writes: the second write either succeeds
with the exact end state or raises ``SyncError`` saying what was written, and calling it again
finishes the change. A check at an old token may answer as of that token; one made
``at_least_as_fresh`` as the latest write never answers from before it.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import grpc
import pytest

import beacon_org as bo
from beacon_org.export import SpiceDBSync, SyncError
from beacon_org.testing import sample_cases, sample_items, sample_org
from cluster import Cluster, Reader, Unanswered, at_exact_snapshot, at_least_as_fresh
from test_cluster import assert_alike

# The status codes (google.rpc.Code) of a read that met a connection PostgreSQL's restart cut.
TRANSIENT_CODES = (grpc.StatusCode.INTERNAL.value[0], grpc.StatusCode.UNAVAILABLE.value[0])


class Interrupting:
    """A client that runs ``fault`` once, just before its ``at``-th ``WriteRelationships`` call."""

    def __init__(self, client: Any, at: int, fault: Callable[[], None]) -> None:
        self._client = client
        self._at = at
        self._fault = fault
        self.writes = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def WriteRelationships(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.writes += 1
        if self.writes == self._at:
            self._fault()
        return self._client.WriteRelationships(request, *args, **kwargs)


def grown(org: bo.Org, n: int) -> bo.Org:
    """``org`` with ``n`` trained reps in dist-a's group: a change of several hundred updates."""
    for k in range(n):
        org = (
            org.add_user(f"rep-x{k}", email=f"rep.x{k}@example.com", role="sales", region="west")
            .assign_rep(f"rep-x{k}", "dist-a")
            .complete_training(f"rep-x{k}")
        )
    return org


@pytest.mark.parametrize("when", ["between-batches", "during-a-batch"])
def test_a_node_stopped_mid_apply_moves_the_client_to_the_other_node(
    cluster: Cluster, when: str
) -> None:
    org, case_list, item_list = sample_org(), list(sample_cases()), list(sample_items())
    after = grown(org, 40).deactivate("rep-a2").set_shared_inventory("dist-a", enabled=False)
    node_a = cluster.nodes["a"]

    def stop_a() -> None:
        if when == "between-batches":
            node_a.stop(signal.SIGKILL)
        else:  # the batch is on its way (or being written) when the node dies
            threading.Timer(0.002, node_a.stop, args=(signal.SIGKILL,)).start()

    client = Interrupting(cluster.failover_client(), at=3, fault=stop_a)
    sync = SpiceDBSync(client, batch_size=25, backoff=0.1)
    b = Reader(cluster.nodes["b"].client())
    token = sync.load(org, case_list, item_list)
    writes_for_load = client.writes
    client._at = writes_for_load + 3  # the third batch of the apply
    token = sync.apply(org, after, cases=case_list, items=item_list)
    assert token is not None
    # Every later batch was written while node A was down: node B took them.
    assert client.writes > writes_for_load + 3
    assert not node_a.running
    assert_alike(b, token, after, case_list, item_list)


def test_postgres_restarted_between_two_writes(cluster: Cluster) -> None:
    org, case_list, item_list = sample_org(), list(sample_cases()), list(sample_items())
    sync = SpiceDBSync(cluster.nodes["a"].client(), batch_size=25, backoff=0.2, retries=3)
    b = Reader(cluster.nodes["b"].client())
    token = sync.load(org, case_list, item_list)
    first = org.deactivate("rep-b1")
    token = sync.apply(org, first, cases=case_list, items=item_list)
    assert token is not None
    assert_alike(b, token, first, case_list, item_list)

    cluster.postgres.restart()  # every connection the nodes held is gone

    second = grown(first, 20).reactivate("rep-b1")
    failure: SyncError | None = None
    try:
        token = sync.apply(first, second, cases=case_list, items=item_list)
    except SyncError as error:
        failure = error
    if failure is None:
        print("\nPostgreSQL restart: the apply recovered by itself (the nodes reconnected)")
    else:
        # A clear error: which batch failed, what was written before it, that a retry is safe.
        assert failure.operation == "apply"
        assert "calling it again with the same arguments is harmless" in str(failure)
        if failure.written == 0:  # nothing of the change is in SpiceDB yet
            until_answered(
                lambda: assert_alike(b, _latest_token(cluster), first, case_list, item_list)
            )
        print(f"\nPostgreSQL restart: the first apply raised ({failure}); calling it again:")
        token = sync.apply(first, second, cases=case_list, items=item_list)
    assert token is not None
    # Node B answers every question exactly once its pool has replaced the connections the restart
    # cut: until then a read fails with an error (INTERNAL), never with an answer from before.
    errors = until_answered(lambda: assert_alike(b, token, second, case_list, item_list))
    print(f"reads on node B that failed before it answered again: {errors}")


def until_answered(ask: Callable[[], None], tries: int = 60) -> int:
    """Run ``ask`` until no datastore error interrupts it; return how many did."""
    for errors in range(tries):
        try:
            ask()
        except Unanswered as error:
            if error.code not in TRANSIENT_CODES:
                raise
        except grpc.RpcError as error:
            if error.code() not in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNAVAILABLE):
                raise
        else:
            return errors
        time.sleep(0.1)
    msg = f"node B still failed after {tries} tries"
    raise AssertionError(msg)


def _latest_token(cluster: Cluster) -> str:
    """A ZedToken for the datastore's newest revision (ReadSchema at full consistency)."""
    from authzed.api.v1 import ReadSchemaRequest

    return str(cluster.nodes["b"].client().ReadSchema(ReadSchemaRequest()).read_at.token)


def test_a_stale_token_may_answer_stale_at_least_as_fresh_never_does(cluster: Cluster) -> None:
    org, case_list, item_list = sample_org(), list(sample_cases()), list(sample_items())
    sync = SpiceDBSync(cluster.nodes["a"].client())
    b = Reader(cluster.nodes["b"].client())
    old = sync.load(org, case_list, item_list)
    visibility = bo.Visibility(org)
    assert visibility.can_view_case("dist-a", case_list[0])

    # Take dist-a's access away and give it back, many times, reading on B right after each write.
    current, stale_reads = org, 0
    for round_ in range(10):
        changed = current.deactivate("dist-a") if round_ % 2 == 0 else current.reactivate("dist-a")
        token = sync.apply(current, changed, cases=case_list, items=item_list)
        assert token is not None
        current = changed
        expected = bo.Visibility(current).can_view_case("dist-a", case_list[0])
        fresh = b.check_one("case", case_list[0].id, "view", "dist-a", at_least_as_fresh(token))
        assert fresh is bool(expected), round_
        latency = b.check_one(
            "case",
            case_list[0].id,
            "view",
            "dist-a",
            at_least_as_fresh(old) if round_ % 2 else _minimize_latency(),
        )
        stale_reads += latency is not bool(expected)
    assert_alike(b, token, current, case_list, item_list)

    # At the first token's exact snapshot, B answers as the org was then: stale, and allowed to be.
    assert b.check_one("case", case_list[0].id, "view", "dist-a", at_exact_snapshot(old))
    assert b.lookup_resources("case", "view", "dist-a", at_exact_snapshot(old)) == {
        c.id for c in visibility.visible_cases("dist-a", case_list)
    }
    print(f"\nreads without the latest token that answered from before it: {stale_reads} of 10")


def _minimize_latency() -> Any:
    from authzed.api.v1 import Consistency

    return Consistency(minimize_latency=True)


def test_a_cluster_without_its_server_binary_fails_instead_of_skipping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BEACON_SPICEDB_SERVER", "/nonexistent/spicedb")
    with pytest.raises(RuntimeError, match="names no spicedb"):
        Cluster()


def test_a_wrong_preshared_key_is_refused(cluster: Cluster) -> None:
    from authzed.api.v1 import ReadSchemaRequest, SyncClient
    from grpcutil import insecure_bearer_token_credentials

    intruder = SyncClient(cluster.nodes["b"].target, insecure_bearer_token_credentials("wrong"))
    with pytest.raises(grpc.RpcError) as raised:
        intruder.ReadSchema(ReadSchemaRequest())
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "preshared key" in (raised.value.details() or "")
