"""``Custody.can_use`` answers from per-user compiled look-ups and keeps nothing per question.

What the fast path compiles is a function of the org snapshot and the asking user (and, shared by
every user of a role, of the role): asking about more items never grows it, a denial's
suggestion is compiled with the user's look-up instead of walked per question, and every answer
is the one the rule table's full walk gives (``missing_edge`` over the suggestion candidates) and
agrees with the hand-written reference model of ``tests/test_stateful.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.rules import _compile
from beacon_org.rules._compile import Compiled, Look
from beacon_org.rules._explain import missing_edge
from beacon_org.rules._table import BACK_OFFICE, RULES, Grant
from beacon_org.testing import sample_items, sample_org
from beacon_org.testing.strategies import items, orgs
from test_stateful import Reference
from test_table_eval import planted, reference_of

ORG = sample_org()
ITEMS = list(sample_items())
DATES = (None, dt.date(2026, 1, 1), dt.date(2027, 6, 1), dt.date(2030, 1, 1))


def walked(org: bo.Org, user_id: str, item: bo.InventoryItem) -> bo.Decision:
    """The denial the table's full walk gives when no grant's chain reaches ``item``.

    A look-up compiled afresh and told to walk the suggestion candidates on the denial (as
    every look-up did before suggestions by the object's id were compiled with it).
    """
    compiled = Compiled(org.view, RULES)
    look = compiled.look("use_item", user_id)
    assert look is not None
    look.by_id = None
    if look.miss is None:
        look.candidates = None
    return missing_edge(compiled, look, item)[0]


def expected_use(
    org: bo.Org, ref: Reference, user_id: str, item: bo.InventoryItem, on: dt.date | None
) -> tuple[bool, str | None]:
    """Whether the reference model lets ``user_id`` use ``item``, and the item's own denial."""
    allowed = item.id in ref.usable(user_id, [item], on)
    if not item.active:
        return allowed, "item-inactive"
    if item.on_hold:
        return allowed, "item-on-hold"
    if on is not None and item.expires is not None and item.expires < on:
        return allowed, "item-expired"
    return allowed, None


def questions(org: bo.Org, some_items: list[bo.InventoryItem]) -> Iterator[tuple[str, Any]]:
    for user_id in org.users:
        for item in some_items:
            yield user_id, item


# --- the answers ----------------------------------------------------------------------------------


@given(orgs(min_users=1, max_users=12), st.data())
def test_can_use_agrees_with_the_reference_model_and_the_tables_walk(
    org: bo.Org, data: st.DataObject
) -> None:
    some_items = data.draw(st.lists(items(org), max_size=6, unique_by=lambda i: i.id))
    custody, ref = bo.Custody(org, some_items), reference_of(org)
    for user_id, item in questions(org, some_items):
        for on in DATES:
            decision = custody.can_use(user_id, item.id, on=on)
            allowed, item_denial = expected_use(org, ref, user_id, item, on)
            assert decision.allowed is allowed, (user_id, item, on)
            acting = ref.acts(user_id) is not None and not ref.users[user_id].custodian_only
            if acting and item_denial is not None:
                assert decision.reason == item_denial
        decision = custody.can_use(user_id, item.id)
        if not decision.allowed and decision.reason == "not-custodian":
            # The suggestion compiled with the user's look-up is the one the walk finds.
            assert decision == walked(org, user_id, item), (user_id, item)


def test_not_custodian_suggests_the_transfer_to_the_asking_user_or_the_org() -> None:
    custody = bo.Custody(ORG, ITEMS)
    assert custody.can_use("rep-b1", "drill-a1") == bo.Decision(
        allowed=False, reason="not-custodian", suggestion="transfer drill-a1 to rep-b1"
    )
    assert custody.can_use("admin-1", "drill-a1") == bo.Decision(
        allowed=False, reason="not-custodian", suggestion="transfer drill-a1 to @org"
    )
    # A regional manager holds nothing: a fixed denial, with nothing to suggest.
    assert custody.can_use("rm-west", "drill-a1") == bo.Decision(
        allowed=False, reason="cannot-hold"
    )
    for user_id, item in questions(ORG, ITEMS):
        decision = custody.can_use(user_id, item.id)
        if decision.reason == "not-custodian":
            assert decision == walked(ORG, user_id, item)


def test_the_fast_path_answers_as_the_full_path_on_every_question() -> None:
    # The full path (first asks, dates, odd ids) reads the item's record and matches its
    # fields; the fast path reads the compiled holder entry. Both give the same decision.
    for org in (ORG, ORG.configure(field_users_can_transfer=False)):
        custody = bo.Custody(org, ITEMS)
        ids = [item.id for item in ITEMS] + ["no-such-item"]
        for user_id in [*org.users, "nobody"]:
            for item_id in ids:
                full = custody._can_use(user_id, item_id, None)
                assert custody.can_use(user_id, item_id) == full, (user_id, item_id)
                assert custody.can_use(user_id, item_id) == full  # compiled now


@pytest.mark.parametrize(
    ("user_id", "item_id", "reason"),
    [
        (["not", "hashable"], "drill-a1", "unknown-user"),
        (7, "drill-a1", "unknown-user"),
        ("nobody", ["not", "hashable"], "unknown-user"),
        ("rep-a1", ["not", "hashable"], "unknown-item"),
        ("rep-a1", None, "unknown-item"),
        ("rep-new", ["not", "hashable"], "locked"),
    ],
)
def test_odd_ids_are_denials_never_errors(user_id: Any, item_id: Any, reason: str) -> None:
    custody = bo.Custody(ORG, ITEMS)
    custody.can_use("rep-a1", "drill-a1")  # rep-a1's look-up compiled: the fast path
    assert custody.can_use(user_id, item_id).reason == reason


def test_a_bad_date_raises_before_anything_is_looked_up() -> None:
    custody = bo.Custody(ORG, ITEMS)
    for user_id in ("rep-a1", "nobody"):
        with pytest.raises(bo.InvalidValueError, match="on"):
            custody.can_use(user_id, "drill-a1", on="2026-01-01")  # type: ignore[arg-type]


def test_a_table_whose_use_grants_start_elsewhere_takes_the_full_path() -> None:
    # A planted grant through the organisation (every item) is not keyed by the item's holder:
    # the holder-only fast path would miss it, so such a Custody always matches the record.
    rules = planted("use_item", Grant("org-wide-use", ("org", "back_office"), BACK_OFFICE))
    custody = bo.Custody(ORG, ITEMS, _rules=rules)
    assert custody.can_use("admin-1", "drill-a1").reason == "org-wide-use"
    assert custody.can_use("admin-1", "drill-a1").reason == "org-wide-use"  # asked again
    assert bo.Custody(ORG, ITEMS).can_use("admin-1", "drill-a1").reason == "not-custodian"


# --- what is compiled, and when --------------------------------------------------------------------


def compiled_size(custody: bo.Custody) -> tuple[int, ...]:
    """How much a Custody has compiled: look-ups, shared values, per-role plans, entries."""
    compiled = custody._compiled
    looks = compiled.looks["use_item"]
    entries = sum(len(table) for look in looks.values() for table in look.fields.values())
    return len(looks), len(compiled.same), len(compiled.plans), entries


def test_asking_about_more_items_compiles_nothing_more() -> None:
    items_ = [bo.InventoryItem(f"i-{n}", holder) for n, holder in enumerate(ORG.users)]
    custody = bo.Custody(ORG, items_)
    custody.can_use("rep-a1", items_[0].id)
    before = compiled_size(custody)
    decisions = [custody.can_use("rep-a1", item.id) for item in items_]
    assert {d.reason for d in decisions} >= {"own-custody", "shared-inventory", "not-custodian"}
    assert compiled_size(custody) == before  # one user's look-up, whatever it is asked about


def test_users_of_a_role_share_one_plan_and_their_common_denials() -> None:
    org = ORG
    for n in range(5):
        org = org.add_user(f"rep-x{n}", email=f"x{n}@example.com", role="sales")
        org = org.complete_training(f"rep-x{n}").assign_rep(f"rep-x{n}", "dist-b")
    custody = bo.Custody(org, ITEMS)
    reps = [f"rep-x{n}" for n in range(5)]
    for rep in reps:
        assert custody.can_use(rep, "plate-b-1").reason == "not-shared"  # dist-b does not share
    compiled = custody._compiled
    assert [key for key in compiled.plans if key[0] == "use_item"] == [("use_item", bo.Role.SALES)]
    looks = compiled.looks["use_item"]
    entries = {id(looks[rep].t0["dist-b"]) for rep in reps}
    assert len(entries) == 1  # one "not shared" entry for every rep of dist-b


def test_a_first_ask_walks_each_grant_once_and_a_denial_walks_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps: list[str] = []
    walks: list[object] = []
    reverse, walk_back = _compile.reverse, _compile.walk_back

    def counted_reverse(view: object, relation: str, target: str) -> object:
        steps.append(relation)
        return reverse(view, relation, target)  # type: ignore[arg-type]

    def counted_walk_back(*args: Any) -> Any:
        walks.append(args)
        return walk_back(*args)

    monkeypatch.setattr(_compile, "reverse", counted_reverse)
    monkeypatch.setattr(_compile, "walk_back", counted_walk_back)
    custody = bo.Custody(ORG, ITEMS)
    assert custody.can_use("rep-a1", "plate-b-1").reason == "not-custodian"
    # A sales rep's grants: its own custody (no step back) and its distributor's pool (one).
    assert steps == ["rep"]
    assert walks == []  # the suggestion came with the look-up, not from walking candidates
    for item in ITEMS:
        custody.can_use("rep-a1", item.id)
        custody.can_use("rep-a1", item.id, on=dt.date(2026, 6, 1))
    assert steps == ["rep"]
    assert walks == []


def test_look_ups_hold_only_what_the_snapshot_and_user_decide() -> None:
    # Two Custody objects over the same org compile equal look-ups whatever they were asked.
    first, second = bo.Custody(ORG, ITEMS), bo.Custody(ORG, ITEMS[:1])
    for item in ITEMS:
        first.can_use("rep-a2", item.id)
    second.can_use("rep-a2", ITEMS[0].id)

    def shape(look: Look) -> tuple[Any, ...]:
        fields = {
            name: {key: (type(e).__name__, e.index, e.prefix) for key, e in table.items()}
            for name, table in look.fields.items()
        }
        return fields, look.by_id, look.miss, look.acting, look.denial

    a = first._compiled.looks["use_item"]["rep-a2"]
    b = second._compiled.looks["use_item"]["rep-a2"]
    assert shape(a) == shape(b)
    assert attrs.asdict(first.can_use("rep-a2", "screw-a-1")) == {
        "allowed": True,
        "reason": "shared-inventory",
        "path": ("rep-a2", "dist-a", "screw-a-1"),
        "suggestion": None,
    }


# --- the yes/no form ------------------------------------------------------------------------------


@given(orgs(min_users=1, max_users=12), st.data())
def test_may_use_answers_as_can_use(org: bo.Org, data: st.DataObject) -> None:
    some_items = data.draw(st.lists(items(org), max_size=6, unique_by=lambda i: i.id))
    custody = bo.Custody(org, some_items)
    ids = [i.id for i in some_items] + ["no-such-item"]
    for user_id in [*org.users, "nobody"]:
        for item_id in ids:
            for on in DATES:
                # Twice: a first ask compiles the look-up, the second takes the hot path.
                for _ in range(2):
                    expected = custody.can_use(user_id, item_id, on=on).allowed
                    assert custody.may_use(user_id, item_id, on=on) is expected


def test_may_use_on_the_sample_org_and_odd_input() -> None:
    custody = bo.Custody(ORG, ITEMS)
    answers = {
        (u, i.id): custody.may_use(u, i.id) for u in sorted(ORG.users) for i in ITEMS for _ in "ab"
    }
    assert answers == {(u, i): custody.can_use(u, i).allowed for u, i in answers}
    assert any(answers.values())
    assert not all(answers.values())
    assert custody.may_use(["not", "hashable"], "drill-a1") is False  # type: ignore[arg-type]
    assert custody.may_use("rep-a1", ["not", "hashable"]) is False  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError):
        custody.may_use("rep-a1", "drill-a1", on="2026-01-01")  # type: ignore[arg-type]
