"""Rules: the questions services ask of an org, answered as ``Decision``s and ``Finding``s."""

from .. import _public
from ._case_index import CaseIndex
from ._custody import Custody
from ._diff import PERMISSIONS, AccessChange, AccessDiff, AccessLine, diff_access
from ._item_index import ItemIndex
from ._records import Decision, Finding, Severity
from ._setup import (
    READINESS_STEPS,
    SETUP_CODES,
    Readiness,
    ReadinessStep,
    check_setup,
    is_personal_email,
    readiness,
)
from ._transfer import Settlement, Transfer, TransferStatus
from ._visibility import CaseLike, Visibility

__all__ = [
    "PERMISSIONS",
    "READINESS_STEPS",
    "SETUP_CODES",
    "AccessChange",
    "AccessDiff",
    "AccessLine",
    "CaseIndex",
    "CaseLike",
    "Custody",
    "Decision",
    "Finding",
    "ItemIndex",
    "Readiness",
    "ReadinessStep",
    "Settlement",
    "Severity",
    "Transfer",
    "TransferStatus",
    "Visibility",
    "check_setup",
    "diff_access",
    "is_personal_email",
    "readiness",
]

# Reprs, tracebacks, pickles and the docs name this package, not the private module of each name.
_public.publish(__name__)
