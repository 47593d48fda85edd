"""The public surface: ``__all__`` lists exactly the public names, sorted as ruff sorts them; each
public name reports its public module; each public callable has a doctested example."""

from __future__ import annotations

import doctest
import inspect
import pickle
import sys
import types

import pytest

import beacon_org
import beacon_org.graph
import beacon_org.rules
import beacon_org.testing
from beacon_org import _public
from beacon_org.testing import sample_items, sample_org
from public_names import PUBLIC_MODULES, modules, public_callables


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_all_matches_public_names(module_name: str) -> None:
    module = modules()[module_name]
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        # strategies.py is a module of its own: its imports are not exports
        and getattr(value, "__module__", module_name).startswith("beacon_org")
    }
    if module_name == "beacon_org.testing.strategies":  # a module of code: it imports records too
        assert set(module.__all__) <= public
    else:
        assert set(module.__all__) == public
    assert len(module.__all__) == len(set(module.__all__))


def test_api_md_names_are_importable() -> None:
    for name in [
        "Role", "User", "Region", "CaseStatus", "Case", "InventoryItem", "ORG_CUSTODY", "Org",
        "OrgError", "UnknownUserError", "ImmutableFieldError", "AssignmentError",
        "InvalidDataError", "to_dict", "from_dict", "Decision", "Finding", "Severity",
    ]:  # fmt: skip
        assert hasattr(beacon_org, name), name


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_public_names_report_a_public_module(module_name: str) -> None:
    module = modules()[module_name]
    for name in module.__all__:
        value = getattr(module, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__module__ in PUBLIC_MODULES, f"{module_name}.{name}: {value.__module__}"
            # The name it reports imports it back.
            assert getattr(sys.modules[value.__module__], value.__qualname__) is value


def test_reprs_and_tracebacks_name_the_public_module() -> None:
    assert repr(beacon_org.UnknownUserError) == "<class 'beacon_org.UnknownUserError'>"
    assert repr(beacon_org.Decision) == "<class 'beacon_org.rules.Decision'>"
    assert beacon_org.Org.__module__ == "beacon_org"
    with pytest.raises(beacon_org.UnknownUserError) as caught:
        sample_org().user("nobody")
    assert caught.exconly() == "beacon_org.UnknownUserError: unknown user 'nobody'"
    assert "beacon_org._" not in caught.exconly()


def test_published_records_still_pickle_structure_and_compare() -> None:
    org = sample_org()
    assert pickle.loads(pickle.dumps(org)) == org
    items = sample_items()
    assert pickle.loads(pickle.dumps(items)) == items
    assert pickle.loads(pickle.dumps(beacon_org.Role.SALES)) is beacon_org.Role.SALES
    error = pickle.loads(pickle.dumps(beacon_org.UnknownUserError("unknown user 'x'", id="x")))
    assert isinstance(error, beacon_org.OrgError)
    # cattrs reads the records' annotations, resolved where they were written.
    assert beacon_org.from_dict(beacon_org.to_dict(org)) == org
    # The source of a method is still found (a class's is not, on Python < 3.13: see _public).
    assert "def add_user" in inspect.getsource(beacon_org.Org.add_user)


CALLABLES = public_callables()


@pytest.mark.parametrize("path", sorted(CALLABLES))
def test_public_callable_has_a_doctested_example(path: str) -> None:
    """Each public class, function and method has an Examples section that runs as a doctest."""
    value = CALLABLES[path]
    doc = inspect.getdoc(value) or ""
    assert "\nExamples\n--------\n" in doc, f"{path} has no Examples section"
    section = doc.split("\nExamples\n--------\n", 1)[1]
    assert ">>> " in section, f"{path}: its Examples section has no >>> example"
    # ...and pytest --doctest-modules collects it, from the module that writes it.
    parent = CALLABLES.get(path.rsplit(".", 1)[0])
    owner = parent if inspect.isclass(parent) else value  # a method is written with its class
    written_in = _public.defined_in(owner) or owner.__module__  # type: ignore[attr-defined]
    found = doctest.DocTestFinder().find(sys.modules[written_in])
    names = {test.name.removeprefix(written_in + ".") for test in found if test.examples}
    assert value.__qualname__ in names, f"{path}: no doctest collected for it in {written_in}"
