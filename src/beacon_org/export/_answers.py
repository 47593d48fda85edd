"""beacon_org's own answers, as the assertions an engine's test file checks."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import attrs

from .._org import Org
from ..rules import Custody, Visibility
from ._ids import spicedb_id
from ._relations import case_records, item_records

__all__ = ["Answer", "expected_answers"]


@attrs.frozen
class Answer:
    """One permission answered by beacon_org: may ``user`` have ``permission`` on the object.

    ``permission`` is ``view`` or ``edit`` on a ``case``, ``use`` or ``view`` on an ``item``,
    named as in the SpiceDB schema and OpenFGA model.
    """

    user: str
    permission: str
    resource_type: str
    resource_id: str
    allowed: bool

    def relationship(self) -> str:
        """The assertion as SpiceDB writes it: ``case:c-1#view@user:rep-1`` (ids encoded)."""
        return (
            f"{self.resource_type}:{spicedb_id(self.resource_id)}#{self.permission}"
            f"@user:{spicedb_id(self.user)}"
        )


def expected_answers(
    org: Org,
    cases: Iterable[Any] = (),
    items: Iterable[Any] = (),
    *,
    users: Iterable[str] | None = None,
    on: datetime.date | None = None,
) -> list[Answer]:
    """Return beacon_org's answer for every user (or ``users``), case and item, and permission.

    ``case#view`` and ``case#edit`` come from :class:`~beacon_org.Visibility`; ``item#use`` from
    :meth:`Custody.can_use <beacon_org.Custody.can_use>` (with ``on``: the date an engine is given
    with the request) and ``item#view`` from
    :meth:`Custody.visible_inventory <beacon_org.Custody.visible_inventory>`. These are the
    assertions of :meth:`SpiceDBExport.validation_yaml` and :meth:`OpenFGAExport.test_yaml`.

    Examples
    --------
    >>> from beacon_org.export import expected_answers
    >>> from beacon_org.testing import sample_org, sample_cases
    >>> [a for a in expected_answers(sample_org(), sample_cases()[:1], users=["rep-a2"])]
    ... # doctest: +NORMALIZE_WHITESPACE
    [Answer(user='rep-a2', permission='view', resource_type='case', resource_id='c-100', allowed=True),
     Answer(user='rep-a2', permission='edit', resource_type='case', resource_id='c-100', allowed=False)]
    """
    cases = list(cases)
    items = list(items)
    case_ids = [case.id for case in case_records(cases)]
    item_ids = [item.id for item in item_records(items)]
    user_ids = sorted(org.users) if users is None else list(users)
    visibility = Visibility(org)
    custody = Custody(org, items)
    out: list[Answer] = []
    for user in user_ids:
        for case_id, case in zip(case_ids, cases, strict=True):
            out.append(
                Answer(user, "view", "case", case_id, visibility.can_view_case(user, case).allowed)
            )
            out.append(
                Answer(user, "edit", "case", case_id, visibility.can_edit_case(user, case).allowed)
            )
        visible = custody.visible_inventory(user)
        for item_id in item_ids:
            out.append(
                Answer(user, "use", "item", item_id, custody.can_use(user, item_id, on=on).allowed)
            )
            out.append(Answer(user, "view", "item", item_id, item_id in visible))
    return out
