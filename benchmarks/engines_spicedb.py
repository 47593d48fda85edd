"""SpiceDB 1.54 in-process (tests/engines.py's SpiceDB), asked one check or one bulk call at a time."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from authzed.api.v1 import (
    CheckBulkPermissionsRequest,
    CheckBulkPermissionsRequestItem,
    CheckPermissionRequest,
    CheckPermissionResponse,
    Consistency,
    ObjectReference,
    SubjectReference,
)

from beacon_org.export import spicedb_id
from engines import SpiceDB

_HAS = CheckPermissionResponse.PERMISSIONSHIP_HAS_PERMISSION
# Asked without a date, item#use on an item that expires is a conditional yes (usable unless
# past its date): what beacon_org's can_use(..., on=None) answers yes to.
_CONDITIONAL = CheckPermissionResponse.PERMISSIONSHIP_CONDITIONAL_PERMISSION
_YES = (_HAS, _CONDITIONAL)
# As the conformance tests ask: minimize_latency may answer from a snapshot taken before the
# last write (SpiceDB quantises revisions over 5 s), and the answers must be the org's.
_CONSISTENCY = Consistency(fully_consistent=True)

#: (resource type, permission) for each decision the benchmark asks.
PERMISSIONS = {"view": ("case", "view"), "edit": ("case", "edit"), "use": ("item", "use")}


def _reference(resource_type: str, object_id: str) -> ObjectReference:
    return ObjectReference(object_type=resource_type, object_id=spicedb_id(object_id))


class BenchSpiceDB(SpiceDB):
    """The conformance tests' SpiceDB, plus one CheckPermission and one CheckBulkPermissions call."""

    def check_one(self, decision: str, user_id: str, object_id: str) -> bool:
        """One CheckPermission: may ``user_id`` do ``decision`` (view, edit, use) on the object."""
        resource_type, permission = PERMISSIONS[decision]
        response = self._permissions.CheckPermission(
            CheckPermissionRequest(
                consistency=_CONSISTENCY,
                resource=_reference(resource_type, object_id),
                permission=permission,
                subject=SubjectReference(object=_reference("user", user_id)),
            )
        )
        return response.permissionship in _YES

    def check_bulk(self, decision: str, questions: Sequence[tuple[str, str]]) -> list[bool]:
        """One CheckBulkPermissions call answering every (user, object id) in ``questions``."""
        resource_type, permission = PERMISSIONS[decision]
        response = self._permissions.CheckBulkPermissions(
            CheckBulkPermissionsRequest(
                consistency=_CONSISTENCY,
                items=[
                    CheckBulkPermissionsRequestItem(
                        resource=_reference(resource_type, object_id),
                        permission=permission,
                        subject=SubjectReference(object=_reference("user", user_id)),
                    )
                    for user_id, object_id in questions
                ],
            )
        )
        out = []
        for pair in response.pairs:
            if pair.HasField("error"):
                msg = f"SpiceDB could not answer: {pair.error}"
                raise AssertionError(msg)
            out.append(pair.item.permissionship in _YES)
        return out
