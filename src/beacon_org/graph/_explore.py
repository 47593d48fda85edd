"""An interactive view of an org for notebooks and browsers, on Bokeh (the ``[explore]`` extra).

Bokeh takes the org's networkx graph as it is (``bokeh.plotting.from_networkx``) and writes pages
that carry their own JavaScript, so a saved view opens anywhere, network or not. Nothing here is
imported by ``import beacon_org`` or ``import beacon_org.graph``.
"""

from __future__ import annotations

import html
import importlib
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._model import Role
from .._org import MANAGES, MEMBER, REP
from ._draw import (
    _EDGE_COLOUR,
    HIGHLIGHT,
    REGION_STYLE,
    ROLE_STYLE,
    _inside,
    _one_row_groups,
    _path_of,
)
from ._scene import make_scene

if TYPE_CHECKING:
    from .._org import Org

__all__ = ["Explorer", "explore"]

# Each role's shape in Bokeh's markers (colours are draw's).
_BOKEH_MARKER = {
    Role.PRIMARY_ADMIN: "star",
    Role.ADMIN: "hex",
    Role.OPERATIONS: "hex",
    Role.REGIONAL_MANAGER: "diamond",
    Role.DISTRIBUTOR: "square",
    Role.SALES: "circle",
    Role.FACILITY_MANAGER: "triangle",
}
_REGION_MARKER = "inverted_triangle"
# The node data source's columns: hover text and glyph styles.
_NODE_COLUMNS = (
    "name",
    "kind",
    "region_of",
    "group",
    "state",
    "marker",
    "fill",
    "ring",
    "ring_width",
)
#: The widest view, in layout units (about one node each), at which node and group labels show.
LABEL_SPAN = 40.0

# Typing into the search box selects the nodes whose id or name holds the text (others fade) and
# zooms to them; an empty box clears the selection and shows the whole org again.
_SEARCH_JS = """
const text = (this.value_input ?? this.value ?? "").trim().toLowerCase();
const data = nodes.data;
const found = [];
if (text) {
  for (let i = 0; i < data.index.length; i++) {
    if (String(data.index[i]).toLowerCase().includes(text) ||
        String(data.name[i]).toLowerCase().includes(text)) { found.push(i); }
  }
}
nodes.selected.indices = found;
status.text = text ? `${found.length} match${found.length === 1 ? "" : "es"}` : "";
if (found.length) {
  const xs = found.map((i) => data.x[i]), ys = found.map((i) => data.y[i]);
  const pad = 3;
  x_range.start = Math.min(...xs) - pad; x_range.end = Math.max(...xs) + pad;
  y_range.start = Math.min(...ys) - pad; y_range.end = Math.max(...ys) + pad;
} else {
  x_range.start = home[0]; x_range.end = home[1]; y_range.start = home[2]; y_range.end = home[3];
}
"""


