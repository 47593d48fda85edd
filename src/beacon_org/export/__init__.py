"""The same rules on an engine that runs across machines: SpiceDB, Cedar and OpenFGA exports.

``to_spicedb(org, cases, items)`` gives a schema and relationships in which SpiceDB answers
``case#view``, ``case#edit``, ``item#use`` and ``item#view`` exactly as beacon_org's rules do;
``relationship_changes`` keeps SpiceDB in step as the org changes. ``to_cedar`` and ``to_openfga``
give the same rules for Cedar and OpenFGA. The engines' texts, relationships and entities are
rendered from the rule table (``beacon_org.rules._table``), the one statement of the rules that
the library itself follows. See *When one process is not enough* in the docs.
"""

from .. import _public
from ._answers import Answer, expected_answers
from ._cedar import CEDAR_POLICIES, CEDAR_SCHEMA, CedarExport, to_cedar
from ._files import ENGINES, export_files, write_export
from ._ids import MAX_ID_LENGTH, decode_spicedb_id, spicedb_id
from ._openfga import OPENFGA_MODEL, OpenFGAExport, to_openfga
from ._spicedb import (
    SPICEDB_SCHEMA,
    RelationshipChanges,
    SpiceDBExport,
    relationship_changes,
    to_spicedb,
)
from ._sync import TRANSIENT_STATUSES, SpiceDBSync, SyncError

__all__ = [
    "CEDAR_POLICIES",
    "CEDAR_SCHEMA",
    "ENGINES",
    "MAX_ID_LENGTH",
    "OPENFGA_MODEL",
    "SPICEDB_SCHEMA",
    "TRANSIENT_STATUSES",
    "Answer",
    "CedarExport",
    "OpenFGAExport",
    "RelationshipChanges",
    "SpiceDBExport",
    "SpiceDBSync",
    "SyncError",
    "decode_spicedb_id",
    "expected_answers",
    "export_files",
    "relationship_changes",
    "spicedb_id",
    "to_cedar",
    "to_openfga",
    "to_spicedb",
    "write_export",
]

# Reprs, tracebacks, pickles and the docs name this package, not the private module of each name.
_public.publish(__name__)
