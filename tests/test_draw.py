"""Pictures of an org: layout, DOT text (parsed back with pydot) and the matplotlib drawing as PNG."""

from __future__ import annotations

import struct
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display here: choose the file backend before pyplot loads

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import pydot
import pytest

import beacon_org as bo
from beacon_org.graph import MANAGES, MEMBER, REP, draw, layout, summary, to_dot
from beacon_org.testing import build_org, sample_org
from picture_orgs import picture_org

ORG = sample_org()


@pytest.fixture(autouse=True)
def _close_figures() -> object:
    yield
    plt.close("all")


# --- layout ---------------------------------------------------------------------------------------


def test_layout_places_every_user_and_region_once() -> None:
    pos = layout(ORG)
    assert set(pos) == set(ORG.users) | set(ORG.regions)
    assert len(set(pos.values())) == len(pos), "two nodes share a position"


def test_layout_keeps_each_group_together_and_under_its_distributor() -> None:
    pos = layout(ORG)
    spans = {}
    for distributor in ORG.distributors:
        reps = ORG.reps_of(distributor)
        xs = [pos[r][0] for r in reps]
        ys = [pos[r][1] for r in reps]
        assert all(pos[r][1] < pos[distributor][1] for r in reps)
        assert min(xs) <= pos[distributor][0] <= max(xs)
        spans[distributor] = (min(xs), max(xs), min(ys), max(ys))
    # Two groups' rectangles never overlap, and no other user sits inside a group's rectangle.
    (ax0, ax1, ay0, ay1), (bx0, bx1, by0, by1) = spans["dist-a"], spans["dist-b"]
    assert ax1 < bx0 or bx1 < ax0 or ay1 < by0 or by1 < ay0, "two groups overlap"
    for distributor, (x0, x1, y0, y1) in spans.items():
        group = {distributor, *ORG.reps_of(distributor)}
        for node, (x, y) in pos.items():
            if node not in group:
                assert not (x0 <= x <= x1 and y0 <= y <= y1), (node, distributor)


def test_layout_puts_each_region_with_its_manager_above_its_groups() -> None:
    pos = layout(ORG)
    for region_id, region in ORG.regions.items():
        assert region.manager is not None
        # The manager sits beside its region, in the region's header row.
        assert pos[region.manager][1] == pos[region_id][1]
        assert pos[region.manager][0] > pos[region_id][0]
        for member in ORG.region_members(region_id):
            distributor = ORG.distributor_of(member) or member
            if ORG.user(distributor).region == region_id:
                assert pos[region_id][1] > pos[member][1], member
    for back_office in ("owner", "admin-1", "ops-1", "fm-mercy"):
        assert pos[back_office][1] > max(pos[r][1] for r in ORG.regions)


def test_layout_with_a_focus_keeps_the_neighbourhood_and_whole_groups() -> None:
    # A rep: its distributor and region, and its whole group.
    assert set(layout(ORG, focus="rep-a1")) == {"rep-a1", "rep-a2", "dist-a", "west"}
    # A distributor: its group and its region.
    assert set(layout(ORG, focus="dist-b")) == {"dist-b", "rep-b1", "rep-b2", "rep-new", "east"}
    # A region: its manager, its members and their groups.
    assert set(layout(ORG, focus="central")) == {
        "central",
        "rm-central",
        "rep-a2",
        "rep-solo",
        "dist-a",
        "rep-a1",
    }
    assert set(layout(ORG, focus="central", depth=0)) == {"central"}
    assert set(layout(ORG, focus="rm-east", depth=2)) == {
        "rm-east",
        "east",
        "dist-b",
        "rep-b1",
        "rep-b2",
        "rep-new",
    }
    assert set(layout(ORG, focus="dist-a", depth=10)) >= set(layout(ORG, focus="west"))


@pytest.mark.parametrize("focus", ["nobody", "c-100", ""])
def test_an_unknown_focus_is_an_unknown_user(focus: str) -> None:
    with pytest.raises(bo.UnknownUserError, match=repr(focus)):
        draw(ORG, focus=focus)
    with pytest.raises(KeyError):
        layout(ORG, focus=focus)


