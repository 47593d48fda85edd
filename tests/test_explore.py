"""explore(): the interactive view builds, writes a standalone page, and a real browser draws it.

The browser is Debian's Chromium (scripts/setup.d/browser.sh installs it in CI); a machine without
it fails these tests rather than skipping them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

import beacon_org as bo
from beacon_org.graph import Explorer, explore
from beacon_org.testing import build_org, sample_org
from picture_orgs import picture_org

ORG = sample_org()
PATH = ("rm-east", "east", "rep-b1", "c-200")
# Saved pages and screenshots, for a person to look at (build/ is ignored by git).
PAGES = Path(__file__).resolve().parent.parent / "build" / "explore"

SALES_BLUE = (0x90, 0xCA, 0xF9)
DISTRIBUTOR_GREEN = (0x4C, 0xAF, 0x50)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    pytest.fail("no headless browser: install Debian's chromium (scripts/setup.d/browser.sh)")


def _browser(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        command = [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1300,1000",
            "--virtual-time-budget=10000",
            *args,
            page.resolve().as_uri(),
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)


def _screenshot(page: Path) -> np.ndarray:
    shot = page.with_suffix(".png")
    shot.unlink(missing_ok=True)
    _browser(page, f"--screenshot={shot}")
    assert shot.exists(), "the browser wrote no screenshot"
    return np.asarray(mpimg.imread(shot))[:, :, :3] * 255


def _pixels_of(picture: np.ndarray, colour: tuple[int, int, int]) -> int:
    return int((np.abs(picture - np.array(colour)).max(axis=2) <= 12).sum())


def _edge_colours(view: Explorer) -> dict[tuple[str, str], str]:
    (renderer,) = [r for r in view.plot.renderers if hasattr(r, "edge_renderer")]
    edges = renderer.edge_renderer.data_source.data
    return dict(zip(zip(edges["start"], edges["end"], strict=True), edges["colour"], strict=True))


def _node_data(view: Explorer) -> dict[str, list[object]]:
    (renderer,) = [r for r in view.plot.renderers if hasattr(r, "node_renderer")]
    return dict(renderer.node_renderer.data_source.data)


# --- building ---------------------------------------------------------------------------------


def test_the_sample_org_has_every_node_with_its_details() -> None:
    view = explore(ORG, highlight=PATH, title="Acme Ortho")
    nodes = _node_data(view)
    assert set(nodes["index"]) == set(ORG.users) | set(ORG.regions)
    assert view.nodes == len(ORG.users) + len(ORG.regions)
    row = {key: values[list(nodes["index"]).index("rep-new")] for key, values in nodes.items()}
    assert row["kind"] == "sales"
    assert row["group"] == "dist-b"
    assert row["region_of"] == "east"
    assert row["state"] == "locked"
    # Roles differ by marker and by colour.
    marker = dict(zip(nodes["index"], nodes["marker"], strict=True))
    fill = dict(zip(nodes["index"], nodes["fill"], strict=True))
    for one, other in [("dist-a", "rep-a1"), ("rm-west", "dist-a"), ("owner", "fm-mercy")]:
        assert marker[one] != marker[other]
        assert fill[one] != fill[other]


def test_a_decisions_path_is_red() -> None:
    decision = bo.Decision(allowed=True, reason="regional-manager-of-representative", path=PATH)
    view = explore(ORG, highlight=decision)
    colours = _edge_colours(view)
    assert colours[("rm-east", "east")] == "#d50000"
    assert colours[("east", "rep-b1")] == "#d50000"
    assert colours[("dist-b", "rep-b1")] != "#d50000"
    rings = dict(zip(_node_data(view)["index"], _node_data(view)["ring"], strict=True))
    assert {n for n, ring in rings.items() if ring == "#d50000"} == {"rm-east", "east", "rep-b1"}


def test_groups_and_regions_are_clusters() -> None:
    view = explore(ORG)
    labels = [
        label
        for renderer in view.plot.renderers
        if "label" in getattr(getattr(renderer, "data_source", None), "data", {})
        for label in renderer.data_source.data["label"]
    ]
    assert "dist-a group · shares inventory" in labels
    assert "region east · East · MA NJ NY" in labels


def test_a_focus_keeps_the_neighbourhood() -> None:
    view = explore(ORG, focus="central")
    assert set(_node_data(view)["index"]) == {
        "central",
        "rm-central",
        "rep-a2",
        "rep-solo",
        "dist-a",
        "rep-a1",
    }
    with pytest.raises(bo.UnknownUserError):
        explore(ORG, focus="nobody")
    with pytest.raises(bo.OrgError, match="depth"):
        explore(ORG, focus="central", depth=-1)
    with pytest.raises(bo.OrgError, match="highlight"):
        explore(ORG, highlight=42)


def test_a_2000_user_org_builds_whole() -> None:
    org = picture_org(2000)
    view = explore(org)
    assert view.nodes == len(org.users) + len(org.regions)
    assert len(view.to_html()) < 5_000_000


def test_an_empty_org_and_members_away_from_their_region() -> None:
    assert explore(bo.Org()).nodes == 0
    reps = [f"rep-{i}" for i in range(45)]
    org = build_org(groups={"dist-w": reps}, regions={"west": ["dist-w"], "east": reps})
    colours = _edge_colours(explore(org))
    # Past 40 such members, no region-to-member line crosses the page; hover tells the region.
    assert not [edge for edge in colours if edge[0] == "east"]
    few = build_org(groups={"dist-w": reps[:3]}, regions={"west": ["dist-w"], "east": reps[:3]})
    assert {edge for edge in _edge_colours(explore(few)) if edge[0] == "east"} == {
        ("east", rep) for rep in reps[:3]
    }


def test_the_page_is_standalone(tmp_path: Path) -> None:
    page = explore(ORG).save(tmp_path / "org.html")
    text = page.read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html>")
    # No script or stylesheet is loaded from elsewhere: the page carries Bokeh's JavaScript.
    assert not re.findall(r"<script[^>]*\bsrc=", text)
    assert not re.findall(r"<link[^>]*\bhref=\"?https?:", text)
    assert "Bokeh" in text


def test_in_a_notebook_it_shows_as_an_inline_page() -> None:
    html = explore(ORG)._repr_html_()
    assert html.startswith("<iframe srcdoc=")
    assert "&lt;!DOCTYPE html&gt;" in html


def test_import_beacon_org_graph_does_not_import_bokeh() -> None:
    code = "import sys, beacon_org, beacon_org.graph; print('bokeh' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


# --- in a real browser ------------------------------------------------------------------------


@pytest.mark.parametrize("users", [0, 2000])
def test_a_headless_browser_draws_the_nodes(users: int) -> None:
    org = picture_org(users) if users else ORG
    PAGES.mkdir(parents=True, exist_ok=True)
    page = explore(org, highlight=PATH if not users else ()).save(
        PAGES / f"org-{users or 'sample'}.html"
    )
    picture = _screenshot(page)
    # Sales reps (blue circles) and distributors (green squares) are drawn on the canvas.
    assert _pixels_of(picture, SALES_BLUE) > (200 if users else 100)
    assert _pixels_of(picture, DISTRIBUTOR_GREEN) > 40
    if not users:
        assert _pixels_of(picture, (0xD5, 0x00, 0x00)) > 100, "the path is not red"


def test_a_blank_page_has_none_of_those_colours(tmp_path: Path) -> None:
    # The check above could not pass on an empty page.
    page = tmp_path / "blank.html"
    page.write_text("<!DOCTYPE html><title>blank</title><p>nothing</p>", encoding="utf-8")
    picture = _screenshot(page)
    assert _pixels_of(picture, SALES_BLUE) == 0
    assert _pixels_of(picture, DISTRIBUTOR_GREEN) == 0


def test_search_in_the_browser_finds_users(tmp_path: Path) -> None:
    page = explore(ORG).save(tmp_path / "org.html")
    # Type into the search box as a person would (an input event on the real <input>, which Bokeh
    # keeps in a shadow DOM), then copy what the page shows next to the box out of the shadow DOM.
    probe = """
