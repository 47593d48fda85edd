"""The transfer lifecycle by example: the Transfer record, who accepts or declines, and settling."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import beacon_org as bo
from beacon_org.testing import sample_items, sample_org


@pytest.fixture
def org() -> bo.Org:
    org = sample_org()
    for manager in ("rm-west", "rm-central", "rm-east"):
        org = org.complete_training(manager)
    return org


@pytest.fixture
def custody(org: bo.Org) -> bo.Custody:
    return bo.Custody(org, sample_items())


def transfer(
    items: tuple[str, ...] = ("plate-b-1",),
    sender: str = "dist-b",
    recipient: str = "rep-b1",
    started_by: str = "dist-b",
    **more: Any,
) -> bo.Transfer:
    return bo.Transfer(
        id="t-1",
        item_ids=items,
        sender=sender,
        recipient=recipient,
        started_by=started_by,
        **more,
    )


# --- the records -----------------------------------------------------------------------------------


def test_a_transfer_starts_pending_and_is_a_frozen_value() -> None:
    t = transfer(items=("a", "b"))
    assert t.status is bo.TransferStatus.PENDING
    assert t.item_ids == ("a", "b")
    assert t == transfer(items=["a", "b"])  # type: ignore[arg-type]
    assert hash(t) == hash(transfer(items=("a", "b")))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        t.status = bo.TransferStatus.ACCEPTED  # type: ignore[misc]


def test_status_takes_its_string_values() -> None:
    assert transfer(status="hold").status is bo.TransferStatus.HOLD
    assert [s.value for s in bo.TransferStatus] == ["pending", "accepted", "declined", "hold"]
    assert [s.is_settled for s in bo.TransferStatus] == [False, True, True, True]


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"items": ()}, "at least one item"),
        ({"items": "plate-b-1"}, "'item_ids' must be a collection"),
        ({"items": ("a", "a")}, "names item 'a' twice"),
        ({"items": ("a", "")}, "'item_ids' must hold non-empty strings"),
        ({"items": 7}, "'item_ids' must be a collection"),
        ({"recipient": "dist-b"}, "sender and recipient are both 'dist-b'"),
        ({"sender": ""}, "'sender' must be a non-empty string"),
        ({"started_by": None}, "'started_by' must be a non-empty string"),
        ({"status": "lost"}, "'lost' is not a transfer status"),
    ],
)
def test_a_malformed_transfer_raises_an_org_error(fields: dict[str, Any], match: str) -> None:
    with pytest.raises(bo.InvalidValueError, match=match):
        transfer(**fields)


# --- who accepts and declines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_id", "reason", "path"),
    [
        ("rep-b1", "recipient", ("rep-b1", "t-1")),
        ("dist-b", "distributor-of-rep", ("dist-b", "rep-b1", "t-1")),
        ("rm-east", "regional-manager-of-member", ("rm-east", "east", "rep-b1", "t-1")),
        ("admin-1", "org-wide", ("admin-1", "t-1")),
        ("owner", "org-wide", ("owner", "t-1")),
        ("ops-1", "org-wide", ("ops-1", "t-1")),
    ],
)
def test_the_recipient_or_those_who_act_for_it_accept_and_decline(
    custody: bo.Custody, user_id: str, reason: str, path: tuple[str, ...]
) -> None:
    expected = bo.Decision(allowed=True, reason=reason, path=path)
    assert custody.can_accept(user_id, transfer()) == expected
    assert custody.can_decline(user_id, transfer()) == expected


@pytest.mark.parametrize(
    ("user_id", "reason"),
    [
        ("rep-b2", "not-recipient"),
        ("dist-a", "not-recipient"),
        ("rm-west", "not-recipient"),
        ("fm-mercy", "not-recipient"),
        ("rep-new", "locked"),
        ("rep-gone", "inactive"),
        ("wh-quarantine", "custodian-only"),
        ("nobody", "unknown-user"),
    ],
)
def test_nobody_else_accepts_or_declines(custody: bo.Custody, user_id: str, reason: str) -> None:
    assert custody.can_accept(user_id, transfer()).reason == reason
    assert not custody.can_accept(user_id, transfer())
    assert custody.can_decline(user_id, transfer()).reason == reason


def test_a_sales_user_cannot_accept_a_transfer_it_started(custody: bo.Custody) -> None:
    # rep-a1 moves an item of dist-a's shared pool to itself: its distributor must accept.
    t = transfer(items=("screw-a-1",), sender="dist-a", recipient="rep-a1", started_by="rep-a1")
    assert custody.can_transfer("rep-a1", "screw-a-1", "rep-a1")
    assert custody.can_accept("rep-a1", t) == bo.Decision(allowed=False, reason="started-by-self")
    assert custody.can_decline("rep-a1", t) == bo.Decision(allowed=False, reason="started-by-self")
    assert custody.can_accept("dist-a", t).reason == "distributor-of-rep"
    assert custody.can_decline("dist-a", t).reason == "distributor-of-rep"


def test_a_distributor_may_accept_a_transfer_it_started_for_its_rep(custody: bo.Custody) -> None:
    assert custody.can_accept("dist-b", transfer(started_by="dist-b"))


def test_only_back_office_acts_for_the_organisations_custody(custody: bo.Custody) -> None:
    t = transfer(
        items=("drill-a1",), sender="rep-a1", recipient=bo.ORG_CUSTODY, started_by="rep-a1"
    )
    assert custody.can_accept("admin-1", t).path == ("admin-1", "t-1")
    for user_id in ("rep-a1", "dist-a", "rm-west"):
        assert custody.can_accept(user_id, t).reason == "not-recipient"
        assert custody.can_decline(user_id, t).reason == "not-recipient"


def test_an_unknown_recipient_is_a_denial(custody: bo.Custody) -> None:
    t = transfer(recipient="nobody")
    assert custody.can_accept("admin-1", t).reason == "unknown-user"
    assert custody.can_decline("admin-1", t).reason == "unknown-user"


def test_a_recipient_that_can_no_longer_hold_cannot_receive(org: bo.Org) -> None:
    custody = bo.Custody(org.deactivate("rep-b1"), sample_items())
    assert custody.can_accept("dist-b", transfer()) == bo.Decision(
        allowed=False, reason="recipient-inactive", suggestion="reactivate rep-b1"
    )
    assert custody.can_decline("dist-b", transfer())  # declining needs no custody


def test_a_transfer_to_someone_who_cannot_hold_can_only_be_declined(custody: bo.Custody) -> None:
    t = transfer(recipient="rm-east")
    assert custody.can_accept("rm-east", t).reason == "recipient-cannot-hold"
    assert custody.can_decline("rm-east", t).reason == "recipient"


@pytest.mark.parametrize("status", ["accepted", "declined", "hold"])
def test_only_a_pending_transfer_is_accepted_or_declined(custody: bo.Custody, status: str) -> None:
    t = transfer(status=status)
    assert custody.can_accept("rep-b1", t).reason == "transfer-not-pending"
    assert custody.can_decline("admin-1", t).reason == "transfer-not-pending"


def test_the_transfer_argument_must_be_a_transfer(custody: bo.Custody) -> None:
    for ask in (custody.can_accept, custody.can_decline):
        with pytest.raises(bo.InvalidValueError, match=r"expected a bo\.Transfer"):
            ask("rep-b1", {"id": "t-1"})  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match=r"expected a bo\.Transfer"):
        custody.settle("t-1", "accepted")  # type: ignore[arg-type]


# --- settling --------------------------------------------------------------------------------------


def test_accepting_moves_custody_to_the_recipient(custody: bo.Custody) -> None:
    t = transfer(items=("plate-b-1",))
    settled = custody.settle(t, "accepted", by="rep-b1")
    assert settled.status is bo.TransferStatus.ACCEPTED
    assert settled.transfer == attrs.evolve(t, status="accepted")
    assert settled.custodians == (("plate-b-1", "rep-b1"),)
    assert t.status is bo.TransferStatus.PENDING  # nothing changed in place
    assert custody.holdings("dist-b") == {"plate-b-1"}


def test_a_decline_puts_the_transfer_on_hold_for_the_sender(custody: bo.Custody) -> None:
    for by in ("rep-b1", "dist-b", "rm-east", None):
        settled = custody.settle(transfer(), bo.TransferStatus.DECLINED, by=by)
        assert settled.status is bo.TransferStatus.HOLD
        assert settled.custodians == (("plate-b-1", "dist-b"),)


def test_a_decline_by_an_org_wide_user_is_final(custody: bo.Custody) -> None:
    for by in ("owner", "admin-1", "ops-1"):
        settled = custody.settle(transfer(), "declined", by=by)
        assert settled.status is bo.TransferStatus.DECLINED
        assert settled.custodians == (("plate-b-1", "dist-b"),)


def test_a_transfer_of_several_items_moves_them_all(custody: bo.Custody) -> None:
    t = transfer(
        items=("screw-a-2", "screw-a-1"), sender="dist-a", recipient="rep-b2", started_by="rep-a1"
    )
    settled = custody.settle(t, "accepted", by="dist-b")
    assert settled.custodians == (("screw-a-2", "rep-b2"), ("screw-a-1", "rep-b2"))
    after = bo.Custody(custody.org, settled.apply(sample_items()))
    assert after.holdings("rep-b2") == {"screw-a-1", "screw-a-2"}
    assert after.holdings("dist-a") == {"plate-a-old"}
    assert len(after.items) == len(sample_items())


def test_apply_keeps_order_and_other_items_and_takes_any_rows(custody: bo.Custody) -> None:
    settled = custody.settle(transfer(), "accepted")
    items = sample_items()
    applied = settled.apply(items)
    assert [i.id for i in applied] == [i.id for i in items]
    changed = [
        (old.id, new.custodian) for old, new in zip(items, applied, strict=True) if old != new
    ]
    assert changed == [("plate-b-1", "rep-b1")]
    row = type(
        "Row", (), {"id": "plate-b-1", "custodian": "dist-b", "active": True, "expires": None}
    )
    assert settled.apply([row()]) == (bo.InventoryItem("plate-b-1", "rep-b1"),)
    with pytest.raises(bo.InvalidValueError, match="item #0 has no 'id'"):
        settled.apply([object()])


def test_a_declined_settlement_puts_only_its_items_on_hold(custody: bo.Custody) -> None:
    settled = custody.settle(transfer(), "declined")  # by nobody in particular: not org-wide
    changed = [
        (new.id, new.custodian, new.on_hold)
        for old, new in zip(sample_items(), settled.apply(sample_items()), strict=True)
        if old != new
    ]
    assert changed == [("plate-b-1", "dist-b", True)]
    final = custody.settle(transfer(), "declined", by="admin-1")
    assert final.apply(sample_items()) == sample_items()


@pytest.mark.parametrize(
    ("t", "outcome", "by", "match"),
    [
        (transfer(status="hold"), "accepted", None, "'t-1' is already hold"),
        (transfer(status="accepted"), "declined", None, "'t-1' is already accepted"),
        (transfer(items=("no-such",)), "accepted", None, "no item 'no-such' is known"),
        (transfer(items=("plate-b1-1",)), "accepted", None, "'plate-b1-1' is held by 'rep-b1', not by the sender 'dist-b'"),
        (transfer(), "accepted", "rep-b2", r"'rep-b2' may not accept transfer 't-1' \(not-recipient\)"),
        (transfer(), "declined", "nobody", r"'nobody' may not decline transfer 't-1' \(unknown-user\)"),
        (transfer(items=("screw-a-1",), sender="dist-a", recipient="rep-a1", started_by="rep-a1"), "accepted", "rep-a1", r"\(started-by-self\)"),
        (transfer(recipient="rm-east"), "accepted", None, r"recipient 'rm-east' cannot hold inventory \(recipient-cannot-hold\)"),
        (transfer(items=("screw-a1-spare",), sender="rep-a1", recipient="rep-a2", started_by="rep-a1"), "accepted", None, r"item 'screw-a1-spare' is inactive and cannot move"),
        (transfer(recipient="nobody"), "accepted", None, r"recipient 'nobody' cannot hold inventory \(unknown-user\)"),
    ],
)  # fmt: skip
def test_settling_what_cannot_be_settled_raises_a_transfer_error(
    custody: bo.Custody, t: bo.Transfer, outcome: str, by: str | None, match: str
) -> None:
    with pytest.raises(bo.TransferError, match=match):
        custody.settle(t, outcome, by=by)


@pytest.mark.parametrize("outcome", ["pending", "hold", "lost", None])
def test_the_outcome_is_accepted_or_declined(custody: bo.Custody, outcome: Any) -> None:
    with pytest.raises(bo.InvalidValueError, match=r"outcome|not a transfer status"):
        custody.settle(transfer(), outcome)


def test_a_transfer_error_is_an_org_error() -> None:
    assert issubclass(bo.TransferError, bo.OrgError)
    assert issubclass(bo.TransferError, ValueError)
