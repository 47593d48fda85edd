"""CaseIndex: questions over many cases that cost in proportion to their answer."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.testing import sample_cases, sample_org
from beacon_org.testing.strategies import cases, orgs
from test_visibility import Row  # a service's own mutable case row


def test_index_keeps_order_and_the_objects_given() -> None:
    rows = [Row("c2", "rep-a1"), Row("c1", "rep-b1", sub_rep="rep-a2")]
    index = bo.CaseIndex(rows)
    assert list(index) == rows
    assert "c1" in index
    assert ["x"] not in index
    vis = bo.Visibility(sample_org())
    assert vis.visible_cases("dist-a", index) == rows
    assert vis.visible_cases("dist-a", index)[0] is rows[0]
    assert [c.id for c in index.concerning("rep-a2")] == ["c1"]
    assert index.concerning(["bad"]) == ()  # type: ignore[arg-type]
    assert index.at_facility("nowhere") == ()
    assert repr(index) == "<CaseIndex of 2 cases>"


@pytest.mark.parametrize(
    ("cases_arg", "error", "needle"),
    [
        (5, bo.InvalidValueError, "'cases' must be an iterable"),
        ("c1", bo.InvalidValueError, "'cases' must be an iterable"),
        ([bo.Case("c1", "r"), bo.Case("c1", "s")], bo.DuplicateIdError, "'c1' appears twice"),
        ([object()], bo.InvalidValueError, "case #0 has no 'id' attribute"),
        ([Row("c1", "r", status="lost")], bo.InvalidValueError, "'lost' is not a case status"),
    ],
)
def test_bad_cases(cases_arg: Any, error: type[Exception], needle: str) -> None:
    with pytest.raises(error, match=needle):
        bo.CaseIndex(cases_arg)


@given(st.data())
def test_visible_cases_through_an_index_agrees_with_the_list(data: st.DataObject) -> None:
    org = data.draw(orgs(min_users=1, max_users=12))
    rows = data.draw(st.lists(cases(org), max_size=12, unique_by=lambda c: c.id))
    vis = bo.Visibility(org)
    index = bo.CaseIndex(rows)
    for user_id in [*org.users, "nobody"]:
        assert vis.visible_cases(user_id, index) == vis.visible_cases(user_id, rows)


class CountingDict(dict[str, Any]):
    looked_up = 0

    def get(self, key: Any, default: Any = None) -> Any:
        CountingDict.looked_up += 1
        return super().get(key, default)


def test_an_index_looks_only_at_the_asking_users_people() -> None:
    many = [bo.Case(f"x-{i}", "rep-solo") for i in range(5_000)]
    index = bo.CaseIndex([*sample_cases(), *many])
    index.by_person = CountingDict(index.by_person)
    index.by_facility = CountingDict(index.by_facility)
    vis = bo.Visibility(sample_org())
    CountingDict.looked_up = 0
    assert [c.id for c in vis.visible_cases("dist-a", index)] == ["c-100", "c-101", "c-102"]
    # dist-a itself and its two reps: three look-ups, whatever the number of cases.
    assert CountingDict.looked_up == 3