@pytest.mark.parametrize("depth", [-1, 1.5, "2", True, None])
def test_a_bad_depth_is_an_org_error(depth: object) -> None:
    with pytest.raises(bo.OrgError, match="depth"):
        draw(ORG, focus="dist-a", depth=depth)  # type: ignore[arg-type]
    with pytest.raises(bo.OrgError, match="depth"):
        draw(ORG, depth=depth)  # type: ignore[arg-type]


def test_a_focus_that_is_not_a_string_is_an_org_error() -> None:
    with pytest.raises(bo.InvalidValueError, match="focus"):
        draw(ORG, focus=42)  # type: ignore[arg-type]


def test_layout_of_an_empty_org_and_lonely_nodes() -> None:
    assert layout(bo.Org()) == {}
    org = (
        bo.Org()
        .add_user("rm", email="rm@x.example", role="regional_manager")
        .add_region("north")
        .add_user("d", email="d@x.example", role="distributor")
    )
    pos = layout(org)
    assert set(pos) == {"rm", "north", "d"}


# --- DOT ------------------------------------------------------------------------------------------


def _parse(dot: str) -> pydot.Dot:
    with warnings.catch_warnings():
        # pydot 4 calls pyparsing's camelCase names, which pyparsing 3.3 deprecates.
        warnings.simplefilter("ignore", DeprecationWarning)
        graphs = pydot.graph_from_dot_data(dot)
    assert graphs is not None
    assert len(graphs) == 1
    return graphs[0]


def _all_nodes(graph: pydot.Dot) -> dict[str, dict[str, str]]:
    # Node name -> its attributes (quotes stripped), merged over every subgraph it appears in.
    nodes: dict[str, dict[str, str]] = {}
    for node in graph.get_nodes():
        name = node.get_name().strip('"')
        if name not in {"graph", "node", "edge"}:
            attributes = {k: str(v).strip('"') for k, v in node.get_attributes().items()}
            nodes.setdefault(name, {}).update(attributes)
    for sub in graph.get_subgraphs():
        for name, attributes in _all_nodes(sub).items():
            nodes.setdefault(name, {}).update(attributes)
    return nodes


def _clusters(graph: pydot.Dot) -> dict[str, set[str]]:
    return {
        sub.get_name().strip('"'): {n.get_name().strip('"') for n in sub.get_nodes()} - {"graph"}
        for sub in graph.get_subgraphs()
        if sub.get_name().strip('"').startswith("cluster_")
    }


def test_dot_has_every_node_and_edge_of_the_graph() -> None:
    graph = _parse(to_dot(ORG))
    assert set(_all_nodes(graph)) == set(ORG.users) | set(ORG.regions)
    edges = {
        (e.get_source().strip('"'), e.get_destination().strip('"'), e.get("relation").strip('"'))
        for e in graph.get_edges()
    }
    expected = {(s, t, d["relation"]) for s, t, d in ORG.graph.edges(data=True)}
    assert edges == expected
    assert {r for _, _, r in edges} == {REP, MEMBER, MANAGES}


def test_dot_clusters_each_group_and_the_reps_in_no_group() -> None:
    clusters = _clusters(_parse(to_dot(ORG)))
    assert clusters["cluster_group_dist-a"] == {"dist-a", "rep-a1", "rep-a2"}
    assert clusters["cluster_group_dist-b"] == {"dist-b", "rep-b1", "rep-b2", "rep-new"}
    assert clusters["cluster_no_group"] == {"rep-solo", "rep-gone", "wh-quarantine"}


