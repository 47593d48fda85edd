"""SpiceDB as it is deployed, started by the test run: PostgreSQL and two ``spicedb serve`` nodes.

``Cluster.start()`` makes a throwaway PostgreSQL cluster (``initdb`` into a temporary folder, as
the ``postgres`` user when the tests run as root, since PostgreSQL refuses root) listening on
127.0.0.1 on a free port, creates a database, runs ``spicedb datastore migrate head`` on it and
starts two ``spicedb serve`` nodes on free loopback ports with a preshared key, both on that
database. ``Cluster.stop()`` stops every process it started, by its pid, and removes the folder.

The binaries come from ``scripts/setup.d/spicedb-server.sh`` (``BEACON_SPICEDB_SERVER`` and
``BEACON_PG_BIN``, in ``.cache/cluster.env``, which ``.cache/env.sh`` sources). A missing binary
raises, so a test that cannot start its cluster fails rather than skips.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import grpc
from authzed.api.v1 import (
    CheckBulkPermissionsRequest,
    CheckBulkPermissionsRequestItem,
    CheckPermissionRequest,
    CheckPermissionResponse,
    Consistency,
    DeleteRelationshipsRequest,
    LookupResourcesRequest,
    ObjectReference,
    ReadSchemaRequest,
    RelationshipFilter,
    SubjectReference,
    SyncClient,
    ZedToken,
)
from google.protobuf import struct_pb2
from grpcutil import insecure_bearer_token_credentials

from beacon_org.export import Answer, decode_spicedb_id, spicedb_id

_HAS = CheckPermissionResponse.PERMISSIONSHIP_HAS_PERMISSION
_CHECKS_PER_CALL = 500
_START_TIMEOUT = 60.0
#: The gRPC service config of ``Cluster.failover_client``.
FAILOVER_SERVICE_CONFIG = {
    "loadBalancingConfig": [{"pick_first": {}}],
    "methodConfig": [
        {
            "name": [
                {"service": "authzed.api.v1.PermissionsService"},
                {"service": "authzed.api.v1.SchemaService"},
            ],
            "waitForReady": True,
            "timeout": "30s",
            "retryPolicy": {
                "maxAttempts": 5,
                "initialBackoff": "0.1s",
                "maxBackoff": "2s",
                "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"],
            },
        }
    ],
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[Any], what: str, log: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"{what} exited with {process.returncode} while starting:\n{_tail(log)}"
            raise RuntimeError(msg)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    msg = f"{what} did not listen on 127.0.0.1:{port} within {_START_TIMEOUT:.0f} s:\n{_tail(log)}"
    raise RuntimeError(msg)


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen[Any] | None, sig: int = signal.SIGTERM) -> None:
    """Stop one process we started, by its pid: ``sig``, then SIGKILL after 20 s."""
    if process is None or process.poll() is not None:
        return
    os.kill(process.pid, sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


def _binary(variable: str, name: str) -> Path:
    value = os.environ.get(variable, "")
    path = Path(value) / name if value and Path(value).is_dir() else Path(value)
    if not value or not path.is_file():
        msg = (
            f"{variable}={value!r} names no {name}: run scripts/setup.d/spicedb-server.sh and "
            "source .cache/env.sh (scripts/check does both)"
        )
        raise RuntimeError(msg)
    return path


class Postgres:
    """One throwaway PostgreSQL server on 127.0.0.1 (its own data folder, started and stopped here)."""

    def __init__(self, root: Path) -> None:
        self.bin = _binary("BEACON_PG_BIN", "postgres").parent
        self.root = root
        self.data = root / "pgdata"
        self.log = root / "postgres.log"
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # PostgreSQL refuses to run as root: run it as the `postgres` user the package created.
        self._user = "postgres" if os.geteuid() == 0 else None
        self._user_env = dict(os.environ)
        if self._user is not None:
            self._user_env["HOME"] = pwd.getpwnam(self._user).pw_dir
            shutil.chown(root, self._user, self._user)

    def _run_as_owner(self, args: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        if self._user is None:
            return subprocess.Popen(args, env=self._user_env, **kwargs)
        return subprocess.Popen(
            args,
            env=self._user_env,
            user=self._user,
            group=self._user,
            extra_groups=[],
            **kwargs,
        )

    def init(self) -> None:
        initdb = self._run_as_owner(
            [
                str(self.bin / "initdb"),
                "--pgdata",
                str(self.data),
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=self.root,
        )
        out, _ = initdb.communicate(timeout=120)
        if initdb.returncode != 0:
            msg = f"initdb failed ({initdb.returncode}):\n{out.decode(errors='replace')}"
            raise RuntimeError(msg)

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = self._run_as_owner(
                [
                    str(self.bin / "postgres"),
                    "-D",
                    str(self.data),
                    "-p",
                    str(self.port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={self.root}",
                    "-c",
                    "fsync=off",  # a throwaway database; durability across crashes is not tested
                    "-c",
                    "track_commit_timestamp=on",  # SpiceDB's Watch API wants it
                    "-c",
                    "max_connections=200",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
            )
        _wait_for_port(self.port, self.process, "postgres", self.log)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                capture_output=True,
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        msg = f"postgres on port {self.port} never became ready:\n{_tail(self.log)}"
        raise RuntimeError(msg)

    def stop(self) -> None:
        # SIGINT is PostgreSQL's "fast" shutdown: it ends every session and exits cleanly.
        _stop(self.process, signal.SIGINT)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_database(self, name: str) -> str:
        """Create ``name`` and return its connection URI."""
        subprocess.run(
            [
                str(self.bin / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                name,
            ],
            check=True,
            capture_output=True,
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}?sslmode=disable"


class Node:
    """One ``spicedb serve`` process on a loopback port."""

    def __init__(self, name: str, server: Path, root: Path, uri: str, key: str) -> None:
        self.name = name
        self.server = server
        self.uri = uri
        self.key = key
        self.port = _free_port()
        self.log = root / f"spicedb-{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        args = [
            str(self.server),
            "serve",
            "--grpc-preshared-key",
            self.key,
            "--grpc-addr",
            self.target,
            "--datastore-engine",
            "postgres",
            "--datastore-conn-uri",
            self.uri,
            # Only the gRPC API: no HTTP gateway, metrics or dispatch listeners to clash on ports.
            "--http-enabled=false",
            "--metrics-enabled=false",
            "--dispatch-cluster-enabled=false",
            "--telemetry-endpoint=",
            "--skip-release-check",
            "--log-level=warn",
            # Stopping a node waits for calls in flight at most this long (default 5 s).
            "--grpc-shutdown-grace-period=1s",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        _wait_for_port(self.port, self.process, f"spicedb node {self.name}", self.log)
        self._wait_serving()

    def _wait_serving(self) -> None:
        client = self.client()
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            try:
                client.ReadSchema(ReadSchemaRequest(), timeout=2)
                return
            except grpc.RpcError as error:
                if error.code() == grpc.StatusCode.NOT_FOUND:  # serving; no schema written yet
                    return
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        _stop(self.process, sig)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def client(self) -> SyncClient:
        """An ``authzed.api.v1.SyncClient`` on this node (plaintext, with the preshared key)."""
        return SyncClient(self.target, insecure_bearer_token_credentials(self.key))


class Cluster:
    """PostgreSQL, the migrated SpiceDB database, and nodes ``a`` and ``b`` on it."""

    def __init__(self) -> None:
        self.server = _binary("BEACON_SPICEDB_SERVER", "spicedb")
        self.root = Path(tempfile.mkdtemp(prefix="beacon-cluster-"))
        self.key = secrets.token_hex(16)
        self.postgres = Postgres(self.root)
        self.uri = ""
        self.nodes: dict[str, Node] = {}
        self.timings: dict[str, float] = {}

    def start(self) -> Cluster:
        try:
            started = time.perf_counter()
            self.postgres.init()
            self.postgres.start()
            self.uri = self.postgres.create_database("spicedb")
            self.timings["postgres"] = time.perf_counter() - started
            started = time.perf_counter()
            self.migrate()
            self.timings["migrate"] = time.perf_counter() - started
            started = time.perf_counter()
            for name in ("a", "b"):
                self.nodes[name] = Node(name, self.server, self.root, self.uri, self.key)
                self.nodes[name].start()
            self.timings["nodes"] = time.perf_counter() - started
        except BaseException:
            self.stop()
            raise
        return self

    def migrate(self) -> None:
        migrate = subprocess.run(
            [
                str(self.server),
                "datastore",
                "migrate",
                "head",
                "--datastore-engine",
                "postgres",
                "--datastore-conn-uri",
                self.uri,
                "--skip-release-check",
                "--log-level=warn",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if migrate.returncode != 0:
            msg = f"spicedb datastore migrate head failed:\n{migrate.stdout}{migrate.stderr}"
            raise RuntimeError(msg)

    def stop(self) -> None:
        """Stop every process started here (nodes first, then PostgreSQL) and remove the folder."""
        errors: list[BaseException] = []
        for node in self.nodes.values():
            try:
                node.stop()
            except BaseException as error:  # keep stopping the others
                errors.append(error)
        try:
            self.postgres.stop()
        except BaseException as error:
            errors.append(error)
        shutil.rmtree(self.root, ignore_errors=True)
        if errors:
            raise errors[0]

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def ensure_running(self) -> None:
        """Start again whatever a fault test stopped (PostgreSQL first, then the nodes)."""
        if self.postgres.process is None or self.postgres.process.poll() is not None:
            self.postgres.start()
        for node in self.nodes.values():
            if not node.running:
                node.start()

    def reset(self) -> None:
        """Delete every relationship (the schema stays), through node A."""
        client = self.nodes["a"].client()
        for resource_type in ("user", "region", "facility", "organization", "case", "item"):
            try:
                client.DeleteRelationships(
                    DeleteRelationshipsRequest(
                        relationship_filter=RelationshipFilter(resource_type=resource_type)
                    )
                )
            except grpc.RpcError as error:
                # Before the first schema is written there is no such type to delete from.
                if error.code() != grpc.StatusCode.FAILED_PRECONDITION:
                    raise

    def failover_client(self, names: Sequence[str] = ("a", "b")) -> SyncClient:
        """One ``SyncClient`` over several nodes: it uses the first and moves on when it fails.

        What a deployment does without a load balancer: one gRPC channel over a static address
        list (``ipv4:host:port,host:port``) with the ``pick_first`` policy, so every call goes
        to the first node that answers, and gRPC's retry policy sends a call that fails with
        UNAVAILABLE again (to the next node once the first is gone). ``SpiceDBSync`` retries
        a batch after a transient status as well; TOUCH and DELETE are safe to repeat.
        """
        target = "ipv4:" + ",".join(self.nodes[name].target for name in names)
        options = [
            ("grpc.enable_retries", 1),
            ("grpc.service_config", json.dumps(FAILOVER_SERVICE_CONFIG)),
        ]
        return SyncClient(target, insecure_bearer_token_credentials(self.key), options=options)

    def logs(self) -> str:
        parts = [f"--- {self.postgres.log.name}\n{_tail(self.postgres.log)}"]
        parts += [f"--- {node.log.name}\n{_tail(node.log)}" for node in self.nodes.values()]
        return "\n".join(parts)


class Unanswered(AssertionError):
    """A question in a CheckBulkPermissions call came back with an error instead of an answer."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"SpiceDB could not answer: code {code}: {message}")
        self.code = code


