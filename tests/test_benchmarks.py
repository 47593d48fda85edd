"""The benchmark harness runs, and the engines it times answer as beacon_org (no timing checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import run
from engines_casbin import CasbinRules

import beacon_org as bo
from beacon_org.testing import sample_cases, sample_items, sample_org

ROOT = Path(__file__).resolve().parent.parent
GHOST = "ghost-user"


def test_quick_run_completes_and_the_engines_agree(tmp_path: Path) -> None:
    output = tmp_path / "results.md"
    page = tmp_path / "performance.md"
    original = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    page.write_text(original, encoding="utf-8")
    command = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"]
    done = subprocess.run(
        [*command, "--output", str(output), "--docs", str(page)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "engines agree: Cedar" in done.stdout
    table = output.read_text(encoding="utf-8")
    assert "| figure | beacon_org | Cedar | pycasbin | SpiceDB | bare call |" in table
    for figure in (
        "can_view_case",
        "can_edit_case",
        "Custody.can_use",
        "from_dict",
        "visible_cases",
    ):
        assert figure in table


def casbin_disagreements(org: bo.Org) -> list[tuple[str, str, str]]:
    cases, items = sample_cases(), sample_items()
    casbin = CasbinRules(org, cases, items)
    vis, custody = bo.Visibility(org), bo.Custody(org, items)
    wrong = []
    for user in [*sorted(org.users), GHOST]:
        for case in cases:
            if casbin.can_view_case(user, case.id) != vis.can_view_case(user, case).allowed:
                wrong.append((user, "view", case.id))
            if casbin.can_edit_case(user, case.id) != vis.can_edit_case(user, case).allowed:
                wrong.append((user, "edit", case.id))
        for item in items:
            if casbin.can_use(user, item.id) != custody.can_use(user, item.id).allowed:
                wrong.append((user, "use", item.id))
    return wrong


def test_the_casbin_model_answers_every_sample_decision_as_beacon_org() -> None:
    org = sample_org().complete_training("rm-central").complete_training("rm-east")
    assert casbin_disagreements(org) == []
    # Sharing off, and the dist-a group's reps lose dist-a's items: the model follows.
    assert casbin_disagreements(org.set_shared_inventory("dist-a", False)) == []


def test_the_agreement_check_fails_on_a_wrong_answer() -> None:
    run.agree("Cedar", "view", [True, False], [True, False])
    with pytest.raises(AssertionError, match="Cedar disagrees with beacon_org on 1 view"):
        run.agree("Cedar", "view", [True, True], [True, False])


def test_the_service_benchmark_runs_checks_agreement_and_writes_its_targets(
    tmp_path: Path,
) -> None:
    output = tmp_path / "service-results.md"
    command = [sys.executable, str(ROOT / "benchmarks" / "bench_service.py"), "--quick"]
    done = subprocess.run(
        [*command, "--passes", "1", "--output", str(output)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "engines agree: Cedar" in done.stdout
    table = output.read_text(encoding="utf-8")
    assert "| target | figure | target ratio | measured ratio | met |" in table
    for figure in (
        "can_view_case, new bo.Case",
        "can_edit_case, new service row",
        "Custody.can_use",
        "bo.Case(...) construction",
        "Cedar view",
    ):
        assert figure in table