def test_dot_tells_roles_and_states_apart() -> None:
    nodes = _all_nodes(_parse(to_dot(ORG)))

    def attr(node: str, name: str) -> str:
        return nodes[node].get(name, "")

    shapes = {attr(u, "shape") for u in ("owner", "rm-west", "dist-a", "rep-a1", "fm-mercy")}
    assert len(shapes) == 5
    assert attr("west", "shape") == "folder"
    assert "locked" in attr("rep-new", "label")
    assert "deactivated" in attr("rep-gone", "label")
    assert "dashed" in attr("rep-gone", "style")
    assert "custodian-only" in attr("wh-quarantine", "label")


def test_dot_highlights_a_decision_path_and_adds_the_object() -> None:
    decision = bo.Decision(
        allowed=True,
        reason="regional-manager-of-representative",
        path=("rm-east", "east", "rep-b1", "c-200"),
    )
    dot = to_dot(ORG, highlight=decision, title="who sees c-200")
    graph = _parse(dot)
    nodes = _all_nodes(graph)
    assert "c-200" in nodes
    red = {n for n, attributes in nodes.items() if attributes.get("color") == "#d50000"}
    assert red == {"rm-east", "east", "rep-b1", "c-200"}
    red_edges = {
        (e.get_source().strip('"'), e.get_destination().strip('"'))
        for e in graph.get_edges()
        if str(e.get("color")).strip('"') == "#d50000"
    }
    assert red_edges == {("rm-east", "east"), ("east", "rep-b1"), ("rep-b1", "c-200")}
    assert 'label="who sees c-200"' in dot


def test_dot_highlights_an_edge_walked_against_its_direction() -> None:
    # A rep using its distributor's shared stock: the path runs rep -> distributor.
    graph = _parse(to_dot(ORG, highlight=("rep-a1", "dist-a", "screw-a-1")))
    red_edges = {
        (e.get_source().strip('"'), e.get_destination().strip('"'))
        for e in graph.get_edges()
        if str(e.get("color")).strip('"') == "#d50000"
    }
    assert red_edges == {("dist-a", "rep-a1"), ("dist-a", "screw-a-1")}


def test_dot_quotes_awkward_ids() -> None:
    org = bo.Org().add_user('rep "q" \\ x', email="q@x.example", role="sales", name="Q")
    nodes = _all_nodes(_parse(to_dot(org)))
    assert list(nodes) == ['rep \\"q\\" \\\\ x']


def test_dot_of_an_empty_org_is_valid() -> None:
    assert _all_nodes(_parse(to_dot(bo.Org()))) == {}


@pytest.mark.parametrize("bad", [42, [1, 2], ("rep-a1", None)])
def test_highlight_must_be_ids(bad: object) -> None:
    with pytest.raises(bo.InvalidValueError, match="highlight"):
        to_dot(ORG, highlight=bad)
    with pytest.raises(bo.InvalidValueError, match="highlight"):
        draw(ORG, highlight=bad)


def test_a_single_id_highlights_one_node() -> None:
    nodes = _all_nodes(_parse(to_dot(ORG, highlight="dist-b")))
    assert nodes["dist-b"].get("color") == "#d50000"
    assert nodes["dist-a"].get("color") != "#d50000"


# --- matplotlib -----------------------------------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_sample_org_renders_to_a_png_of_the_expected_size(tmp_path: Path) -> None:
    ax = draw(ORG, highlight=("rm-east", "east", "rep-b1", "c-200"), title="Acme Ortho")
    figure = ax.get_figure()
    assert figure is not None
    out = tmp_path / "sample.png"
    figure.savefig(out, dpi=100)
    width, height = _png_size(out)
    inches = figure.get_size_inches()
    assert (width, height) == (round(inches[0] * 100), round(inches[1] * 100))
    assert 600 <= width <= 1200
    assert 500 <= height <= 1000
    assert 0.5 <= width / height <= 2.0
    pixels = mpimg.imread(out)[:, :, :3]
    not_white = (pixels < 0.95).any(axis=2).mean()
    assert 0.02 < not_white < 0.5, f"{not_white:.1%} of the picture is drawn"
    red = ((pixels[:, :, 0] > 0.75) & (pixels[:, :, 1] < 0.2) & (pixels[:, :, 2] < 0.2)).sum()
    assert red > 200, "the highlighted path is not visible"


