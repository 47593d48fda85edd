"""Random histories of changes, valid and invalid, against a deliberately simple reference model.

The reference model below is written from API.md alone: plain dicts and sets, every rule a line or
two, nothing cached or derived. After every step the ``Org`` and the model must agree on every
structure query and on the rules (``Visibility``, ``Custody``) for every user id the machine uses
(known or not), and a change the model rejects must raise an ``OrgError`` and leave the org equal to
what it was.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import beacon_org as bo
from beacon_org.testing import Change
from beacon_org.testing.strategies import changes

ORG = bo.ORG_CUSTODY
# Small pools, so that ids, emails and region names collide often and invalid changes abound.
USER_IDS = ("ann", "bob", "cat", "dan", "eve", "fay", "gus")
REGION_IDS = ("west", "east", "ann")  # "ann" clashes with a user id on purpose
EMAILS = (
    "ann@init.example",
    "p@e.example",
    "q@e.example",
    "P@E.example",
    "r@e.example",
    "s@e.example",
)
ROLES = tuple(r.value for r in bo.Role)
FACILITIES = ("mercy", "lukes")
DAY = dt.date(2027, 6, 1)
EXPIRIES = (DAY - dt.timedelta(days=1), DAY)  # expired on DAY, and usable on its last day
ORG_WIDE = {"primary_admin", "admin", "operations"}
CANNOT_HOLD = ORG_WIDE | {"regional_manager"}
HAS_REGION = {"sales", "distributor"}
FIELD = HAS_REGION  # the users the reopen and transfer settings speak of
CLOSED = {"paid", "completed", "closed", "cancelled"}


class Rejected(Exception):
    """The reference model refuses a change."""


@dataclass
class RefUser:
    role: str
    email: str
    region: str | None = None
    facilities: frozenset[str] = frozenset()
    records: frozenset[str] = frozenset()
    trained: bool = False
    active: bool = True
    custodian_only: bool = False


@dataclass
class Reference:
    users: dict[str, RefUser] = field(default_factory=dict)
    regions: dict[str, str | None] = field(default_factory=dict)  # region -> manager
    distributor: dict[str, str] = field(default_factory=dict)  # rep -> distributor
    sharing: set[str] = field(default_factory=set)
    reopen: bool = False
    field_transfers: bool = True

    # --- changes (each mutates a copy; Rejected means the change is invalid) ------------------

    def user(self, uid: str) -> RefUser:
        if uid not in self.users:
            raise Rejected
        return self.users[uid]

    def add_user(self, uid: str, email: str, role: str, region: str | None, cust: bool) -> None:
        if uid in self.users or uid in self.regions or uid == ORG:
            raise Rejected
        if email.lower() in {u.email for u in self.users.values()}:
            raise Rejected
        self.check_region(role, region)
        if cust and role in CANNOT_HOLD:
            raise Rejected
        self.users[uid] = RefUser(role, email.lower(), region, custodian_only=cust)

    def check_region(self, role: str, region: str | None) -> None:
        if region is not None and (role not in HAS_REGION or region not in self.regions):
            raise Rejected

    def add_region(self, rid: str, manager: str | None) -> None:
        if rid in self.users or rid in self.regions or rid == ORG:
            raise Rejected
        self.check_manager(manager)
        self.regions[rid] = manager

    def check_manager(self, manager: str | None) -> None:
        if manager is not None and self.user(manager).role != "regional_manager":
            raise Rejected

    def set_region(self, uid: str, region: str | None) -> None:
        self.check_region(self.user(uid).role, region)
        self.users[uid].region = region

    def set_region_manager(self, rid: str, manager: str | None) -> None:
        if rid not in self.regions:
            raise Rejected
        self.check_manager(manager)
        self.regions[rid] = manager

    def assign_rep(self, rep: str, dist: str) -> None:
        if self.user(rep).role != "sales" or self.user(dist).role != "distributor":
            raise Rejected
        if self.distributor.get(rep, dist) != dist:
            raise Rejected
        self.distributor[rep] = dist

    def unassign_rep(self, rep: str) -> None:
        self.user(rep)
        if rep not in self.distributor:
            raise Rejected
        del self.distributor[rep]

    def set_shared_inventory(self, dist: str, on: bool) -> None:
        if self.user(dist).role != "distributor":
            raise Rejected
        (self.sharing.add if on else self.sharing.discard)(dist)

    def set_flag(self, uid: str, name: str, value: bool) -> None:
        user = self.user(uid)
        if name == "trained" and user.trained and not value:
            raise Rejected
        if name == "custodian_only" and value and user.role in CANNOT_HOLD:
            raise Rejected
        setattr(user, name, value)

    def set_role(self, uid: str, role: str) -> None:
        if self.user(uid).role != role:
            raise Rejected

    def promote(self, uid: str) -> None:
        if self.user(uid).role != "operations":
            raise Rejected
        self.users[uid].role = "admin"

    def configure(self, name: str, value: bool) -> None:
        if name == "field_users_can_reopen_cases":
            self.reopen = value
        else:
            self.field_transfers = value

    # --- structure queries ----------------------------------------------------------------------

    def members(self, rid: str) -> set[str]:
        return {u for u, user in self.users.items() if user.region == rid}

    def managed(self, uid: str) -> set[str]:
        return {r for r, m in self.regions.items() if m == uid}

    def reps(self, dist: str) -> set[str]:
        return {r for r, d in self.distributor.items() if d == dist}

    def members_of_managed(self, uid: str) -> set[str]:
        return {m for r in self.managed(uid) for m in self.members(r)}

    # --- rules ------------------------------------------------------------------------------------

    def acts(self, uid: str) -> RefUser | None:
        # A user that may act at all: known, active, trained unless org-wide.
        user = self.users.get(uid)
        if user is None or not user.active or (user.role not in ORG_WIDE and not user.trained):
            return None
        return user

    def related(self, uid: str, user: RefUser, case: bo.Case, *, edit: bool) -> bool:
        people = {case.representative, case.sub_rep} - {None}
        if user.custodian_only:
            return not edit and case.representative == uid
        if user.role in ORG_WIDE:
            return True
        if user.role == "sales":
            return case.representative == uid if edit else uid in people
        if user.role == "distributor":
            return bool(people & ({uid} | self.reps(uid)))
        if user.role == "regional_manager":
            return bool(people & self.members_of_managed(uid))
        # facility manager: its own cases; the cases at its facilities only for viewing
        own = case.representative == uid
        return own if edit else own or case.facility in user.facilities

    def can_view(self, uid: str, case: bo.Case) -> bool:
        user = self.acts(uid)
        return user is not None and self.related(uid, user, case, edit=False)

    def can_edit(self, uid: str, case: bo.Case) -> bool:
        user = self.acts(uid)
        if user is None or (case.status in CLOSED and user.role not in ORG_WIDE):
            return False
        return self.related(uid, user, case, edit=True)

    def can_reopen(self, uid: str, case: bo.Case) -> bool:
        user = self.acts(uid)
        if user is None or case.status not in CLOSED or user.custodian_only:
            return False
        if user.role in ORG_WIDE:
            return True
        return self.reopen and user.role in FIELD and self.related(uid, user, case, edit=True)

    def can_pull_reports(self, uid: str, about: str) -> bool:
        user = self.acts(uid)
        if user is None or user.custodian_only or about not in self.users:
            return False
        return (
            user.role in ORG_WIDE
            or about == uid
            or (user.role == "distributor" and about in self.reps(uid))
            or (user.role == "regional_manager" and about in self.members_of_managed(uid))
        )

    def sources(self, uid: str) -> set[str]:
        # The custodians whose items ``uid`` may use.
        user = self.acts(uid)
        if user is None or user.custodian_only or user.role == "regional_manager":
            return set()
        if user.role in ORG_WIDE:
            return {ORG}
        dist = self.distributor.get(uid)
        pool = dist in self.sharing and self.users[dist].active
        return {uid} | ({dist} if pool else set())

    def usable(self, uid: str, items: list[bo.InventoryItem], on: dt.date | None) -> set[str]:
        sources = self.sources(uid)
        return {
            i.id
            for i in items
            if i.custodian in sources
            and i.active
            and not i.on_hold
            and (on is None or i.expires is None or i.expires >= on)
        }

    def visible(self, uid: str, items: list[bo.InventoryItem]) -> set[str]:
        user = self.acts(uid)
        if user is None or user.custodian_only:
            return set()
        if user.role in ORG_WIDE:
            return {i.id for i in items}
        if user.role == "regional_manager":
            holders = self.members_of_managed(uid)
        elif user.role == "distributor":
            holders = {uid} | self.reps(uid)
        else:
            holders = self.sources(uid) - {ORG}
        return {i.id for i in items if i.custodian in holders}

    def may_move(self, uid: str, user: RefUser, custodian: str) -> bool:
        if user.role in ORG_WIDE:
            return True
        if user.role == "regional_manager":
            return custodian in self.members_of_managed(uid)
        if user.role == "distributor":
            return custodian == uid or self.distributor.get(custodian) == uid
        return custodian in self.sources(uid)

    def can_transfer(self, uid: str, item: bo.InventoryItem | None, to: str) -> bool:
        user = self.acts(uid)
        if user is None or user.custodian_only or item is None:
            return False
        if not item.active or item.on_hold:
            return False
        if user.role in FIELD and not self.field_transfers:
            return False
        recipient = self.users.get(to)
        if to != ORG and (
            recipient is None or not recipient.active or recipient.role in CANNOT_HOLD
        ):
            return False
        if user.role == "regional_manager" and to not in self.members_of_managed(uid):
            return False
        if user.role == "facility_manager" and to != ORG:
            assert recipient is not None
            if not user.facilities & (recipient.facilities | recipient.records):
                return False
        return to != item.custodian and self.may_move(uid, user, item.custodian)

    def can_release(self, uid: str, item: bo.InventoryItem | None) -> bool:
        user = self.acts(uid)
        return user is not None and user.role in ORG_WIDE and item is not None and item.on_hold


def ref_apply(ref: Reference, change: Change) -> None:
    """Apply a :class:`Change` as drawn by ``changes()`` to the reference model."""
    args, kw = change.args, dict(change.kwargs)
    match change.method:
        case "add_user":
            ref.add_user(args[0], kw["email"], kw["role"], kw.get("region"), False)
            ref.users[args[0]].facilities = frozenset(kw.get("facilities", ()))
        case "add_region":
            ref.add_region(args[0], kw.get("manager"))
        case "configure":
            for name, value in kw.items():
                ref.configure(name, value)
        case "promote_to_admin":
            ref.promote(args[0])
        case "complete_training":
            ref.set_flag(args[0], "trained", True)
        case "deactivate" | "reactivate":
            ref.set_flag(args[0], "active", change.method == "reactivate")
        case "assign_directory_records":
            ref.user(args[0]).records |= frozenset(args[1])
        case "remove_directory_records":
            ref.user(args[0]).records -= frozenset(args[1])
        case "update_user":
            ref.user(args[0])
            if "custodian_only" in kw:
                ref.set_flag(args[0], "custodian_only", kw["custodian_only"])
        case "set_region":
            ref.set_region(*args)
        case "set_region_manager":
            ref.set_region_manager(*args)
        case "set_shared_inventory":
            ref.set_shared_inventory(*args)
        case "assign_rep":
            ref.assign_rep(*args)
        case "unassign_rep":
            ref.unassign_rep(*args)
        case _:  # pragma: no cover - a new change method needs a line here
            raise AssertionError(change.method)


def _maybe(values: tuple[str, ...]) -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(values) if values else st.none()


class OrgMachine(RuleBasedStateMachine):
    """Applies the same change to an ``Org`` and to the reference model, then compares them."""

    def __init__(self) -> None:
        super().__init__()
        self.org = bo.Org()
        self.ref = Reference()
        self.cases: dict[str, bo.Case] = {}
        self.items: dict[str, bo.InventoryItem] = {}
        self.applied = self.rejected = 0

    def apply(self, change: Change, ref_change: Any) -> None:
        ref = copy.deepcopy(self.ref)
        try:
            ref_change(ref)
            expected_ok = True
        except Rejected:
            expected_ok = False
        before, snapshot = self.org, bo.to_dict(self.org)
        try:
            new = change.apply(self.org)
        except bo.OrgError:
            assert not expected_ok, f"{change} was refused but the reference model accepts it"
            # A rejected change left the org untouched.
            assert before == self.org
            assert bo.to_dict(self.org) == snapshot
            self.rejected += 1
            return
        assert expected_ok, f"{change} was accepted but the reference model refuses it"
        assert bo.to_dict(before) == snapshot  # the receiver never changes
        self.org, self.ref = new, ref
        self.applied += 1

    @initialize(data=st.data())
    def a_populated_org(self, data: st.DataObject) -> None:
        # Random rules alone rarely reach a trained regional manager over a region with members and
        # a group with cases and items; seed such a shape (through the same checked path), then let
        # the rules below change it.
        roles = data.draw(st.lists(st.sampled_from(ROLES), min_size=2, max_size=len(USER_IDS)))
        users = USER_IDS[: len(roles)]
        for uid, role in zip(users, roles, strict=True):
            self.add_user(uid, f"{uid}@init.example", role, None, False)
        by_role = {
            r: tuple(u for u, ur in zip(users, roles, strict=True) if ur == r) for r in ROLES
        }
        for rid in REGION_IDS[:2]:
            self.add_region(rid, data.draw(_maybe(by_role["regional_manager"])))
        for uid, role in zip(users, roles, strict=True):
            if role in HAS_REGION:
                self.set_region(uid, data.draw(_maybe(REGION_IDS[:2])))
            if role == "sales" and by_role["distributor"]:
                self.assign_rep(uid, data.draw(st.sampled_from(by_role["distributor"])))
            if role == "distributor":
                self.set_shared_inventory(uid, data.draw(st.booleans()))
            if data.draw(st.integers(0, 4)) > 0:
                self.complete_training(uid)
            # Facilities and directory records, so facility managers have someone to send to.
            facilities = data.draw(st.frozensets(st.sampled_from(FACILITIES), max_size=1))
            if role == "facility_manager":
                self.set_facilities(uid, facilities)
            elif facilities:
                self.change_directory_records(uid, facilities, True)
        for n in range(data.draw(st.integers(2, 6))):
            self.add_case(
                n,
                data.draw(st.sampled_from(users)),
                data.draw(_maybe(users)),
                data.draw(_maybe(FACILITIES)),
                data.draw(st.sampled_from(tuple(bo.CaseStatus))),
            )
        for n in range(data.draw(st.integers(2, 6))):
            self.add_item(
                n,
                data.draw(st.sampled_from((*users, ORG))),
                data.draw(st.booleans()),
                data.draw(st.none() | st.sampled_from(EXPIRIES)),
                data.draw(st.integers(0, 3)) == 0,
            )

    # --- changes, drawn from small pools so that many of them are invalid --------------------

    @rule(
        uid=st.sampled_from((*USER_IDS, "west", ORG)),
        email=st.sampled_from(EMAILS),
        role=st.sampled_from(ROLES),
        region=_maybe(REGION_IDS),
        cust=st.booleans(),
    )
    def add_user(self, uid: str, email: str, role: str, region: str | None, cust: bool) -> None:
        kwargs: dict[str, Any] = {"email": email, "role": role, "custodian_only": cust}
        if region is not None:
            kwargs["region"] = region
        self.apply(
            Change("add_user", (uid,), kwargs),
            lambda ref: ref.add_user(uid, email, role, region, cust),
        )

    @rule(rid=st.sampled_from((*REGION_IDS, ORG)), manager=_maybe(USER_IDS))
    def add_region(self, rid: str, manager: str | None) -> None:
        self.apply(
            Change("add_region", (rid,), {"manager": manager}),
            lambda ref: ref.add_region(rid, manager),
        )

    @rule(uid=st.sampled_from(USER_IDS), region=_maybe(REGION_IDS))
    def set_region(self, uid: str, region: str | None) -> None:
        self.apply(Change("set_region", (uid, region)), lambda ref: ref.set_region(uid, region))

    @rule(rid=st.sampled_from(REGION_IDS), manager=_maybe(USER_IDS))
    def set_region_manager(self, rid: str, manager: str | None) -> None:
        self.apply(
            Change("set_region_manager", (rid, manager)),
            lambda ref: ref.set_region_manager(rid, manager),
        )

    @rule(rep=st.sampled_from(USER_IDS), dist=st.sampled_from(USER_IDS))
    def assign_rep(self, rep: str, dist: str) -> None:
        self.apply(Change("assign_rep", (rep, dist)), lambda ref: ref.assign_rep(rep, dist))

    @rule(rep=st.sampled_from(USER_IDS))
    def unassign_rep(self, rep: str) -> None:
        self.apply(Change("unassign_rep", (rep,)), lambda ref: ref.unassign_rep(rep))

    @rule(dist=st.sampled_from(USER_IDS), on=st.booleans())
    def set_shared_inventory(self, dist: str, on: bool) -> None:
        self.apply(
            Change("set_shared_inventory", (dist, on)),
            lambda ref: ref.set_shared_inventory(dist, on),
        )

    @rule(
        uid=st.sampled_from(USER_IDS),
        flag=st.sampled_from(("training_complete", "active", "custodian_only")),
        value=st.booleans(),
    )
    def update_flag(self, uid: str, flag: str, value: bool) -> None:
        name = {"training_complete": "trained"}.get(flag, flag)
        self.apply(
            Change("update_user", (uid,), {flag: value}),
            lambda ref: ref.set_flag(uid, name, value),
        )

    @rule(uid=st.sampled_from(USER_IDS), method=st.sampled_from(("deactivate", "reactivate")))
    def deactivate_or_reactivate(self, uid: str, method: str) -> None:
        value = method == "reactivate"
        self.apply(Change(method, (uid,)), lambda ref: ref.set_flag(uid, "active", value))

    @rule(uid=st.sampled_from(USER_IDS))
    def complete_training(self, uid: str) -> None:
        self.apply(
            Change("complete_training", (uid,)), lambda ref: ref.set_flag(uid, "trained", True)
        )

    @rule(uid=st.sampled_from(USER_IDS), role=st.sampled_from(ROLES))
    def try_to_change_a_role(self, uid: str, role: str) -> None:
        self.apply(
            Change("update_user", (uid,), {"role": role}), lambda ref: ref.set_role(uid, role)
        )

    @rule(uid=st.sampled_from(USER_IDS), facilities=st.frozensets(st.sampled_from(FACILITIES)))
    def set_facilities(self, uid: str, facilities: frozenset[str]) -> None:
        def ref_change(ref: Reference) -> None:
            ref.user(uid).facilities = facilities

        self.apply(Change("update_user", (uid,), {"facilities": facilities}), ref_change)

    @rule(
        name=st.sampled_from(("field_users_can_reopen_cases", "field_users_can_transfer")),
        on=st.booleans(),
    )
    def configure(self, name: str, on: bool) -> None:
        self.apply(Change("configure", (), {name: on}), lambda ref: ref.configure(name, on))

    @rule(uid=st.sampled_from(USER_IDS))
    def promote_to_admin(self, uid: str) -> None:
        self.apply(Change("promote_to_admin", (uid,)), lambda ref: ref.promote(uid))

    @rule(
        uid=st.sampled_from(USER_IDS),
        records=st.frozensets(st.sampled_from(FACILITIES), min_size=1),
        add=st.booleans(),
    )
    def change_directory_records(self, uid: str, records: frozenset[str], add: bool) -> None:
        def ref_change(ref: Reference) -> None:
            user = ref.user(uid)
            user.records = user.records | records if add else user.records - records

        method = "assign_directory_records" if add else "remove_directory_records"
        self.apply(Change(method, (uid, records)), ref_change)

    @rule(data=st.data())
    def a_change_the_strategy_draws(self, data: st.DataObject) -> None:
        change = data.draw(changes(self.org))
        applied = self.applied
        self.apply(change, lambda ref: ref_apply(ref, change))
        assert self.applied == applied + 1, f"changes() drew {change}, which the org refused"

    # --- cases and items, naming known and unknown users ------------------------------------------

    @rule(
        n=st.integers(0, 5),
        representative=st.sampled_from(USER_IDS),
        sub_rep=_maybe(USER_IDS),
        facility=_maybe(FACILITIES),
        status=st.sampled_from(tuple(bo.CaseStatus)),
    )
    def add_case(
        self,
        n: int,
        representative: str,
        sub_rep: str | None,
        facility: str | None,
        status: bo.CaseStatus,
    ) -> None:
        sub_rep = None if sub_rep == representative else sub_rep
        case = bo.Case(f"c{n}", representative, sub_rep=sub_rep, facility=facility, status=status)
        self.cases[case.id] = case

    @rule(
        n=st.integers(0, 5),
        custodian=st.sampled_from((*USER_IDS, ORG)),
        active=st.booleans(),
        expires=st.none() | st.sampled_from(EXPIRIES),
        on_hold=st.booleans(),
    )
    def add_item(
        self, n: int, custodian: str, active: bool, expires: dt.date | None, on_hold: bool
    ) -> None:
        self.items[f"i{n}"] = bo.InventoryItem(
            f"i{n}", custodian, active=active, expires=expires, on_hold=on_hold
        )

    # --- after every step ----------------------------------------------------------------------------

    @invariant()
    def structure_agrees(self) -> None:
        org, ref = self.org, self.ref
        assert set(org.users) == set(ref.users)
        assert set(org.regions) == set(ref.regions)
        for uid, expected in ref.users.items():
            user = org.user(uid)
            got = (user.role.value, user.email, user.region, user.facilities, user.directory_records, user.training_complete, user.active, user.custodian_only)  # fmt: skip
            assert got == (expected.role, expected.email, expected.region, expected.facilities, expected.records, expected.trained, expected.active, expected.custodian_only)  # fmt: skip
            assert org.distributor_of(uid) == ref.distributor.get(uid)
            assert org.reps_of(uid) == ref.reps(uid)
            assert org.managed_regions(uid) == ref.managed(uid)
            assert org.shares_inventory(uid) == (uid in ref.sharing)
        for rid, manager in ref.regions.items():
            assert org.region(rid).manager == manager
            assert org.region_members(rid) == ref.members(rid)
        assert org.distributors == {u for u, x in ref.users.items() if x.role == "distributor"}
        assert org.settings.field_users_can_reopen_cases == ref.reopen
        assert org.settings.field_users_can_transfer == ref.field_transfers
        for uid in set(USER_IDS) - set(ref.users):
            assert uid not in org.users
        assert bo.from_dict(bo.to_dict(org)) == org

    @invariant()
    def case_rules_agree(self) -> None:
        vis = bo.Visibility(self.org)
        for uid in USER_IDS:
            for case in self.cases.values():
                assert bool(vis.can_view_case(uid, case)) == self.ref.can_view(uid, case), (
                    uid,
                    case,
                )
                assert bool(vis.can_edit_case(uid, case)) == self.ref.can_edit(uid, case), (
                    uid,
                    case,
                )
                assert bool(vis.can_reopen_case(uid, case)) == self.ref.can_reopen(uid, case), (uid, case)  # fmt: skip
            for about in USER_IDS:
                assert bool(vis.can_pull_reports(uid, about)) == self.ref.can_pull_reports(uid, about), (uid, about)  # fmt: skip

    @invariant()
    def custody_rules_agree(self) -> None:
        items = list(self.items.values())
        custody = bo.Custody(self.org, items)
        for uid in USER_IDS:
            assert custody.usable_inventory(uid) == self.ref.usable(uid, items, None), uid
            assert custody.usable_inventory(uid, on=DAY) == self.ref.usable(uid, items, DAY), uid
            assert custody.visible_inventory(uid) == self.ref.visible(uid, items), uid
            for item_id in (*self.items, "no-such-item"):
                expected_release = self.ref.can_release(uid, self.items.get(item_id))
                assert bool(custody.can_release(uid, item_id)) == expected_release, (uid, item_id)
                for to in (*USER_IDS, ORG):
                    expected = self.ref.can_transfer(uid, self.items.get(item_id), to)
                    got = custody.can_transfer(uid, item_id, to)
                    assert bool(got) == expected, (uid, item_id, to, got)


# max_examples comes from the loaded profile (tests/conftest.py).
OrgMachine.TestCase.settings = settings(
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestOrgAgainstReference = OrgMachine.TestCase
