"""The export as files each engine's own tools load (``beacon-org export``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .._errors import InvalidValueError
from .._org import Org
from ._cedar import to_cedar
from ._openfga import to_openfga
from ._spicedb import _yaml_block, to_spicedb

__all__ = ["ENGINES", "export_files", "write_export"]

#: The engines ``beacon-org export`` writes for.
ENGINES = ("spicedb", "cedar", "openfga")


def export_files(
    engine: str, org: Org, cases: Iterable[Any] = (), items: Iterable[Any] = ()
) -> dict[str, str]:
    """Return the files (name to text) that ``engine`` loads for ``org``, its cases and items.

    - ``spicedb``: ``spicedb.yaml`` (``schema:`` and ``relationships:``, as ``zed import`` and
      ``zed validate`` read it) and ``schema.zed`` (for ``zed schema write``).
    - ``cedar``: ``policies.cedar``, ``schema.cedarschema`` and ``entities.json``.
    - ``openfga``: ``model.fga``, ``tuples.json`` (the Write API's tuple keys, conditions
      included) and ``store.fga.yaml`` (for ``fga store import`` and ``fga model test``).

    Raises
    ------
    beacon_org.InvalidValueError
        If ``engine`` is not one of :data:`ENGINES`, or a case or item is malformed.

    Examples
    --------
    >>> from beacon_org.export import export_files
    >>> files = export_files("spicedb", bo.Org(), items=[bo.InventoryItem("i-1", bo.ORG_CUSTODY)])
    >>> sorted(files)
    ['schema.zed', 'spicedb.yaml']
    >>> text = files["spicedb.yaml"]
    >>> print(text[text.index("relationships: |-") :], end="")
    relationships: |-
      item:i-1#holder@organization:=40org
      item:i-1#org@organization:=40org
    """
    if engine == "spicedb":
        spicedb = to_spicedb(org, cases, items)
        lines = ["schema: |-", _yaml_block(spicedb.schema).rstrip("\n")]
        lines.append("relationships: |-" if spicedb.relationships else 'relationships: ""')
        lines.extend(f"  {r}" for r in spicedb.relationships)
        return {"spicedb.yaml": "\n".join(lines) + "\n", "schema.zed": spicedb.schema}
    if engine == "cedar":
        cedar = to_cedar(org, cases, items)
        return {
            "policies.cedar": cedar.policies,
            "schema.cedarschema": cedar.schema,
            "entities.json": cedar.entities + "\n",
        }
    if engine == "openfga":
        openfga = to_openfga(org, cases, items)
        store = openfga.test_yaml(name="beacon_org")
        store = store[: store.index("tests:")].rstrip("\n") + "\n"
        return {
            "model.fga": openfga.model,
            "tuples.json": json.dumps([dict(t) for t in openfga.tuples], indent=1) + "\n",
            "store.fga.yaml": store,
        }
    msg = f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}"
    raise InvalidValueError(msg, field="engine", value=engine)


def write_export(
    engine: str,
    org: Org,
    cases: Iterable[Any] = (),
    items: Iterable[Any] = (),
    *,
    directory: str | Path = ".",
) -> list[Path]:
    """Write :func:`export_files` into ``directory`` (made if missing); return the paths written.

    Raises
    ------
    beacon_org.InvalidValueError
        As :func:`export_files`.
    OSError
        If the directory cannot be made or a file cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from beacon_org.export import write_export
    >>> folder = tempfile.mkdtemp()
    >>> [path.name for path in write_export("cedar", bo.Org(), directory=folder)]
    ['policies.cedar', 'schema.cedarschema', 'entities.json']
    """
    files = export_files(engine, org, cases, items)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