def test_draw_labels_every_node_and_names_each_group() -> None:
    ax = draw(ORG)
    texts = [t.get_text() for t in ax.texts]
    for node in [*ORG.users, *ORG.regions]:
        assert any(t.split("\n")[0] == node for t in texts), node
    assert "dist-a group · shares inventory" in texts
    assert "dist-b group · no sharing" in texts
    assert "region west · West · CA OR WA" in texts
    assert any("(locked)" in t for t in texts if t.startswith("rep-new"))
    legend = ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert {"distributor", "sales", "regional manager", "region"} <= set(labels)
    assert "highlighted path" not in labels


def test_draw_on_given_axes_without_legend() -> None:
    figure, ax = plt.subplots(figsize=(4, 3))
    returned = draw(ORG, ax=ax, legend=False, highlight=bo.Decision(allowed=False, reason="x"))
    assert returned is ax
    assert ax.get_legend() is None
    assert tuple(figure.get_size_inches()) == (4.0, 3.0)


def test_draw_adds_objects_at_the_end_of_a_path() -> None:
    ax = draw(ORG, highlight=("rep-a1", "dist-a", "screw-a-1"))
    assert "screw-a-1" in [t.get_text() for t in ax.texts]
    legend = ax.get_legend()
    assert legend is not None
    assert "highlighted path" in [t.get_text() for t in legend.get_texts()]


def test_draw_an_empty_org() -> None:
    ax = draw(bo.Org())
    assert len(ax.texts) == 0


# Pictures of orgs of every size are written here for a person to look at (build/ is ignored by git).
PICTURES = Path(__file__).resolve().parent.parent / "build" / "pictures"


@pytest.mark.parametrize(
    ("users", "most_inches"),
    [(20, (12, 10)), (150, (26, 24)), (500, (28, 24)), (2000, (28, 24))],
)
def test_orgs_of_every_size_draw_to_a_readable_png(
    users: int, most_inches: tuple[int, int]
) -> None:
    org = picture_org(users)
    assert len(org.users) == users
    ax = draw(org, title=f"{users} users")
    figure = ax.get_figure()
    assert figure is not None
    PICTURES.mkdir(parents=True, exist_ok=True)
    out = PICTURES / f"org-{users}.png"
    figure.savefig(out, dpi=100)
    width, height = _png_size(out)
    # Never a strip: at most 2:1 either way, and never more than about 28 x 24 inches at 100 dpi.
    assert 0.5 <= width / height <= 2.0, (width, height)
    assert width <= most_inches[0] * 100
    assert height <= most_inches[1] * 100
    # Labels keep a legible size whatever the size of the org.
    sizes = {t.get_fontsize() for t in ax.texts}
    assert min(sizes) >= 6.5
    # Every user is either drawn with its label or counted in a collapsed group's box.
    texts = [t.get_text() for t in ax.texts]
    collapsed = [t for t in texts if t.split("\n")[-1].endswith((" users", " user"))]
    labelled = {t.split("\n")[0] for t in texts if t not in collapsed} & set(org.users)
    counted = sum(int(t.split("\n")[-1].split()[0]) for t in collapsed)
    assert len(labelled) + counted == users
    if users <= 150:
        assert not collapsed, "a small org is drawn whole"
    else:
        assert collapsed, "a big org collapses some groups"
        (caption,) = [t for t in texts if "collapsed" in t]
        assert f"of {counted} users collapsed" in caption
    pixels = mpimg.imread(out)[:, :, :3]
    assert 0.02 < (pixels < 0.95).any(axis=2).mean() < 0.8