def _import_bokeh(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:  # pragma: no cover - the test environment has the extra
        msg = "explore() needs Bokeh: pip install 'beacon-org[explore]'"
        raise ModuleNotFoundError(msg) from exc


class Explorer:
    """An interactive view of an org: shows itself in a notebook, ``save`` writes it as a page.

    ``layout`` is the Bokeh layout (the search box above the plot) and ``plot`` the Bokeh figure,
    for whoever wants to change them before showing or saving.

    Examples
    --------
    >>> from beacon_org.graph import explore
    >>> from beacon_org.testing import sample_org
    >>> view = explore(sample_org(), focus="dist-a")
    >>> view.nodes > 0, view.title == repr(view).split("'")[1]
    (True, True)
    """

    def __init__(self, layout: Any, plot: Any, title: str, nodes: int) -> None:
        self.layout = layout
        self.plot = plot
        self.title = title
        #: How many nodes (users and regions) the view draws.
        self.nodes = nodes

    def __repr__(self) -> str:
        return f"<Explorer {self.title!r}: {self.nodes} nodes>"

    def to_html(self) -> str:
        """Return the view as a standalone HTML page with Bokeh's JavaScript inlined.

        Examples
        --------
        >>> from beacon_org.graph import explore
        >>> from beacon_org.testing import sample_org
        >>> page = explore(sample_org()).to_html()
        >>> page.lstrip().lower().startswith("<!doctype html>"), "<script src=" in page
        (True, False)
        """
        embed = _import_bokeh("bokeh.embed")
        resources = _import_bokeh("bokeh.resources")
        page: str = embed.file_html(self.layout, resources.INLINE, title=self.title)
        return page

    def save(self, path: str | Path) -> Path:
        """Write the view to ``path`` as a standalone HTML page (no network needed to open it).

        Returns
        -------
        pathlib.Path
            The path written.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from beacon_org.graph import explore
        >>> from beacon_org.testing import sample_org
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     written = explore(sample_org()).save(pathlib.Path(folder) / "org.html")
        ...     written.name, written.stat().st_size > 100_000
        ('org.html', True)
        """
        target = Path(path)
        target.write_text(self.to_html(), encoding="utf-8")
        return target

    def _repr_html_(self) -> str:
        # An iframe holding the whole page: it works in Jupyter, VS Code and static notebook
        # viewers alike, with no notebook extension and no network.
        height = int(self.plot.height) + 60
        return (
            f'<iframe srcdoc="{html.escape(self.to_html(), quote=True)}" '
            f'style="width: 100%; height: {height}px; border: 0" '
            f'title="{html.escape(self.title, quote=True)}"></iframe>'
        )


def explore(
    org: Org,
    *,
    focus: str | None = None,
    depth: int = 1,
    highlight: object = (),
    title: str | None = None,
) -> Explorer:
    """Return an interactive view of the org (needs the ``[explore]`` extra: Bokeh).

    The picture is laid out as :func:`draw` does (regions as yellow sections, distributor groups
    as green or grey boxes inside them), but every user is shown, none collapsed: pan with the
    mouse, zoom with the wheel, hover over a node for its name, role, region, group and state,
    and type in the search box to pick out users by id or name. Roles differ by colour and shape
    as in :func:`draw`; a decision's path is drawn in red.

    In a notebook the returned :class:`Explorer` shows itself (as an inline page, so no notebook
    extension or network is needed); ``explorer.save("org.html")`` writes the same view as a
    standalone HTML file with its JavaScript inlined.

    Parameters
    ----------
    org
        The org to show.
    focus, depth
        As in :func:`draw`: only what lies within ``depth`` relations of ``focus``.
    highlight
        A :class:`~beacon_org.Decision` (its ``path`` is highlighted) or a sequence of ids.
    title
        The page's and the plot's title.

    Returns
    -------
    Explorer
        The view: ``save(path)``, ``to_html()``, and ``layout``/``plot`` (the Bokeh objects).

    Raises
    ------
    UnknownUserError
        If ``focus`` names no user or region.
    InvalidValueError
        If ``highlight``, ``focus`` or ``depth`` is not of the kind described.
    ModuleNotFoundError
        If Bokeh is not installed.

    Examples
    --------
    >>> from beacon_org.graph import explore
    >>> from beacon_org.testing import sample_org
    >>> view = explore(sample_org(), focus="dist-a", highlight=("dist-a", "rep-a1", "c-100"))
    >>> view
    <Explorer 'beacon_org: dist-a within 1': 4 nodes>
    >>> "<html" in view.to_html()
    True
    """
    path = _path_of(highlight)
    scene = make_scene(org, focus=focus, depth=depth, keep=path, collapse=False)
    # Bokeh's own annotations are stricter than its runtime (ranges, glyph arguments): it is used
    # through Any, as a dynamic boundary, and the tests check what it draws.
    models: Any = _import_bokeh("bokeh.models")
    plotting: Any = _import_bokeh("bokeh.plotting")
    layouts: Any = _import_bokeh("bokeh.layouts")
    ColumnDataSource, CustomJS, Div = models.ColumnDataSource, models.CustomJS, models.Div
    HoverTool, LabelSet, Legend = models.HoverTool, models.LabelSet, models.Legend
    LegendItem, Range1d, Scatter = models.LegendItem, models.Range1d, models.Scatter
    TextInput = models.TextInput
    figure, from_networkx = plotting.figure, plotting.from_networkx

    if title is None:
        title = "beacon_org" + (f": {focus} within {depth}" if focus is not None else "")
    users = org.users
    pos = {node: (x, -y) for node, (x, y) in scene.pos.items()}
    graph = org.graph.subgraph(pos).copy()
    on_path = set(path)
    steps = set(itertools.pairwise(path))

    # Node attributes become the node data source's columns (hover text and glyph styles).
    group_of: dict[str, str] = {}
    for block in scene.blocks:
        if block.kind in ("group", "loners"):
            for member in block.members:
                group_of[member] = block.key if block.kind == "group" else "(no group)"
    columns: dict[str, dict[str, Any]] = {}
    for node in graph.nodes:
        if node in users:
            user = users[node]
            flags = ", ".join(user.status_flags)
            columns[node] = {
                "name": user.name or "",
                "kind": user.role.value.replace("_", " "),
                "region_of": user.region or "",
                "group": group_of.get(node, ""),
                "state": flags or "active",
                "marker": _BOKEH_MARKER[user.role],
                "fill": ROLE_STYLE[user.role][2] if user.active else "#eeeeee",
                "ring": "#ef6c00" if user.locked and user.active else "#424242",
                "ring_width": 2.5 if user.locked and user.active else 1.0,
            }
        else:
            region = org.regions[node]
            columns[node] = {
                "name": region.name,
                "kind": "region",
                "region_of": node,
                "group": "",
                "state": f"manager {region.manager}" if region.manager else "no manager",
                "marker": _REGION_MARKER,
                "fill": REGION_STYLE[2],
                "ring": "#424242",
                "ring_width": 1.0,
            }
        if node in on_path:
            columns[node].update(ring=HIGHLIGHT, ring_width=3.5)
    bare = graph.__class__()
    bare.add_nodes_from((node, columns[node]) for node in graph.nodes)
    sections = {b.key: b for b in scene.blocks if b.kind == "region"}
    one_row_groups = _one_row_groups(scene)
    crossing = [
        (source, target)
        for source, target, data in graph.edges(data=True)
        if data["relation"] == MEMBER and not _inside(scene.pos[target], sections[source])
    ]
    for source, target, data in graph.edges(data=True):
        relation = data["relation"]
        red = (source, target) in steps or (target, source) in steps
        # As in draw: the boxes already say who is in a big group and which section a member
        # sits in, and a fan of many lines across the page reads as fog (hover tells a node's
        # region); only the relations the boxes cannot show are drawn, and the path.
        if not red and relation == REP and source not in one_row_groups:
            continue
        if (
            not red
            and relation == MEMBER
            and (len(crossing) > 40 or (source, target) not in crossing)
        ):
            continue
        bare.add_edge(
            source,
            target,
            relation=relation,
            colour=HIGHLIGHT if red else _EDGE_COLOUR[relation],
            width=3.5 if red else (1.2 if relation != MEMBER else 0.8),
            alpha=1.0 if red else (0.7 if relation != MEMBER else 0.35),
        )

    xs = [x for x, _ in pos.values()] or [0.0]
    home = (min(xs) - 1.0, max(scene.width, max(xs)) + 1.0, -scene.height - 1.0, 1.0)
    width_units, height_units = home[1] - home[0], home[3] - home[2]
    plot_width = 1100
    plot_height = int(min(900, max(360, plot_width * height_units / max(width_units, 1.0))))
    plot = figure(
        title=title,
        width=plot_width,
        height=plot_height,
        x_range=Range1d(home[0], home[1]),
        y_range=Range1d(home[2], home[3]),
        tools="pan,wheel_zoom,box_zoom,reset,save,tap",
        active_scroll="wheel_zoom",
        match_aspect=True,
        toolbar_location="above",
    )
    plot.axis.visible = False
    plot.grid.visible = False

    # Clusters behind the graph: regions' sections, then distributor groups.
    label_sets: list[Any] = []
    for kinds, fill, line in (
        (("region",), "#fffde7", "#f9a825"),
        (("group", "loners"), None, None),
    ):
        blocks = [b for b in scene.blocks if b.kind in kinds]
        if not blocks:
            continue
        fills = [fill or ("#e8f5e9" if b.shared else "#f5f5f5") for b in blocks]
        lines = [line or ("#2e7d32" if b.shared else "#9e9e9e") for b in blocks]
        boxes = ColumnDataSource(
            {
                "left": [b.x for b in blocks],
                "right": [b.x + b.width for b in blocks],
                "top": [-b.y for b in blocks],
                "bottom": [-(b.y + b.height) for b in blocks],
                "fill": fills,
                "line": lines,
                "label": [b.label for b in blocks],
                "label_x": [b.x + 0.15 for b in blocks],
                "label_y": [-b.y - 0.1 for b in blocks],
            }
        )
        plot.quad(
            left="left",
            right="right",
            top="top",
            bottom="bottom",
            source=boxes,
            fill_color="fill",
            line_color="line",
            fill_alpha=0.9,
        )
        box_labels = LabelSet(
            x="label_x",
            y="label_y",
            text="label",
            source=boxes,
            text_font_size="8pt" if kinds == ("region",) else "7pt",
            text_baseline="top",
            text_color="#5d4037" if kinds == ("region",) else "#424242",
        )
        plot.add_layout(box_labels)
        if kinds != ("region",):
            label_sets.append(box_labels)

    renderer = from_networkx(bare, pos)
    # With no edge (or no node) to draw, networkx leaves out the columns the glyphs read.
    for source, names in (
        (renderer.edge_renderer.data_source, ("relation", "colour", "width", "alpha")),
        (renderer.node_renderer.data_source, _NODE_COLUMNS),
    ):
        for name in names:
            source.data.setdefault(name, [])
    renderer.node_renderer.glyph = Scatter(
        size=13,
        marker="marker",
        fill_color="fill",
        line_color="ring",
        line_width="ring_width",
    )
    renderer.node_renderer.selection_glyph = Scatter(
        size=18, marker="marker", fill_color="fill", line_color=HIGHLIGHT, line_width=3
    )
    renderer.node_renderer.nonselection_glyph = Scatter(
        size=13, marker="marker", fill_color="fill", fill_alpha=0.25, line_alpha=0.25
    )
    renderer.edge_renderer.glyph.update(line_color="colour", line_width="width", line_alpha="alpha")
    plot.renderers.append(renderer)
    nodes = renderer.node_renderer.data_source
    node_labels = LabelSet(
        x="x",
        y="y",
        text="index",
        source=ColumnDataSource(
            {
                "x": [pos[n][0] for n in graph.nodes],
                "y": [pos[n][1] - 0.22 for n in graph.nodes],
                "index": list(graph.nodes),
            }
        ),
        text_font_size="7pt",
        text_align="center",
        text_baseline="top",
        text_color="#212121",
    )
    plot.add_layout(node_labels)
    label_sets.append(node_labels)
    # Labels of nodes and groups show once zoomed in enough to read them (at most LABEL_SPAN
    # layout units across the plot); zoomed further out they would only pile up.
    zoomed_in = width_units <= LABEL_SPAN
    for labels in label_sets:
        labels.visible = zoomed_in
    plot.x_range.js_on_change(
        "end",
        CustomJS(
            args={"labels": label_sets, "span": LABEL_SPAN},
            code="const near = this.end - this.start <= span;"
            " for (const l of labels) { if (l.visible !== near) l.visible = near; }",
        ),
    )
    # The path's ids that are not in the org (a case, an item), next to the node before them.
    extra = [
        (node, pos[before])
        for before, node in itertools.pairwise(path)
        if node not in graph and before in pos
    ]
    if extra:
        plot.text(
            x=[p[0] + 0.45 for _, p in extra],
            y=[p[1] - 0.75 for _, p in extra],
            text=[node for node, _ in extra],
            text_color=HIGHLIGHT,
            text_font_size="8pt",
            text_font_style="bold",
        )
    # A legend of roles: renderers of one point off the picture that only carry a marker.
    items = []
    nowhere = {"x": [float("nan")], "y": [float("nan")]}
    for role in Role:
        marker = plot.scatter(
            **nowhere,
            marker=_BOKEH_MARKER[role],
            fill_color=ROLE_STYLE[role][2],
            line_color="#424242",
            size=10,
        )
        items.append(LegendItem(label=role.value.replace("_", " "), renderers=[marker]))
    marker = plot.scatter(
        **nowhere, marker=_REGION_MARKER, fill_color=REGION_STYLE[2], line_color="#424242", size=10
    )
    items.append(LegendItem(label="region", renderers=[marker]))
    for relation, name in ((MANAGES, "manages"), (REP, "distributor → rep"), (MEMBER, "member")):
        line = plot.line(**nowhere, line_color=_EDGE_COLOUR[relation], line_width=2)
        items.append(LegendItem(label=name, renderers=[line]))
    if path:
        line = plot.line(**nowhere, line_color=HIGHLIGHT, line_width=3)
        items.append(LegendItem(label="highlighted path", renderers=[line]))
    plot.add_layout(Legend(items=items, label_text_font_size="8pt", border_line_alpha=0), "right")

    plot.add_tools(
        HoverTool(
            renderers=[renderer.node_renderer],
            tooltips=[
                ("id", "@index"),
                ("name", "@name"),
                ("role", "@kind"),
                ("region", "@region_of"),
                ("group", "@group"),
                ("state", "@state"),
            ],
        )
    )
    # Named so that a page's own scripts (and the tests) can find them.
    nodes.name = "nodes"
    status = Div(text="", styles={"color": "#616161"}, name="status")
    search = TextInput(placeholder="search users by id or name", width=320, name="search")
    search.js_on_change(
        "value_input",
        CustomJS(
            args={
                "nodes": nodes,
                "status": status,
                "x_range": plot.x_range,
                "y_range": plot.y_range,
                "home": list(home),
            },
            code=_SEARCH_JS,
        ),
    )
    # The node source's x/y columns let the search zoom to what it finds.
    nodes.data["x"] = [pos[n][0] for n in nodes.data["index"]]
    nodes.data["y"] = [pos[n][1] for n in nodes.data["index"]]
    header = [search, status]
    notes = [scene.caption] if scene.caption else []
    if len(crossing) > 40:
        notes.append(
            f"{len(crossing)} members sit outside their region's section (hover for a node's region)"
        )
    if not zoomed_in:
        notes.append("zoom in to read the labels")
    if notes:
        header.append(Div(text=html.escape("; ".join(notes)), styles={"color": "#424242"}))
    layout = layouts.column(layouts.row(*header, name="header"), plot, name="explorer")
    return Explorer(layout, plot, title, len(pos))
