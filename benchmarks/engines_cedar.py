"""Cedar (cedarpy 4.12) loaded with beacon_org.export.to_cedar: pre-parsed policies and entities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cedarpy

import beacon_org as bo
from beacon_org.export import to_cedar

#: The Cedar action of each decision the benchmark asks.
ACTIONS = {"view": "view_case", "edit": "edit_case", "use": "use_item"}


class CedarRules:
    """One org, its cases and items as a Cedar ``PolicySet`` and ``Entities``, parsed once.

    Passing the entities as JSON on every call would parse them again each time (see
    ../shared/engines.md); a service keeps them parsed, and so does the benchmark.
    """

    def __init__(
        self, org: bo.Org, cases: Sequence[bo.Case], items: Sequence[bo.InventoryItem]
    ) -> None:
        self.export = to_cedar(org, cases, items)
        self.policies = cedarpy.PolicySet.from_str(self.export.policies)
        self.entities = cedarpy.Entities.from_json_str(self.export.entities)

    def request(self, decision: str, user_id: str, object_id: str) -> dict[str, Any]:
        """The ``is_authorized`` request for ``decision`` (view, edit, use) on the object."""
        return self.export.request(user_id, ACTIONS[decision], object_id)

    def is_authorized(self, request: dict[str, Any]) -> bool:
        """One decision; a Cedar error (a missing entity is a silent Deny) raises instead."""
        result = cedarpy.is_authorized(request, self.policies, self.entities)
        if result.diagnostics.errors:
            msg = f"Cedar could not decide {request}: {list(result.diagnostics.errors)}"
            raise AssertionError(msg)
        return bool(result.allowed)

    def is_authorized_batch(self, requests: Sequence[dict[str, Any]]) -> list[bool]:
        """Many decisions in one ``is_authorized_batch`` call."""
        results = cedarpy.is_authorized_batch(list(requests), self.policies, self.entities)
        for request, result in zip(requests, results, strict=True):
            if result.diagnostics.errors:
                msg = f"Cedar could not decide {request}: {list(result.diagnostics.errors)}"
                raise AssertionError(msg)
        return [bool(result.allowed) for result in results]