def test_a_focus_on_one_group_of_a_big_org_draws_it_whole_with_a_caption() -> None:
    org = picture_org(2000)
    biggest = max(org.distributors, key=lambda d: len(org.reps_of(d)))
    ax = draw(org, focus=biggest, depth=1)
    texts = [t.get_text() for t in ax.texts]
    labelled = {t.split("\n")[0] for t in texts}
    assert {biggest, *org.reps_of(biggest)} <= labelled
    region = org.user(biggest).region
    assert region in labelled
    (caption,) = [t for t in texts if t.startswith("not shown: ")]
    shown_users = len(org.reps_of(biggest)) + 1
    groups = len(org.distributors) - 1
    assert caption.startswith(f"not shown: {groups} other groups, {2000 - shown_users} other users")
    figure = ax.get_figure()
    assert figure is not None
    width, height = figure.get_size_inches()
    assert 0.5 <= width / height <= 2.0


def test_many_members_away_from_their_region_are_named_not_joined_by_lines() -> None:
    # 45 reps of a west group live in region east: 45 lines across the page would read as fog.
    reps = [f"rep-{i}" for i in range(45)]
    org = build_org(
        groups={"dist-w": reps},
        regions={"west": ["dist-w"], "east": reps},
        managers={"west": "rm-w", "east": "rm-e"},
    )
    ax = draw(org)
    labels = [t.get_text() for t in ax.texts]
    assert sum(1 for t in labels if t.endswith("\n↳ east")) == 45
    few = build_org(groups={"dist-w": reps[:3]}, regions={"west": ["dist-w"], "east": reps[:3]})
    assert not [t for t in draw(few).texts if "↳" in t.get_text()]


def test_a_focus_with_a_highlight_shows_the_path_too() -> None:
    ax = draw(ORG, focus="dist-a", depth=0, highlight=("rm-east", "east", "rep-b1", "c-200"))
    labelled = {t.get_text().split("\n")[0] for t in ax.texts}
    assert {"dist-a", "rep-a1", "rep-a2", "rm-east", "east", "rep-b1", "c-200"} <= labelled
    assert "owner" not in labelled


def test_import_beacon_org_does_not_import_matplotlib() -> None:
    code = (
        "import sys, beacon_org, beacon_org.graph; from beacon_org.testing import sample_org;"
        "org = sample_org(); beacon_org.graph.to_dot(org); org._repr_html_();"
        "print('matplotlib' in sys.modules, 'pandas' in sys.modules, 'bokeh' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


# --- summary --------------------------------------------------------------------------------------


def test_summary_counts_match_the_org() -> None:
    tables = summary(ORG)
    assert ORG.summary() == tables
    roles = {row["role"]: row for row in tables["roles"]}
    assert list(roles) == [r.value for r in bo.Role]
    assert sum(row["users"] for row in roles.values()) == len(ORG.users)
    for role, row in roles.items():
        users = [u for u in ORG.users.values() if u.role == role]
        assert row["users"] == len(users)
        assert row["deactivated"] == sum(not u.active for u in users)
        assert row["locked"] == sum(u.active and u.locked for u in users)
        assert row["active"] + row["locked"] + row["deactivated"] == row["users"]
    groups = {row["distributor"]: row for row in tables["groups"]}
    assert set(groups) == ORG.distributors
    for distributor, row in groups.items():
        assert row["rep_ids"] == sorted(ORG.reps_of(distributor))
        assert row["shared_inventory"] == ORG.shares_inventory(distributor)
    assert groups["dist-b"]["locked_reps"] == 1
    for row in tables["regions"]:
        assert row["member_ids"] == sorted(ORG.region_members(row["region"]))
        assert row["manager"] == ORG.region(row["region"]).manager


def test_summary_is_json_ready_and_becomes_data_frames() -> None:
    import json

    import pandas as pd

    tables = ORG.summary()
    assert json.loads(json.dumps(tables)) == tables
    groups = pd.DataFrame(tables["groups"])
    assert groups.set_index("distributor").loc["dist-b", "reps"] == 3
    roles = pd.DataFrame(tables["roles"])
    assert roles["users"].sum() == len(ORG.users)


def test_summary_of_an_empty_org() -> None:
    tables = bo.Org().summary()
    assert tables["groups"] == []
    assert tables["regions"] == []
    assert all(row["users"] == 0 for row in tables["roles"])
