"""Cases indexed by the people and facility they concern, so questions over many cases cost in
proportion to their answer rather than to the number of cases."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from .._model import Case, CaseStatus
from .._org import Org
from ._rows import case_records

__all__ = ["CaseIndex", "CaseLike"]


class CaseLike(Protocol):
    """What the rules read from a case: :class:`~beacon_org.Case` or any object with these attributes.

    ``status`` may be a :class:`~beacon_org.CaseStatus` or its string value.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from beacon_org.testing import sample_org
    >>> row = SimpleNamespace(
    ...     id="row-7", representative="rep-a1", sub_rep=None, facility=None, status="open"
    ... )
    >>> bool(bo.Visibility(sample_org()).can_view_case("dist-a", row))
    True
    """

    @property
    def id(self) -> str: ...
    @property
    def representative(self) -> str: ...
    @property
    def sub_rep(self) -> str | None: ...
    @property
    def facility(self) -> str | None: ...
    @property
    def status(self) -> CaseStatus | str: ...


class CaseIndex:
    """A fixed collection of cases, indexed by representative, sub-rep and facility.

    Build it once for a large set of cases and pass it where a question takes cases
    (:meth:`Visibility.visible_cases`, :func:`diff_access`): the answer then costs in proportion to
    the cases it returns (and to the people the asking user oversees), not to the whole set. The
    cases are kept as given (``bo.Case`` or a service's own rows, checked as a ``Case`` would be).

    Parameters
    ----------
    cases : iterable of Case or CaseLike
        The cases; an id may appear once.

    Raises
    ------
    DuplicateIdError
        If two cases share an id.
    InvalidValueError
        If ``cases`` is not an iterable of cases, or a case is malformed.

    Examples
    --------
    >>> from beacon_org.testing import sample_org, sample_cases
    >>> index = bo.CaseIndex(sample_cases())
    >>> len(index), [c.id for c in index.concerning("rep-a2")]
    (8, ['c-100'])
    >>> [c.id for c in bo.Visibility(sample_org()).visible_cases("dist-a", index)]
    ['c-100', 'c-101', 'c-102']
    """

    __slots__ = ("by_facility", "by_person", "cases", "position", "rows")

    def __init__(self, cases: Iterable[Any]) -> None:
        #: case id -> the case as a Case record
        self.cases: dict[str, Case] = {}
        #: case id -> the object given (a Case or the service's own row)
        self.rows: dict[str, Any] = {}
        #: case id -> its place in the order given
        self.position: dict[str, int] = {}
        #: user id -> the cases where it is the representative or the sub-rep, in order
        self.by_person: dict[str, list[Case]] = {}
        #: facility id -> the cases at it, in order
        self.by_facility: dict[str, list[Case]] = {}
        for case, record in case_records(cases):
            self.position[record.id] = len(self.cases)
            self.cases[record.id] = record
            self.rows[record.id] = case
            self.by_person.setdefault(record.representative, []).append(record)
            if record.sub_rep is not None:
                self.by_person.setdefault(record.sub_rep, []).append(record)
            if record.facility is not None:
                self.by_facility.setdefault(record.facility, []).append(record)

    def by_field(self, name: str) -> Mapping[str, list[Case]]:
        """The cases by the value of their field ``name``, a rule table's first hop of a case.

        The representative and the sub-rep share one index by person (a superset of either);
        the facility has its own.

        Examples
        --------
        >>> from beacon_org.testing import sample_cases
        >>> index = bo.CaseIndex(sample_cases())
        >>> [case.id for case in index.by_field("facility")["st-lukes"]]
        ['c-101', 'c-200', 'c-300']
        """
        return self.by_facility if name == "facility" else self.by_person

    def __len__(self) -> int:
        return len(self.cases)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows.values())

    def __contains__(self, case_id: object) -> bool:
        try:
            return case_id in self.cases
        except TypeError:
            return False

    def __repr__(self) -> str:
        return f"<CaseIndex of {len(self.cases)} cases>"

    def concerning(self, user_id: str) -> tuple[Case, ...]:
        """The cases where ``user_id`` is the representative or the sub-rep, in order.

        Examples
        --------
        >>> from beacon_org.testing import sample_cases
        >>> index = bo.CaseIndex(sample_cases())
        >>> [case.id for case in index.concerning("rep-a1")], [case.id for case in index.concerning("rep-a2")]
        (['c-100', 'c-101'], ['c-100'])
        """
        try:
            return tuple(self.by_person.get(user_id, ()))
        except TypeError:
            return ()

    def at_facility(self, facility_id: str) -> tuple[Case, ...]:
        """The cases at ``facility_id``, in order.

        Examples
        --------
        >>> from beacon_org.testing import sample_cases
        >>> index = bo.CaseIndex(sample_cases())
        >>> [case.id for case in index.at_facility("mercy-general")]
        ['c-100', 'c-102', 'c-201', 'c-400', 'c-500']
        """
        try:
            return tuple(self.by_facility.get(facility_id, ()))
        except TypeError:
            return ()

    def reachable(self, org: Org, user_id: str) -> Iterator[Case]:
        """A superset of the cases ``user_id`` may view in ``org``, whatever its role.

        Every case whose representative, sub-rep or facility a grant of the rule table reaches
        walking back from the user (its reps, the members of the regions it manages, its
        facilities; all cases for an org-wide user), granted or not; a case may come twice.

        Examples
        --------
        >>> from beacon_org.testing import sample_cases, sample_org
        >>> org, index = sample_org(), bo.CaseIndex(sample_cases())
        >>> sorted(case.id for case in index.reachable(org, "dist-a"))  # c-100 concerns two of its reps
        ['c-100', 'c-100', 'c-101', 'c-102']
        >>> visibility = bo.Visibility(org)
        >>> sorted({case.id for case in index.reachable(org, "rm-west") if visibility.can_view_case("rm-west", case)})
        ['c-100', 'c-101', 'c-102', 'c-400']
        """
        from ._compile import Compiled  # the rules import this module
        from ._table import RULES

        look = Compiled(org.view, RULES).look("view_case", user_id)
        if look is None:
            return
        if look.every is not None:
            yield from self.cases.values()
            return
        yield from self.by_keys(look.keys().items())

    def by_keys(self, keys: Iterable[tuple[str, Iterable[str]]]) -> Iterator[Case]:
        """The cases whose field ``name`` holds one of ``ids``, for each ``(name, ids)``.

        The first hops of a rule table's look-up; a case may come once per field that names it.

        Examples
        --------
        >>> from beacon_org.testing import sample_cases
        >>> index = bo.CaseIndex(sample_cases())
        >>> [c.id for c in index.by_keys([("representative", ["rep-a2"]), ("facility", ["st-lukes"])])]
        ['c-100', 'c-101', 'c-200', 'c-300']
        """
        people: dict[int, tuple[Mapping[str, list[Case]], set[str]]] = {}
        for name, ids in keys:
            by_key = self.by_field(name)  # the representative and sub-rep share one index
            people.setdefault(id(by_key), (by_key, set()))[1].update(ids)
        for by_key, found in people.values():
            for key in found:
                yield from by_key.get(key, ())
