"""beacon_org: the who-may-see-what rules of a Beacon medical-device sales organisation.

Records and the immutable :class:`Org` snapshot come from private modules; this module only
re-exports the public names.
"""

from . import _public
from ._bundle import Bundle, bundle_from_dict, bundle_to_dict
from ._errors import (
    AssignmentError,
    DuplicateIdError,
    ImmutableFieldError,
    InvalidChangeError,
    InvalidDataError,
    InvalidValueError,
    OrgError,
    RoleError,
    TransferError,
    UnknownRegionError,
    UnknownUserError,
)
from ._model import ORG_CUSTODY, Case, CaseStatus, InventoryItem, OrgSettings, Region, Role, User
from ._org import Org, OrgView
from ._serialization import (
    FORMAT_VERSION,
    case_from_dict,
    case_to_dict,
    from_dict,
    item_from_dict,
    item_to_dict,
    make_converter,
    to_dict,
)
from .rules import (
    AccessChange,
    AccessDiff,
    CaseIndex,
    Custody,
    Decision,
    Finding,
    ItemIndex,
    Readiness,
    ReadinessStep,
    Settlement,
    Severity,
    Transfer,
    TransferStatus,
    Visibility,
    check_setup,
    diff_access,
    readiness,
)

__version__ = "0.1.0"

__all__ = [
    "FORMAT_VERSION",
    "ORG_CUSTODY",
    "AccessChange",
    "AccessDiff",
    "AssignmentError",
    "Bundle",
    "Case",
    "CaseIndex",
    "CaseStatus",
    "Custody",
    "Decision",
    "DuplicateIdError",
    "Finding",
    "ImmutableFieldError",
    "InvalidChangeError",
    "InvalidDataError",
    "InvalidValueError",
    "InventoryItem",
    "ItemIndex",
    "Org",
    "OrgError",
    "OrgSettings",
    "OrgView",
    "Readiness",
    "ReadinessStep",
    "Region",
    "Role",
    "RoleError",
    "Settlement",
    "Severity",
    "Transfer",
    "TransferError",
    "TransferStatus",
    "UnknownRegionError",
    "UnknownUserError",
    "User",
    "Visibility",
    "bundle_from_dict",
    "bundle_to_dict",
    "case_from_dict",
    "case_to_dict",
    "check_setup",
    "diff_access",
    "from_dict",
    "item_from_dict",
    "item_to_dict",
    "make_converter",
    "readiness",
    "to_dict",
]

# Reprs, tracebacks, pickles and the docs name this package, not the private module of each name.
_public.publish(__name__)
