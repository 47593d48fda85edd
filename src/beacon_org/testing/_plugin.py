"""beacon_org's pytest plugin (``pytest11`` entry point) and hypothesis set-up hook.

Loading this module imports nothing but pytest: every fixture imports what it needs when a test
first asks for it, so a suite that never uses beacon_org's fixtures pays nothing for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._model import Case, InventoryItem
    from .._org import Org

__all__ = [
    "beacon_org_builder",
    "beacon_sample_cases",
    "beacon_sample_items",
    "beacon_sample_org",
]


# The sample data is immutable (a frozen Org, tuples of frozen records), so one copy per session
# is safe to share between tests.


@pytest.fixture(scope="session")
def beacon_sample_org() -> Org:
    """The sample organisation (:func:`beacon_org.testing.sample_org`)."""
    from ._sample import sample_org

    return sample_org()


@pytest.fixture(scope="session")
def beacon_sample_cases() -> tuple[Case, ...]:
    """The sample org's cases (:func:`beacon_org.testing.sample_cases`)."""
    from ._sample import sample_cases

    return sample_cases()


@pytest.fixture(scope="session")
def beacon_sample_items() -> tuple[InventoryItem, ...]:
    """The sample org's inventory items (:func:`beacon_org.testing.sample_items`)."""
    from ._sample import sample_items

    return sample_items()


@pytest.fixture
def beacon_org_builder() -> Callable[..., Org]:
    """:func:`beacon_org.testing.build_org`: builds a small org from a few mappings."""
    from ._sample import build_org

    return build_org


def _hypothesis_setup_hook() -> None:
    """Register beacon_org's records with ``st.from_type`` (hypothesis' entry point calls this).

    Runs while hypothesis itself is being imported, so the strategies module, which imports
    hypothesis, is only imported when a strategy is first asked for.
    """
    from hypothesis import strategies as st

    from .._changes import Change
    from .._model import Case, InventoryItem, OrgSettings, Region, User
    from .._org import Org

    def org_strategy(_type: type[Any]) -> st.SearchStrategy[Org]:
        from .strategies import orgs

        return orgs()

    def case_strategy(_type: type[Any]) -> st.SearchStrategy[Case]:
        from .strategies import cases, orgs

        return orgs(min_users=1).flatmap(cases)

    def item_strategy(_type: type[Any]) -> st.SearchStrategy[InventoryItem]:
        from .strategies import items, orgs

        return orgs().flatmap(items)

    def change_strategy(_type: type[Any]) -> st.SearchStrategy[Change]:
        from .strategies import changes, orgs

        return orgs().flatmap(changes)

    def user_strategy(_type: type[Any]) -> st.SearchStrategy[User]:
        from .strategies import orgs

        return orgs(min_users=1).flatmap(
            lambda org: st.sampled_from(sorted(org.users.values(), key=lambda u: u.id))
        )

    def region_strategy(_type: type[Any]) -> st.SearchStrategy[Region]:
        from .strategies import orgs

        return (
            orgs()
            .filter(lambda org: bool(org.regions))
            .flatmap(lambda org: st.sampled_from(sorted(org.regions.values(), key=lambda r: r.id)))
        )

    st.register_type_strategy(Org, org_strategy)
    st.register_type_strategy(Case, case_strategy)
    st.register_type_strategy(InventoryItem, item_strategy)
    st.register_type_strategy(Change, change_strategy)
    st.register_type_strategy(User, user_strategy)
    st.register_type_strategy(Region, region_strategy)
    st.register_type_strategy(
        OrgSettings,
        st.builds(
            OrgSettings,
            field_users_can_reopen_cases=st.booleans(),
            field_users_can_transfer=st.booleans(),
        ),
    )
