"""Keep a SpiceDB in step with the library: load an org, then stream its changes, cases and items.

The same code drives a real SpiceDB over gRPC (``authzed.api.v1.SyncClient``) and SpiceDB
in-process (``spicedb_embedded.EmbeddedSpiceDB``). ``authzed`` is imported only when a
:class:`SpiceDBSync` is made, never by ``import beacon_org``.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs

from .._errors import InvalidValueError, OrgError
from .._org import Org
from ._ids import spicedb_id
from ._relations import relationship_triples
from ._spicedb import relationship_changes, to_spicedb

__all__ = ["TRANSIENT_STATUSES", "SpiceDBSync", "SyncError"]

#: The gRPC statuses after which a batch is written again (with backoff): the server was busy,
#: restarting or timed out, and the same TOUCH and DELETE updates are harmless to repeat.
TRANSIENT_STATUSES = frozenset(
    {"UNAVAILABLE", "DEADLINE_EXCEEDED", "ABORTED", "RESOURCE_EXHAUSTED"}
)

# resource:id#relation@subject:id[#relation][[caveat:{context}]], as zed writes relationships.
_RELATIONSHIP = re.compile(
    r"(?P<rt>[^:#@\[]+):(?P<rid>[^#@\[]+)#(?P<rel>[^@\[]+)"
    r"@(?P<st>[^:#@\[]+):(?P<sid>[^#@\[]+)(?:#(?P<srel>[^\[]+))?"
    r"(?:\[(?P<caveat>[^:\]]+)(?::(?P<context>\{.*\}))?\])?"
)
# Every object type of SPICEDB_SCHEMA: what repair reads.
_OBJECT_TYPES = ("user", "region", "facility", "organization", "case", "item")
# The spicedb_embedded wrapper reports errors as Go's "rpc error: code = Unavailable desc = ...".
_GO_STATUS = re.compile(r"code = ([A-Za-z]+)")


class SyncError(OrgError):
    """A write to SpiceDB failed: says which batch failed and how many were written before it.

    Every write is TOUCH or DELETE, so calling the same method again with the same arguments is
    harmless: it writes the batches already written once more and then the rest.

    Attributes
    ----------
    operation : str
        The :class:`SpiceDBSync` method that failed (``"load"``, ``"apply"``, ...).
    batch : int
        The batch that failed, counted from 1 (0: the schema, in ``load``).
    batches : int
        How many batches the call had to write.
    written : int
        How many batches were written before the failure (``batch - 1``).
    token : str or None
        The ZedToken of the last batch written, or None.
    status : str or None
        The gRPC status of the failure (``"INVALID_ARGUMENT"``, ...), when it had one.
    """

    def __init__(
        self,
        msg: str,
        *,
        operation: str,
        batch: int,
        batches: int,
        token: str | None,
        status: str | None,
    ) -> None:
        super().__init__(msg)
        self.operation = operation
        self.batch = batch
        self.batches = batches
        self.written = max(batch - 1, 0)
        self.token = token
        self.status = status


def grpc_status(error: BaseException) -> str | None:
    """Return the gRPC status name of ``error`` (``"UNAVAILABLE"``, ...), or None if it has none."""
    code = getattr(error, "code", None)
    if callable(code):
        try:
            name = getattr(code(), "name", None)
        except Exception:  # a grpc.RpcError that is not a Call has no usable code()
            name = None
        if isinstance(name, str):
            return name
    found = _GO_STATUS.search(str(error))
    if found is None:
        return None
    # Go's CamelCase (DeadlineExceeded) as gRPC's Python name (DEADLINE_EXCEEDED).
    return re.sub(r"(?<!^)(?=[A-Z])", "_", found.group(1)).upper()


def _detail(error: BaseException) -> str:
    # A grpc.RpcError's text is a multi-line repr; its details() is SpiceDB's message.
    details = getattr(error, "details", None)
    text = ""
    if callable(details):
        try:
            text = str(details() or "")
        except Exception:  # not a grpc.Call after all
            text = ""
    text = text or str(error)
    return text.strip().splitlines()[0] if text.strip() else ""


def report_embedded_errors() -> None:
    """Let ``spicedb_embedded`` 0.7.1 raise SpiceDB's own error messages.

    Its ctypes binding declares ``spicedb_free(char*)`` but passes the error's address as an
    int, so every SpiceDB error (DeadlineExceeded, InvalidArgument, ...) surfaced as
    ``ctypes.ArgumentError: wrong type``. Declaring the argument a ``void*`` fixes that; the
    library frees the same memory either way.
    """
    ffi = importlib.import_module("spicedb_embedded.ffi")
    ffi._get_lib().spicedb_free.argtypes = [ctypes.c_void_p]


@attrs.frozen
class _Relationship:
    resource_type: str
    resource_id: str
    relation: str
    subject_type: str
    subject_id: str
    subject_relation: str
    caveat: str
    context: str  # the caveat's context as canonical JSON ("" without a caveat)

    @property
    def key(self) -> tuple[str, ...]:
        # What SpiceDB keys a relationship by: writing the same key again replaces its caveat.
        return (
            self.resource_type,
            self.resource_id,
            self.relation,
            self.subject_type,
            self.subject_id,
            self.subject_relation,
        )


def _canonical(context: Any) -> str:
    return json.dumps(context, sort_keys=True, separators=(",", ":")) if context else ""


def parse_relationship(text: str) -> _Relationship:
    found = _RELATIONSHIP.fullmatch(text)
    if found is None:
        msg = f"{text!r} is not a relationship resource:id#relation@subject:id[caveat:{{...}}]"
        raise InvalidValueError(msg, field="relationship", value=text)
    context = found["context"]
    return _Relationship(
        found["rt"],
        found["rid"],
        found["rel"],
        found["st"],
        found["sid"],
        found["srel"] or "",
        found["caveat"] or "",
        _canonical(json.loads(context)) if context else "",
    )


def _batches(updates: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(updates), size):
        yield updates[start : start + size]


def _id_list(ids: Iterable[Any], what: str) -> list[str]:
    if isinstance(ids, str):
        msg = f"{what} ids must be a list of ids, not one string ({ids!r})"
        raise InvalidValueError(msg, field="ids", value=ids)
    out = list(ids)
    for one in out:
        if not isinstance(one, str) or not one:
            msg = f"a {what} id must be a non-empty string (got {one!r})"
            raise InvalidValueError(msg, field="id", value=one)
    return out


class SpiceDBSync:
    """Keep a SpiceDB in step with beacon_org: an org, its cases and its items.

    Every method writes with ``OPERATION_TOUCH`` and ``OPERATION_DELETE`` in batches of at most
    ``batch_size`` updates and returns the ZedToken (its token string) of its last write. A
    ``CheckPermission`` or ``LookupResources`` made ``at_least_as_fresh`` as that token answers
    as the library does on the snapshot written. A batch failing with a transient gRPC status
    (:data:`TRANSIENT_STATUSES`) is written again after ``backoff`` seconds, doubling up to
    ``max_backoff``, at most ``retries`` times; any other failure raises :class:`SyncError`
    saying which batch failed. Calling again with the same arguments is then harmless.

    Parameters
    ----------
    client : authzed.api.v1.SyncClient or spicedb_embedded.EmbeddedSpiceDB
        The SpiceDB to write to (over gRPC, or in-process).
    batch_size : int
        Updates per ``WriteRelationships`` (SpiceDB accepts 1,000 unless configured otherwise).
    retries : int
        How many times a batch is written again after a transient failure.
    backoff, max_backoff : float
        Seconds before the first retry, and the cap as the wait doubles.

    Examples
    --------
    The in-process SpiceDB (``SPICEDB_LIBRARY_PATH`` names its library) takes the same calls as a
    server: see *When one process is not enough* in the docs for a full run.

    >>> from beacon_org.export import SpiceDBSync
    >>> SpiceDBSync(object(), batch_size=0)
    Traceback (most recent call last):
    ...
    beacon_org._errors.InvalidValueError: batch_size must be a whole number from 1 (got 0)
    """

    def __init__(
        self,
        client: Any,
        *,
        batch_size: int = 1000,
        retries: int = 5,
        backoff: float = 0.2,
        max_backoff: float = 5.0,
    ) -> None:
        if type(batch_size) is not int or batch_size < 1:
            msg = f"batch_size must be a whole number from 1 (got {batch_size!r})"
            raise InvalidValueError(msg, field="batch_size", value=batch_size)
        if type(retries) is not int or retries < 0:
            msg = f"retries must be a whole number from 0 (got {retries!r})"
            raise InvalidValueError(msg, field="retries", value=retries)
        self.batch_size = batch_size
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._client = client
        self._api: Any = None
        self._sleep: Callable[[float], None] = time.sleep

    # -- the client: a SyncClient's methods, or an EmbeddedSpiceDB's stubs --------------------

    def _services(self) -> Any:
        if self._api is None:
            self._api = importlib.import_module("authzed.api.v1")
            client = self._client
            if not hasattr(client, "WriteRelationships") and callable(
                getattr(client, "permissions", None)
            ):
                report_embedded_errors()
                permissions, schema = client.permissions(), client.schema()
                self._write_schema = schema.WriteSchema
                self._read_schema = schema.ReadSchema
                self._write_relationships = permissions.WriteRelationships
                self._delete_relationships = permissions.DeleteRelationships
                self._read_relationships = permissions.ReadRelationships
            else:
                self._write_schema = client.WriteSchema
                self._read_schema = client.ReadSchema
                self._write_relationships = client.WriteRelationships
                self._delete_relationships = client.DeleteRelationships
                self._read_relationships = client.ReadRelationships
        return self._api

    def _call(
        self,
        send: Callable[[Any], Any],
        request: Any,
        *,
        operation: str,
        batch: int,
        batches: int,
        token: str | None,
        step: str = "",
    ) -> Any:
        wait = self.backoff
        for attempt in range(self.retries + 1):
            try:
                return send(request)
            except Exception as error:
                status = grpc_status(error)
                if status in TRANSIENT_STATUSES and attempt < self.retries:
                    self._sleep(wait)
                    wait = min(wait * 2, self.max_backoff)
                    continue
                what = step or f"batch {batch} of {batches}"
                tries = f" after {attempt + 1} tries" if attempt else ""
                done = (
                    f"{batch - 1} batch(es) written before it (last ZedToken {token})"
                    if batch > 1
                    else "nothing written by this call"
                )
                detail = _detail(error)
                msg = (
                    f"SpiceDBSync.{operation}: {what} failed{tries} "
                    f"({status or type(error).__name__}: {detail}); {done}; "
                    "calling it again with the same arguments is harmless"
                )
                raise SyncError(
                    msg,
                    operation=operation,
                    batch=batch,
                    batches=batches,
                    token=token,
                    status=status,
                ) from error
        raise AssertionError("unreachable")  # pragma: no cover

    # -- relationship messages --------------------------------------------------------------

    def _message(self, rel: _Relationship) -> Any:
        api = self._api
        subject = api.SubjectReference(
            object=api.ObjectReference(object_type=rel.subject_type, object_id=rel.subject_id),
            optional_relation=rel.subject_relation,
        )
        fields: dict[str, Any] = {}
        if rel.caveat:
            struct = importlib.import_module("google.protobuf.struct_pb2").Struct()
            if rel.context:
                struct.update(json.loads(rel.context))
            fields["optional_caveat"] = api.ContextualizedCaveat(
                caveat_name=rel.caveat, context=struct
            )
        return api.Relationship(
            resource=api.ObjectReference(object_type=rel.resource_type, object_id=rel.resource_id),
            relation=rel.relation,
            subject=subject,
            **fields,
        )

    def _from_message(self, message: Any) -> _Relationship:
        caveat = message.optional_caveat
        context = ""
        if caveat.caveat_name:
            json_format = importlib.import_module("google.protobuf.json_format")
            context = _canonical(json_format.MessageToDict(caveat.context))
        return _Relationship(
            message.resource.object_type,
            message.resource.object_id,
            message.relation,
            message.subject.object.object_type,
            message.subject.object.object_id,
            message.subject.optional_relation,
            caveat.caveat_name,
            context,
        )

    def _write(
        self, operation: str, groups: Sequence[Sequence[tuple[bool, _Relationship]]]
    ) -> str | None:
        """Write ``groups`` of (touch?, relationship), each group whole in one batch if it fits."""
        api = self._services()
        op = api.RelationshipUpdate.Operation
        batches: list[list[Any]] = [[]]
        for group in groups:
            if batches[-1] and len(batches[-1]) + len(group) > self.batch_size:
                batches.append([])
            for touch, rel in group:
                if len(batches[-1]) >= self.batch_size:
                    batches.append([])
                batches[-1].append(
                    api.RelationshipUpdate(
                        operation=op.OPERATION_TOUCH if touch else op.OPERATION_DELETE,
                        relationship=self._message(rel),
                    )
                )
        if not batches[-1]:
            batches.pop()
        token: str | None = None
        for number, updates in enumerate(batches, 1):
            response = self._call(
                self._write_relationships,
                api.WriteRelationshipsRequest(updates=updates),
                operation=operation,
                batch=number,
                batches=len(batches),
                token=token,
            )
            token = str(response.written_at.token)
        return token

    def _diff_groups(
        self, deletes: Iterable[str], writes: Iterable[str]
    ) -> list[list[tuple[bool, _Relationship]]]:
        touched = [parse_relationship(r) for r in writes]
        rewritten = {rel.key for rel in touched}
        # A TOUCH replaces a relationship with the same key (say, an item's new expiry date): its
        # DELETE would undo the write, or fail beside it in one batch.
        removed = [rel for rel in map(parse_relationship, deletes) if rel.key not in rewritten]
        return [[(False, rel) for rel in removed] + [(True, rel) for rel in touched]]

    # -- the public calls --------------------------------------------------------------------

    def load(self, org: Org, cases: Iterable[Any] = (), items: Iterable[Any] = ()) -> str:
        """Write the schema and every relationship of ``org``, ``cases`` and ``items``.

        Relationships already in SpiceDB that the export lacks are left alone: load into an
        empty SpiceDB, bring one up to date with :meth:`apply` from the snapshot it holds, or
        with :meth:`repair` when that snapshot is unknown.

        Returns
        -------
        str
            The ZedToken of the last write.

        Raises
        ------
        SyncError
            If the schema or a batch cannot be written (after retries, when transient).
        beacon_org.InvalidValueError
            If a case or item is malformed (nothing is written then).
        """
        export = to_spicedb(org, cases, items)
        groups = self._diff_groups((), export.relationships)
        api = self._services()
        response = self._call(
            self._write_schema,
            api.WriteSchemaRequest(schema=export.schema),
            operation="load",
            batch=0,
            batches=0,
            token=None,
            step="writing the schema",
        )
        token = self._write("load", groups)
        if token is None:
            written_at = getattr(response, "written_at", None)
            token = str(written_at.token) if written_at is not None else ""
            if not token:
                token = self._read_token("load")
        return token

    def apply(
        self,
        before: Org,
        after: Org,
        *,
        cases: Iterable[Any] = (),
        items: Iterable[Any] = (),
        after_cases: Iterable[Any] | None = None,
        after_items: Iterable[Any] | None = None,
    ) -> str | None:
        """Write only what differs between two snapshots (as :func:`relationship_changes`).

        Deletes are written before writes. Returns the ZedToken of the last write, or None when
        nothing changed (and nothing was written).
        """
        changes = relationship_changes(
            before, after, cases, items, after_cases=after_cases, after_items=after_items
        )
        if not changes:
            return None
        return self._write("apply", self._diff_groups(changes.deletes, changes.writes))

    def repair(self, org: Org, cases: Iterable[Any] = (), items: Iterable[Any] = ()) -> str:
        """Make SpiceDB hold exactly the relationships of ``org``, ``cases`` and ``items``.

        Reads every relationship SpiceDB holds (``ReadRelationships`` per object type of the
        schema), deletes those the export lacks and writes those missing or different (a
        caveat's context included): drift repair, or a load into a SpiceDB that holds an
        unknown older snapshot. The schema must already be written (:meth:`load` writes it).
        Returns the ZedToken of the last write (or a fresh one when nothing differed).
        """
        export = to_spicedb(org, cases, items)
        wanted = {rel.key: rel for rel in map(parse_relationship, export.relationships)}
        self._services()
        stale: list[_Relationship] = []
        same: set[tuple[str, ...]] = set()
        for resource_type in _OBJECT_TYPES:
            for rel in self._current("repair", resource_type, ""):
                want = wanted.get(rel.key)
                if want is None:
                    stale.append(rel)
                elif want == rel:
                    same.add(rel.key)
        missing = [rel for key, rel in wanted.items() if key not in same]
        token = self._write("repair", [[(False, r) for r in stale] + [(True, r) for r in missing]])
        return token if token is not None else self._read_token("repair")

    def _current(self, operation: str, resource_type: str, resource_id: str) -> list[_Relationship]:
        api = self._api
        request = api.ReadRelationshipsRequest(
            consistency=api.Consistency(fully_consistent=True),
            relationship_filter=api.RelationshipFilter(
                resource_type=resource_type, optional_resource_id=resource_id
            ),
        )

        def read(request: Any) -> list[Any]:
            return [reply.relationship for reply in self._read_relationships(request)]

        found = self._call(
            read,
            request,
            operation=operation,
            batch=0,
            batches=0,
            token=None,
            step=f"reading {resource_type}:{resource_id or '*'}",
        )
        return [self._from_message(message) for message in found]

    def _put(self, operation: str, resource_type: str, triples: list[tuple[str, str, str]]) -> str:
        self._services()
        wanted: dict[str, list[_Relationship]] = {}
        for resource, relation, subject in triples:
            rel = parse_relationship(f"{resource}#{relation}@{subject}")
            wanted.setdefault(rel.resource_id, []).append(rel)
        groups = []
        for resource_id, rels in wanted.items():
            keys = {rel.key for rel in rels}
            stale = [
                rel
                for rel in self._current(operation, resource_type, resource_id)
                if rel.key not in keys
            ]
            groups.append([(False, rel) for rel in stale] + [(True, rel) for rel in rels])
        token = self._write(operation, groups)
        return token if token is not None else self._read_token(operation)

    def _delete(self, operation: str, resource_type: str, ids: list[str]) -> str:
        api = self._services()
        token: str | None = None
        for number, one in enumerate(ids, 1):
            request = api.DeleteRelationshipsRequest(
                relationship_filter=api.RelationshipFilter(
                    resource_type=resource_type, optional_resource_id=spicedb_id(one)
                )
            )
            response = self._call(
                self._delete_relationships,
                request,
                operation=operation,
                batch=number,
                batches=len(ids),
                token=token,
                step=f"deleting {resource_type} {one!r} ({number} of {len(ids)})",
            )
            token = str(response.deleted_at.token)
        return token if token is not None else self._read_token(operation)

    def _read_token(self, operation: str) -> str:
        # Nothing to write: a token for "now", so the caller's next read is at least as fresh.
        api = self._services()
        response = self._call(
            self._read_schema,
            api.ReadSchemaRequest(),
            operation=operation,
            batch=0,
            batches=0,
            token=None,
            step="reading a ZedToken (ReadSchema)",
        )
        return str(response.read_at.token)

    def put_cases(self, cases: Iterable[Any]) -> str:
        """Write new or changed cases: each case's relationships, and the deletes of stale ones.

        Reads each case's current relationships first (one ``ReadRelationships`` per case), so
        a case whose sub-rep, facility or status changed keeps no old relationship; a case's
        updates go in one batch, so no check sees it half-written. Returns the last ZedToken.
        """
        return self._put("put_cases", "case", relationship_triples(Org(), cases=cases))

    def delete_cases(self, case_ids: Iterable[str]) -> str:
        """Remove every relationship of each case (one ``DeleteRelationships`` per case).

        A case is never the subject of a relationship, so this removes all of it.
        """
        return self._delete("delete_cases", "case", _id_list(case_ids, "case"))

    def put_items(self, items: Iterable[Any]) -> str:
        """Write new or changed items (as :meth:`put_cases` does for cases)."""
        return self._put("put_items", "item", relationship_triples(Org(), items=items))

    def delete_items(self, item_ids: Iterable[str]) -> str:
        """Remove every relationship of each item (one ``DeleteRelationships`` per item)."""
        return self._delete("delete_items", "item", _id_list(item_ids, "item"))
