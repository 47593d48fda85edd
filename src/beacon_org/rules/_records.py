"""The answers rules give: a ``Decision`` for yes/no questions, ``Finding``s for advice and problems."""

from __future__ import annotations

import enum

import attrs

from .._display import decision_html, findings_html, path_text

__all__ = ["Decision", "Finding", "FindingList", "Severity"]


def _to_path(value: object) -> tuple[str, ...]:
    return value if type(value) is tuple else tuple(value)  # type: ignore[arg-type]


@attrs.frozen(kw_only=True)
class Decision:
    """The answer to a yes/no question, with why.

    ``reason`` is a stable code (see the *Rules reference*). ``path`` lists the ids from the asking
    user to the object that explain a grant. For a denial, ``suggestion`` says, where one exists,
    the single change to the org that would grant it. ``bool(decision)`` is ``allowed``.

    Examples
    --------
    >>> d = bo.Decision(allowed=True, reason="distributor-of-rep", path=("dist-a", "rep-a1", "c1"))
    >>> bool(d), d.path[-1]
    (True, 'c1')
    """

    allowed: bool
    reason: str
    path: tuple[str, ...] = attrs.field(default=(), converter=_to_path)
    suggestion: str | None = None

    def __bool__(self) -> bool:
        return self.allowed

    def __str__(self) -> str:
        """The decision in one line: verdict, reason, then the path or the suggestion.

        Examples
        --------
        >>> print(bo.Decision(allowed=True, reason="distributor-of-rep", path=("dist-a", "rep-a1", "c1")))
        allowed (distributor-of-rep): dist-a → rep-a1 → c1
        >>> print(bo.Decision(allowed=False, reason="locked", suggestion="complete training for rep-new"))
        denied (locked); suggestion: complete training for rep-new
        """
        text = f"{'allowed' if self.allowed else 'denied'} ({self.reason})"
        if self.path:
            text += f": {path_text(self.path)}"
        if self.suggestion:
            text += f"; suggestion: {self.suggestion}"
        return text

    def _repr_html_(self) -> str:
        return decision_html(self.allowed, self.reason, self.path, self.suggestion)


class Severity(enum.StrEnum):
    """How much a :class:`Finding` matters: ``error`` blocks, ``warning`` needs a look, ``advice`` is a tip.

    Examples
    --------
    >>> [severity.value for severity in bo.Severity]
    ['error', 'warning', 'advice']
    >>> bo.Severity("warning") is bo.Severity.WARNING, bo.Severity.WARNING == "warning"
    (True, True)
    """

    ERROR = "error"
    WARNING = "warning"
    ADVICE = "advice"


@attrs.frozen(kw_only=True)
class Finding:
    """One problem or piece of advice about a setup or a transfer.

    ``code`` is stable and documented; ``subject`` is the id concerned.

    Examples
    --------
    >>> f = bo.Finding(code="rep-without-group", severity=bo.Severity.WARNING,
    ...                subject="rep-x", message="rep-x is in no distributor group")
    >>> f.severity
    <Severity.WARNING: 'warning'>
    """

    code: str
    severity: Severity = attrs.field(converter=Severity)
    subject: str
    message: str

    def _repr_html_(self) -> str:
        return findings_html([self])


class FindingList(list[Finding]):
    """A ``list`` of :class:`~beacon_org.Finding` that shows itself as a table in a notebook.

    It is a plain list in every other way (``==`` to a list with the same findings, sliceable,
    JSON-able through its items), so a rule can return one where a ``list[Finding]`` is promised.

    Examples
    --------
    >>> from beacon_org.rules._records import FindingList
    >>> f = bo.Finding(code="rep-without-group", severity="warning", subject="rep-solo",
    ...                message="rep-solo is in no distributor group")
    >>> found = FindingList([f])
    >>> found == [f], "<table" in found._repr_html_()
    (True, True)
    >>> found
    [Finding(code='rep-without-group', severity=<Severity.WARNING: 'warning'>, subject='rep-solo', message='rep-solo is in no distributor group')]
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        return findings_html(self)