def at_least_as_fresh(token: str) -> Consistency:
    return Consistency(at_least_as_fresh=ZedToken(token=token))


def at_exact_snapshot(token: str) -> Consistency:
    return Consistency(at_exact_snapshot=ZedToken(token=token))


def _subject(user: str) -> SubjectReference:
    return SubjectReference(object=ObjectReference(object_type="user", object_id=spicedb_id(user)))


def _context(on: str | None) -> struct_pb2.Struct | None:
    if on is None:
        return None
    context = struct_pb2.Struct()
    context.update({"on": on})
    return context


class Reader:
    """The questions the conformance tests ask, over gRPC on one node at a given consistency."""

    def __init__(self, client: SyncClient) -> None:
        self.client = client

    def check(
        self, answers: Sequence[Answer], consistency: Consistency, *, on: str | None = None
    ) -> list[bool]:
        """Each answer's question with CheckBulkPermissions (CheckPermission in bulk).

        ``on`` (``YYYY-MM-DD``) goes with every ``item#use`` question as the caveat context.
        """
        context = _context(on)
        out: list[bool] = []
        for start in range(0, len(answers), _CHECKS_PER_CALL):
            chunk = answers[start : start + _CHECKS_PER_CALL]
            response = self.client.CheckBulkPermissions(
                CheckBulkPermissionsRequest(
                    consistency=consistency,
                    items=[
                        CheckBulkPermissionsRequestItem(
                            resource=ObjectReference(
                                object_type=a.resource_type, object_id=spicedb_id(a.resource_id)
                            ),
                            permission=a.permission,
                            subject=_subject(a.user),
                            context=context
                            if a.resource_type == "item" and a.permission == "use"
                            else None,
                        )
                        for a in chunk
                    ],
                )
            )
            for pair in response.pairs:
                if pair.HasField("error"):
                    raise Unanswered(pair.error.code, pair.error.message)
                out.append(pair.item.permissionship == _HAS)
        return out

    def check_one(
        self,
        resource_type: str,
        resource_id: str,
        permission: str,
        user: str,
        consistency: Consistency,
        *,
        on: str | None = None,
    ) -> bool:
        """One CheckPermission; a conditional answer (a caveat missing its date) raises."""
        response = self.client.CheckPermission(
            CheckPermissionRequest(
                consistency=consistency,
                resource=ObjectReference(
                    object_type=resource_type, object_id=spicedb_id(resource_id)
                ),
                permission=permission,
                subject=_subject(user),
                context=_context(on),
            )
        )
        if response.permissionship == CheckPermissionResponse.PERMISSIONSHIP_CONDITIONAL_PERMISSION:
            msg = f"conditional answer for {user} {permission} {resource_type}:{resource_id}"
            raise AssertionError(msg)
        return bool(response.permissionship == _HAS)

    def lookup_resources(
        self,
        resource_type: str,
        permission: str,
        user: str,
        consistency: Consistency,
        *,
        on: str | None = None,
    ) -> set[str]:
        """The ids (decoded) of the ``resource_type`` objects on which ``user`` has ``permission``."""
        request = LookupResourcesRequest(
            consistency=consistency,
            resource_object_type=resource_type,
            permission=permission,
            subject=_subject(user),
            context=_context(on),
        )
        found = set()
        for reply in self.client.LookupResources(request):
            assert reply.permissionship == 1, reply  # LOOKUP_PERMISSIONSHIP_HAS_PERMISSION
            found.add(decode_spicedb_id(reply.resource_object_id))
        return found


def mismatches(
    reader: Reader, expected: Iterable[Answer], consistency: Consistency
) -> list[tuple[Answer, bool]]:
    """The questions on which the node answers otherwise than beacon_org (empty when alike)."""
    expected = list(expected)
    got = reader.check(expected, consistency)
    return [(a, g) for a, g in zip(expected, got, strict=True) if a.allowed != g]
