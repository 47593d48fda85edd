"""The example notebook runs from top to bottom with nbclient, and is committed without outputs."""

from __future__ import annotations

import base64
import struct
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebooks" / "explore.ipynb"


def _source(cell: Any) -> str:
    return str(cell.source)


def test_notebook_is_committed_clean() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, "the notebook has no code"
    for cell in code:
        assert cell.outputs == [], f"committed with outputs: {_source(cell)[:60]!r}"
        assert cell.execution_count is None


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    workdir = tmp_path_factory.mktemp("notebook")
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, if a cell fails
    return notebook


def _outputs(notebook: Any, needle: str) -> list[Any]:
    cells = [c for c in notebook.cells if c.cell_type == "code" and needle in _source(c)]
    assert cells, f"no cell contains {needle!r}"
    return [out for cell in cells for out in cell.outputs]


def _png_size(data: str) -> tuple[int, int]:
    raw = base64.b64decode(data)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", raw[16:24])
    return width, height


def test_every_cell_ran_without_error(executed: Any) -> None:
    for cell in executed.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None
            assert all(out.output_type != "error" for out in cell.outputs)


def test_the_org_shows_as_html_tables(executed: Any) -> None:
    (out,) = [o for o in _outputs(executed, "org = sample_org()") if "data" in o]
    html = out["data"]["text/html"]
    assert "Distributor groups" in html
    assert "dist-a" in html


def test_the_drawings_are_pictures(executed: Any) -> None:
    pictures = [o for o in _outputs(executed, "draw(org") if "image/png" in o.get("data", {})]
    assert len(pictures) == 3  # the whole org, a focus on one region, a highlighted path
    for picture in pictures:
        width, height = _png_size(picture["data"]["image/png"])
        assert width > 400
        assert height > 300


def test_the_denial_and_the_diff_are_explained(executed: Any) -> None:
    (denial,) = [o for o in _outputs(executed, "denied = ") if "data" in o]
    assert "not-in-group" in denial["data"]["text/html"]
    assert "suggestion" in denial["data"]["text/html"]
    printed = "".join(o.get("text", "") for o in _outputs(executed, "moved = org.unassign_rep"))
    assert "rep-a2" in printed
    assert "dist-b" in printed


def test_the_interactive_view_shows_inline_and_is_saved(executed: Any) -> None:
    (view,) = [o for o in _outputs(executed, "view = explore(") if "data" in o]
    html = view["data"]["text/html"]
    assert html.startswith("<iframe srcdoc=")
    assert "rep-b1" in html  # the nodes' data travels with the page
    printed = "".join(o.get("text", "") for o in _outputs(executed, "view.save("))
    assert printed.strip().endswith("acme-ortho.html True")
