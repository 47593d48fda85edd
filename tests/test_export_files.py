"""``beacon-org export {spicedb,cedar,openfga}``: the files written load into the real engines."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import cedarpy
import pytest
import yaml

import beacon_org as bo
from beacon_org._bundle import Bundle, bundle_to_dict
from beacon_org.cli import main
from beacon_org.export import expected_answers, export_files, to_cedar, to_openfga
from beacon_org.testing import sample_cases, sample_items, sample_org
from engines import NO, SpiceDB, exported, fga_model_test, parse_relationship


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    path = tmp_path / "org.json"
    data = bundle_to_dict(Bundle(org=sample_org(), cases=sample_cases(), items=sample_items()))
    path.write_text(json.dumps(data))
    return path


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_spicedb_files_load_as_zed_import_reads_them(bundle: Path, tmp_path: Path) -> None:
    status, out, err = run("export", "spicedb", str(bundle), "-o", str(tmp_path / "zed"))
    assert (status, err) == (0, "")
    assert out.split() == [str(tmp_path / "zed" / n) for n in ("spicedb.yaml", "schema.zed")]
    data = yaml.safe_load((tmp_path / "zed" / "spicedb.yaml").read_text())
    assert set(data) == {"schema", "relationships"}
    assert data["schema"] == (tmp_path / "zed" / "schema.zed").read_text().rstrip("\n")
    # What zed import does: write the schema, then each relationship line.
    from authzed.api.v1 import RelationshipUpdate, WriteRelationshipsRequest, WriteSchemaRequest

    org, cases, items = sample_org(), sample_cases(), sample_items()
    with SpiceDB() as db:
        embedded = db.client
        embedded.schema().WriteSchema(WriteSchemaRequest(schema=data["schema"]))  # type: ignore[attr-defined]
        updates = [
            RelationshipUpdate(
                operation=RelationshipUpdate.Operation.OPERATION_TOUCH,
                relationship=parse_relationship(line),
            )
            for line in data["relationships"].splitlines()
        ]
        token = (
            embedded.permissions()
            .WriteRelationships(  # type: ignore[attr-defined]
                WriteRelationshipsRequest(updates=updates)
            )
            .written_at.token
        )
        assert db.relationships(token) == exported(org, cases, items)
        answers = expected_answers(org, cases, items, on=datetime.date(2027, 4, 1))
        got = db.check_answers(answers, token=token, on=datetime.date(2027, 4, 1))
        assert [a for a, g in zip(answers, got, strict=True) if (g != NO) != a.allowed] == []


def test_cedar_files_are_the_export_and_validate(bundle: Path, tmp_path: Path) -> None:
    status, _, err = run("export", "cedar", str(bundle), "-o", str(tmp_path))
    assert (status, err) == (0, "")
    export = to_cedar(sample_org(), sample_cases(), sample_items())
    policies = (tmp_path / "policies.cedar").read_text()
    schema = (tmp_path / "schema.cedarschema").read_text()
    assert (policies, schema) == (export.policies, export.schema)
    assert cedarpy.validate_policies(policies, schema).validation_passed
    entities = (tmp_path / "entities.json").read_text()
    request = export.request("dist-a", "use_item", "screw-a-1", on=datetime.date(2027, 3, 31))
    assert cedarpy.is_authorized(request, policies, entities, schema=schema).allowed
    request = export.request("dist-a", "use_item", "screw-a-1", on=datetime.date(2027, 4, 1))
    assert not cedarpy.is_authorized(request, policies, entities, schema=schema).allowed


def test_openfga_store_file_runs_in_fga(bundle: Path, tmp_path: Path) -> None:
    status, _, err = run("export", "openfga", str(bundle), "-o", str(tmp_path))
    assert (status, err) == (0, "")
    org, cases, items = sample_org(), sample_cases(), sample_items()
    export = to_openfga(org, cases, items)
    assert (tmp_path / "model.fga").read_text() == export.model
    assert json.loads((tmp_path / "tuples.json").read_text()) == [dict(t) for t in export.tuples]
    # The store file plus assertions for one user: fga loads its model and tuples and answers.
    on = datetime.date(2027, 4, 1)
    tests = export.test_yaml(expected_answers(org, cases, items, users=["dist-a"], on=on), on=on)
    store = (tmp_path / "store.fga.yaml").read_text()
    assert tests.startswith(store)
    (tmp_path / "with-tests.fga.yaml").write_text(store + tests[len(store) :])
    result = fga_model_test(str(tmp_path / "with-tests.fga.yaml"))
    assert result.returncode == 0, result.stderr[-2000:]


def test_bad_input_is_one_line_and_exit_2(bundle: Path, tmp_path: Path) -> None:
    status, out, err = run("export", "zanzibar", str(bundle))
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "invalid choice: 'zanzibar'" in err
    status, _, err = run("export", "cedar", str(tmp_path / "missing.json"))
    assert status == 2
    assert err.startswith("beacon-org: cannot read")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    status, _, err = run("export", "cedar", str(bundle), "-o", str(blocker / "sub"))
    assert status == 2
    assert err.count("\n") == 1
    assert "cannot write to" in err


def test_an_unknown_engine_in_python_is_an_org_error() -> None:
    with pytest.raises(bo.InvalidValueError, match="unknown engine 'casbin'"):
        export_files("casbin", bo.Org())