<script>
function everything(root) {
  const found = [];
  for (const element of root.querySelectorAll("*")) {
    found.push(element);
    if (element.shadowRoot) found.push(...everything(element.shadowRoot));
  }
  return found;
}
function shown() {
  return everything(document).filter((e) => e.shadowRoot == null && e.children.length === 0)
    .map((e) => e.textContent.trim()).filter((t) => /^\\d+ match(es)?$/.test(t));
}
const wait = setInterval(() => {
  const input = everything(document).find((e) => e.tagName === "INPUT");
  if (!input) return;
  clearInterval(wait);
  input.value = "REP-B";
  input.dispatchEvent(new Event("input", {bubbles: true}));
  setTimeout(() => {
    const out = document.createElement("pre");
    out.id = "probe";
    out.textContent = JSON.stringify(shown());
    document.body.appendChild(out);
  }, 1000);
}, 100);
</script>
"""
    # The last </body>: Bokeh's inlined JavaScript holds the string too.
    head, body_end, tail = page.read_text(encoding="utf-8").rpartition("</body>")
    page.write_text(head + probe + body_end + tail, encoding="utf-8")
    dom = _browser(page, "--dump-dom").stdout
    (result,) = re.findall(r'<pre id="probe">(.*?)</pre>', dom)
    # rep-b1 and rep-b2 (by id; the search ignores case).
    assert result.replace("&quot;", '"') == '["2 matches"]'
