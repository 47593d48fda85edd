"""Doctest set-up for every module and docs page: ``bo`` is beacon_org."""

from typing import Any

import pytest

import beacon_org


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace["bo"] = beacon_org
