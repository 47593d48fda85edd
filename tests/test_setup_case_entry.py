"""check_setup's case-entry findings without compiling every distributor's look-up.

Whether a distributor can enter cases for its reps is the rule table's ``create_case``. When every
grant the distributor's role holds stands for it unconditionally, the reps its chains reach are
granted without asking ``can_create_case`` per rep (which compiles the distributor's look-up,
walking all of its reps); otherwise the full question decides, as before. These tests check
that the shortcut changes no finding, and that it is taken.
"""

from __future__ import annotations

from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.rules import _compile, _setup
from beacon_org.testing import sample_items, sample_org
from beacon_org.testing.strategies import items, orgs

RECORDS = ("mercy-general", "dr-okafor")


def groups(distributors: int, reps: int) -> bo.Org:
    """``distributors`` groups of ``reps`` reps each, every user trained and with records."""
    org = bo.Org().add_user("owner", email="owner@acme.example", role="primary_admin")
    for d in range(distributors):
        org = org.add_user(f"dist-{d}", email=f"orders@d{d}.example", role="distributor")
        org = org.complete_training(f"dist-{d}").assign_directory_records(f"dist-{d}", RECORDS)
        for r in range(reps):
            rep = f"rep-{d}-{r}"
            org = org.add_user(rep, email=f"{rep}@d{d}.example", role="sales")
            org = org.complete_training(rep).assign_directory_records(rep, RECORDS[r % 2 :])
            org = org.assign_rep(rep, f"dist-{d}")
    return org


def without_shortcut(org: bo.Org, its: object = (), **kw: object) -> list[bo.Finding]:
    """check_setup as it was: the full question for every rep and record."""
    with mock.patch.object(_setup, "_surely_enters_for", return_value=frozenset()):
        return bo.check_setup(org, its, **kw)  # type: ignore[arg-type]


class CountingCompiles:
    """Counts the compiled look-ups built, per permission."""

    def __init__(self) -> None:
        self.built: list[tuple[str, str]] = []
        self._compile = _compile.compile_look

    def __call__(self, compiled: object, user: bo.User, permission: object) -> object:
        self.built.append((permission.name, user.id))  # type: ignore[attr-defined]
        return self._compile(compiled, user, permission)  # type: ignore[arg-type]


def test_distributors_that_may_act_get_no_look_up_compiled() -> None:
    org = groups(distributors=4, reps=5)
    counting = CountingCompiles()
    with mock.patch.object(_compile, "compile_look", counting):
        findings = bo.check_setup(org)
    assert "distributor-cannot-enter-cases" not in {f.code for f in findings}
    assert [who for who in counting.built if who[0] == "create_case"] == []
    # without the shortcut, one look-up per distributor (the way it was)
    counting = CountingCompiles()
    with mock.patch.object(_compile, "compile_look", counting):
        assert without_shortcut(org) == findings
    assert sorted(u for p, u in counting.built if p == "create_case") == [
        f"dist-{d}" for d in range(4)
    ]


def test_a_distributor_that_may_not_act_is_asked_the_full_question() -> None:
    org = groups(distributors=3, reps=2).update_user("dist-1", custodian_only=True)
    counting = CountingCompiles()
    with mock.patch.object(_compile, "compile_look", counting):
        findings = bo.check_setup(org)
    assert sorted(u for p, u in counting.built if p == "create_case") == ["dist-1"]
    entering = [f for f in findings if f.code == "distributor-cannot-enter-cases"]
    assert [f.subject for f in entering] == ["rep-1-0", "rep-1-1"]
    assert entering[0].message == (
        "distributor dist-1 cannot enter cases for rep-1-0 at any of its directory records "
        "(custodian-only): turn off custodian-only for dist-1"
    )
    assert findings == without_shortcut(org)


def test_a_locked_distributor_is_asked_the_full_question() -> None:
    org = groups(distributors=2, reps=2).add_user(
        "dist-9", email="orders@d9.example", role="distributor"
    )
    org = org.assign_directory_records("dist-9", RECORDS)
    org = org.add_user("rep-9", email="rep-9@d9.example", role="sales").complete_training("rep-9")
    org = org.assign_directory_records("rep-9", RECORDS).assign_rep("rep-9", "dist-9")
    findings = bo.check_setup(org)
    entering = [f for f in findings if f.code == "distributor-cannot-enter-cases"]
    assert [(f.subject, f.message.rsplit("(", 1)[1]) for f in entering] == [
        ("rep-9", "locked): complete training for dist-9")
    ]
    assert findings == without_shortcut(org)


def test_the_sample_org_findings_are_those_of_the_full_question() -> None:
    assert bo.check_setup(sample_org(), sample_items()) == without_shortcut(
        sample_org(), sample_items()
    )


@st.composite
def org_and_items(draw: st.DrawFn) -> tuple[bo.Org, list[bo.InventoryItem]]:
    org = draw(orgs(max_users=14))
    its = draw(st.lists(items(org), max_size=6, unique_by=lambda i: i.id)) if org.users else []
    return org, its


@given(org_and_items())
def test_the_shortcut_changes_no_finding(data: tuple[bo.Org, list[bo.InventoryItem]]) -> None:
    org, its = data
    assert bo.check_setup(org, its) == without_shortcut(org, its)


@given(orgs(max_users=14))
def test_whom_an_actor_surely_enters_cases_for_the_table_grants(org: bo.Org) -> None:
    # The relation part of can_create_case (the case's own data aside), for every user.
    vis = bo.Visibility(org)
    for uid in sorted(org.users):
        surely = _setup._surely_enters_for(org.view, org.users[uid])
        for rep_id in sorted(org.users):
            relation = vis._about("create_case", uid, rep_id)
            if rep_id in surely:
                assert relation.allowed, (uid, rep_id, relation)
