"""Pictures of an org: Graphviz DOT text (no dependency) and a matplotlib drawing (``[draw]`` extra).

Both show the same thing: distributor groups boxed together, regions with their managers above them,
back office and facility users on top, roles told apart by shape and colour, and a decision's path
(or any path of ids) highlighted in red.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._errors import InvalidValueError
from .._model import Role, User
from .._org import MANAGES, MEMBER, REP
from ._scene import INCH_PER_UNIT, Block, Scene, make_scene

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .._org import Org

__all__ = ["draw", "layout", "to_dot"]

#: How each role looks: (DOT shape, matplotlib marker, fill colour).
ROLE_STYLE: Mapping[Role, tuple[str, str, str]] = {
    Role.PRIMARY_ADMIN: ("doubleoctagon", "8", "#9e9e9e"),
    Role.ADMIN: ("octagon", "8", "#bdbdbd"),
    Role.OPERATIONS: ("octagon", "8", "#d6d6d6"),
    Role.REGIONAL_MANAGER: ("diamond", "D", "#b39ddb"),
    Role.DISTRIBUTOR: ("box", "s", "#4caf50"),
    Role.SALES: ("ellipse", "o", "#90caf9"),
    Role.FACILITY_MANAGER: ("house", "p", "#ffcc80"),
}
REGION_STYLE = ("folder", "h", "#fff59d")
HIGHLIGHT = "#d50000"
_EDGE_COLOUR = {REP: "#2e7d32", MEMBER: "#9e9e9e", MANAGES: "#5e35b1"}
_SHARED_FILL = "#e8f5e9"
_UNSHARED_FILL = "#f5f5f5"

_REGION_FILL = "#fffde7"
_REGION_EDGE = "#f9a825"


def _status_note(user: User) -> str:
    return ", ".join(user.status_flags)


def _path_of(highlight: object) -> tuple[str, ...]:
    # A Decision (anything with a ``path``), one id, or an iterable of ids.
    path = getattr(highlight, "path", highlight)
    if isinstance(path, str):
        path = (path,)
    if not isinstance(path, Iterable):
        msg = f"'highlight' must be a Decision or a sequence of ids (got {highlight!r})"
        raise InvalidValueError(msg, field="highlight", value=highlight)
    ids = tuple(path)
    for node in ids:
        if not isinstance(node, str):
            msg = f"'highlight' must hold string ids (got {node!r} in {highlight!r})"
            raise InvalidValueError(msg, field="highlight", value=highlight)
    return ids


def _groups(org: Org) -> list[tuple[str, list[str]]]:
    return [(d, sorted(org.reps_of(d))) for d in sorted(org.distributors)]


def layout(org: Org, *, focus: str | None = None, depth: int = 1) -> dict[str, tuple[float, float]]:
    """Return an ``(x, y)`` position for every user and region shown, as :func:`draw` places them.

    Each region is a section: the region and its regional manager on top, then the distributor
    groups whose distributor is in it, each group its distributor above a grid of its reps.
    Groups and sections wrap into rows so the whole keeps a shape of about 3:2; back office and
    facility managers are above everything, and reps in no group have a box of their own in their
    region. ``y`` grows upwards. Unlike :func:`draw`, no group is collapsed, so every user and
    region has a position. The result suits ``networkx.draw(org.graph, pos=layout(org))`` too.

    Parameters
    ----------
    org
        The org to lay out.
    focus, depth
        As in :func:`draw`: only what lies within ``depth`` relations of ``focus``.

    Examples
    --------
    >>> from beacon_org.graph import layout
    >>> from beacon_org.testing import sample_org
    >>> pos = layout(sample_org())
    >>> pos["dist-a"][1] > pos["rep-a1"][1], pos["west"][1] > pos["dist-a"][1]
    (True, True)
    >>> len(pos) == len(sample_org().users) + len(sample_org().regions)
    True
    >>> sorted(layout(sample_org(), focus="dist-a", depth=0))
    ['dist-a', 'rep-a1', 'rep-a2']
    """
    scene = make_scene(org, focus=focus, depth=depth, collapse=False)
    return {node: (x, -y) for node, (x, y) in scene.pos.items()}


# --- DOT -------------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    # DOT double-quoted string: escape backslashes and quotes; a newline becomes DOT's "\n".
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _attrs(**values: str | float) -> str:
    return "[" + ", ".join(f"{k}={_quote(str(v))}" for k, v in values.items()) + "]"


def _user_label(user: User) -> str:
    note = _status_note(user)
    lines = [user.id, user.role.value.replace("_", " ")]
    if note:
        lines.append(f"({note})")
    return "\n".join(lines)


def to_dot(
    org: Org,
    *,
    highlight: object = (),
    title: str | None = None,
) -> str:
    """Return the org as Graphviz DOT text (render it with ``dot -Tpng`` or any DOT viewer).

    Each distributor group is a cluster (green when it shares inventory), reps in no group share a
    grey cluster, regions are folders with an edge from their manager and dotted edges to their
    members. Roles differ by shape and colour; deactivated users are greyed out and locked ones
    outlined in orange. Every id is quoted, so any id is safe.

    Parameters
    ----------
    org
        The org to draw.
    highlight
        A :class:`~beacon_org.Decision` (its ``path`` is highlighted) or a sequence of ids. Ids
        that are not in the org (a case or an item at the end of a path) are added as notes.
    title
        A label for the whole graph.

    Returns
    -------
    str
        The DOT text of a ``digraph``.

    Raises
    ------
    InvalidValueError
        If ``highlight`` is neither a decision nor a sequence of string ids.

    Examples
    --------
    >>> from beacon_org.graph import to_dot
    >>> org = (bo.Org().add_region("west", name="West")
    ...        .add_user("dist-a", email="orders@x.example", role="distributor", region="west")
    ...        .add_user("rep-a1", email="ann@x.example", role="sales", region="west")
    ...        .assign_rep("rep-a1", "dist-a"))
    >>> dot = to_dot(org, highlight=("dist-a", "rep-a1", "c-1"))
    >>> print(dot.splitlines()[0])
    digraph "beacon_org" {
    >>> '"dist-a" -> "rep-a1" [relation="rep", color="#d50000"' in dot
    True
    >>> '"rep-a1" -> "c-1"' in dot
    True
    """
    path = _path_of(highlight)
    on_path = set(path)
    steps = set(itertools.pairwise(path))
    graph = org.graph
    lines = ["digraph " + _quote("beacon_org") + " {"]
    graph_attrs: dict[str, str | float] = {
        "rankdir": "TB",
        "fontname": "Helvetica",
        "newrank": "true",
    }
    if title:
        graph_attrs.update(label=title, labelloc="t", fontsize=16)
    lines.append(f"  graph {_attrs(**graph_attrs)};")
    lines.append(f"  node {_attrs(fontname='Helvetica', fontsize=10, style='filled')};")
    lines.append(f"  edge {_attrs(fontname='Helvetica', fontsize=8)};")

    def user_node(user: User, indent: str) -> str:
        shape, _marker, fill = ROLE_STYLE[user.role]
        style: dict[str, str | float] = {"label": _user_label(user), "shape": shape}
        style["fillcolor"] = fill if user.active else "#eeeeee"
        style["style"] = "filled" if user.active else "filled,dashed"
        if user.locked and user.active:
            style.update(color="#ef6c00", penwidth=2)
        if user.id in on_path:
            style.update(color=HIGHLIGHT, penwidth=3)
        return f"{indent}{_quote(user.id)} {_attrs(**style)};"

    grouped: set[str] = set()
    for distributor, reps in _groups(org):
        shared = org.shares_inventory(distributor)
        label = f"{distributor} group" + (" (shares inventory)" if shared else "")
        fill = _SHARED_FILL if shared else _UNSHARED_FILL
        lines.append(f"  subgraph {_quote('cluster_group_' + distributor)} {{")
        lines.append(f"    graph {_attrs(label=label, style='rounded,filled', fillcolor=fill)};")
        for member in (distributor, *reps):
            lines.append(user_node(org.users[member], "    "))
            grouped.add(member)
        lines.append("  }")
    loners = [u for u in sorted(org.users) if org.users[u].role is Role.SALES and u not in grouped]
    if loners:
        lines.append(f"  subgraph {_quote('cluster_no_group')} {{")
        lines.append(
            f"    graph {_attrs(label='reps in no group', style='rounded,dashed', color='#9e9e9e')};"
        )
        lines.extend(user_node(org.users[u], "    ") for u in loners)
        lines.append("  }")
        grouped.update(loners)
    for user_id in sorted(org.users):
        if user_id not in grouped:
            lines.append(user_node(org.users[user_id], "  "))

    shape, _marker, fill = REGION_STYLE
    for region_id in sorted(org.regions):
        region = org.regions[region_id]
        label = region.name or region_id
        if region.name and region.name != region_id:
            label = f"{region_id}\n{region.name}"
        if region.states:
            label += "\n" + " ".join(sorted(region.states))
        style: dict[str, str | float] = {"label": label, "shape": shape, "fillcolor": fill}
        if region_id in on_path:
            style.update(color=HIGHLIGHT, penwidth=3)
        lines.append(f"  {_quote(region_id)} {_attrs(**style)};")
    if org.regions:
        same = " ".join(f"{_quote(r)};" for r in sorted(org.regions))
        lines.append(f"  {{ rank=same; {same} }}")

    for source, target, data in sorted(graph.edges(data=True)):
        relation = data["relation"]
        style = {"relation": relation, "color": _EDGE_COLOUR[relation]}
        if relation == MEMBER:
            style.update(style="dotted", arrowhead="none")
        if (source, target) in steps or (target, source) in steps:
            style.update(color=HIGHLIGHT, penwidth=3)
        lines.append(f"  {_quote(source)} -> {_quote(target)} {_attrs(**style)};")

    for node in path:
        if node not in graph:
            lines.append(
                f"  {_quote(node)} {_attrs(shape='note', fillcolor='#ffffff', color=HIGHLIGHT, penwidth=3)};"
            )
    for source, target in itertools.pairwise(path):
        if not (graph.has_edge(source, target) or graph.has_edge(target, source)):
            lines.append(
                f"  {_quote(source)} -> {_quote(target)} {_attrs(color=HIGHLIGHT, penwidth=3, style='dashed')};"
            )
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- matplotlib ------------------------------------------------------------------------------------


def _import_pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ModuleNotFoundError as exc:  # pragma: no cover - the test environment has the extra
        msg = "draw() needs matplotlib: pip install 'beacon-org[draw]'"
        raise ModuleNotFoundError(msg) from exc
    return plt


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], **style: Any) -> None:
    props = {"arrowstyle": "-|>", "shrinkA": 11, "shrinkB": 11, "mutation_scale": 10, **style}
    ax.annotate("", xy=end, xytext=start, arrowprops=props, zorder=1)


def draw(
    org: Org,
    ax: Axes | None = None,
    *,
    focus: str | None = None,
    depth: int = 1,
    highlight: object = (),
    title: str | None = None,
    legend: bool = True,
) -> Axes:
    """Draw the org with matplotlib and return the axes (needs the ``[draw]`` extra).

    Each region is a yellow section with its regional manager on top and, inside it, the
    distributor groups whose distributor is in that region, boxed (green when they share
    inventory), the distributor above a grid of its reps. Groups and sections wrap into rows, so
    the picture keeps a shape of about 3:2 (never more than 2:1) and labels stay a legible 7 pt at
    any org size; when the org would not fit in about 24 × 22 inches, the biggest groups collapse
    into a box with their count. A member of a region whose group sits in another section is
    joined to its region by a dotted line (or, when there are many, named under its id). Back office
    and facility users are on top; roles differ by marker and colour, locked users have an orange
    ring, deactivated ones are grey. A decision's path is drawn in red (its groups never collapse),
    with a case or item id at its end added below. A caption says what is not shown.

    Parameters
    ----------
    org
        The org to draw.
    ax
        The matplotlib axes to draw on; by default a new figure sized to the picture.
    focus
        A user, distributor or region id: draw only what lies within ``depth`` relations of it
        (a distributor's group and region; a region's manager and members), each distributor
        group in it whole. The caption counts the groups, users and regions left out.
    depth
        How many relations (edges of :attr:`Org.graph <beacon_org.Org.graph>`, either way) from
        ``focus`` to go; 0 keeps the focus alone (with its group).
    highlight
        A :class:`~beacon_org.Decision` (its ``path`` is highlighted) or a sequence of ids. Its
        users are shown even outside the focus.
    title
        A title for the axes.
    legend
        Whether to add a legend of roles and marks.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    UnknownUserError
        If ``focus`` names no user or region (an :class:`~beacon_org.OrgError` and a ``KeyError``).
    InvalidValueError
        If ``highlight`` is neither a decision nor a sequence of string ids, ``focus`` is not a
        string, or ``depth`` is not a whole number 0 or more.
    ModuleNotFoundError
        If matplotlib is not installed.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from beacon_org.graph import draw
    >>> from beacon_org.testing import sample_org
    >>> ax = draw(sample_org(), highlight=("rm-east", "east", "rep-b1", "c-200"))
    >>> width, height = ax.get_figure().get_size_inches()
    >>> bool(0.5 <= width / height <= 2.0)
    True
    >>> ax = draw(sample_org(), focus="dist-b")
    >>> [t.get_text() for t in ax.texts if t.get_text().startswith("not shown")]
    ['not shown: 1 other group, 13 other users, 2 other regions']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    path = _path_of(highlight)
    scene = make_scene(org, focus=focus, depth=depth, keep=path)
    plt = _import_pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch, Patch

    graph = org.graph
    users = org.users
    pos = {node: (x, -y) for node, (x, y) in scene.pos.items()}
    margin = 0.5
    left, right = -margin, max(scene.width, 1.0) + margin
    bottom, top = -(scene.height + margin), margin
    if ax is None:
        # One layout unit is INCH_PER_UNIT inches, so labels keep their size at any org size.
        legend_in = 2.1 if legend else 0.2
        title_in = 0.45 if title else 0.15
        caption_in = 0.4 if scene.caption else 0.15
        content_w, content_h = (right - left) * INCH_PER_UNIT, (top - bottom) * INCH_PER_UNIT
        fig_w = max(6.0, content_w + legend_in + 0.2)
        fig_h = max(3.5, content_h + title_in + caption_in, (fig_w - legend_in) / 2.0)
        fig = plt.figure(figsize=(fig_w, fig_h))
        ax = fig.add_axes(
            (
                0.1 / fig_w,
                (fig_h - title_in - content_h) / fig_h,
                content_w / fig_w,
                content_h / fig_h,
            )
        )
    assert ax is not None  # for mypy: add_axes always returns axes

    # Region sections, then group boxes, behind everything.
    for block in scene.blocks:
        _draw_block(ax, block, FancyBboxPatch)

    steps = set(itertools.pairwise(path))
    sections = {b.key: b for b in scene.blocks if b.kind == "region"}
    small_groups = _one_row_groups(scene)
    crossing: list[tuple[str, str]] = []
    for source, target, data in graph.edges(data=True):
        if source not in pos or target not in pos:
            continue
        relation = data["relation"]
        on_path = (source, target) in steps or (target, source) in steps
        style: dict[str, Any] = {"color": _EDGE_COLOUR[relation], "lw": 1.0}
        if on_path:
            style.update(color=HIGHLIGHT, lw=2.8)
            if relation == MEMBER:
                style.update(arrowstyle="-")
        elif relation == REP and source not in small_groups:
            continue  # a big group's box says it all; a fan of arrows would hide its reps
        elif relation == MEMBER:
            if _inside(scene.pos[target], sections[source]):
                continue  # the member sits in its region's section
            crossing.append((source, target))
            continue
        _arrow(ax, pos[source], pos[target], **style)
    # Members whose group sits in another region's section: a dotted line each while they are
    # few, else their region named under their id (a fan of lines across the picture reads as fog).
    region_note: dict[str, str] = {}
    if len(crossing) <= 40:
        for source, target in crossing:
            style = {"color": _EDGE_COLOUR[MEMBER], "arrowstyle": "-", "lw": 0.9}
            _arrow(ax, pos[source], pos[target], linestyle=(0, (1, 2)), **style)
    else:
        region_note = {target: source for source, target in crossing}

    # Ids on the path that are not in the org (a case, an item) go under the node before them.
    extra: dict[str, tuple[float, float]] = {}
    for before, node in itertools.pairwise(path):
        if node not in pos and node not in extra and node not in graph:
            bx, by = pos.get(before) or extra.get(before) or (left + 1.0, bottom + 1.0)
            extra[node] = (bx + 0.45, by - 0.75)
    for source, target in itertools.pairwise(path):
        if {source, target} <= (pos.keys() | extra.keys()) and not (
            graph.has_edge(source, target) or graph.has_edge(target, source)
        ):
            _arrow(
                ax,
                (pos | extra)[source],
                (pos | extra)[target],
                color=HIGHLIGHT,
                lw=2.8,
                linestyle="--",
            )
    for node, (ex, ey) in extra.items():
        ax.text(
            ex,
            ey,
            node,
            ha="center",
            va="center",
            fontsize=7.5,
            zorder=3,
            bbox={"boxstyle": "square,pad=0.3", "fc": "white", "ec": HIGHLIGHT, "lw": 2},
        )

    def scatter(nodes: list[str], marker: str, fill: str, **style: Any) -> None:
        if nodes:
            ax.scatter(
                [pos[n][0] for n in nodes],
                [pos[n][1] for n in nodes],
                s=150,
                marker=marker,
                c=fill,
                edgecolors=style.pop("edgecolors", "#424242"),
                linewidths=style.pop("linewidths", 0.8),
                zorder=2,
                **style,
            )

    shown_users = [u for u in pos if u in users]
    for role, (_shape, marker, fill) in ROLE_STYLE.items():
        of_role = [u for u in shown_users if users[u].role is role]
        active = [u for u in of_role if users[u].active]
        scatter([u for u in active if not users[u].locked], marker, fill)
        scatter(
            [u for u in active if users[u].locked],
            marker,
            fill,
            edgecolors="#ef6c00",
            linewidths=2.0,
        )
        scatter([u for u in of_role if not users[u].active], marker, "#eeeeee", alpha=0.8)
    scatter(sorted(n for n in pos if n not in users), REGION_STYLE[1], REGION_STYLE[2])
    ringed = [n for n in path if n in pos]
    if ringed:
        ax.scatter(
            [pos[n][0] for n in ringed],
            [pos[n][1] for n in ringed],
            s=330,
            marker="o",
            facecolors="none",
            edgecolors=HIGHLIGHT,
            linewidths=2.0,
            zorder=2.5,
        )

    for node, (x, y) in pos.items():
        colour = "#212121"
        label = node
        if node in users:
            user = users[node]
            note = _status_note(user)
            if note:
                label += f"\n({note})"
            if node in region_note:
                label += f"\n↳ {region_note[node]}"
            if not user.active:
                colour = "#9e9e9e"
        # A white backing keeps a label readable where an edge runs under it.
        ax.text(
            x,
            y - 0.17,
            label,
            ha="center",
            va="top",
            fontsize=7,
            linespacing=1.0,
            color=colour,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.08", "fc": "white", "ec": "none", "alpha": 0.8},
        )

    if scene.caption:
        ax.text(
            0.0,
            -0.01,
            scene.caption,
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=8,
            color="#424242",
        )

    if legend:
        handles: list[Any] = [
            Line2D(
                [],
                [],
                marker=marker,
                linestyle="",
                markerfacecolor=fill,
                markeredgecolor="#424242",
                markersize=8,
                label=role.value.replace("_", " "),
            )
            for role, (_shape, marker, fill) in ROLE_STYLE.items()
        ]
        handles.append(
            Line2D(
                [],
                [],
                marker=REGION_STYLE[1],
                linestyle="",
                markerfacecolor=REGION_STYLE[2],
                markeredgecolor="#424242",
                markersize=8,
                label="region",
            )
        )
        handles += [
            Line2D([], [], color=_EDGE_COLOUR[MANAGES], label="manages"),
            Line2D([], [], color=_EDGE_COLOUR[REP], label="distributor → rep"),
            Line2D([], [], color=_EDGE_COLOUR[MEMBER], linestyle=":", label="member of a region"),
            Patch(facecolor=_REGION_FILL, edgecolor=_REGION_EDGE, label="region's section"),
            Patch(facecolor=_SHARED_FILL, edgecolor="#2e7d32", label="group sharing inventory"),
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor="#ef6c00",
                markeredgewidth=2,
                markersize=8,
                label="locked",
            ),
        ]
        if path:
            handles.append(Line2D([], [], color=HIGHLIGHT, lw=2.5, label="highlighted path"))
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            fontsize=7.5,
            frameon=False,
        )

    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    return ax


def _one_row_groups(scene: Scene) -> set[str]:
    # Arrows from a distributor to reps on a second row would run through the first row's labels,
    # so a group's arrows are drawn only when its reps fit on one row (the box says the rest).
    return {
        b.key
        for b in scene.blocks
        if b.kind == "group"
        and not b.collapsed
        and len({scene.pos[m][1] for m in b.members[1:]}) <= 1
    }


def _inside(point: tuple[float, float], block: Block) -> bool:
    x, y = point
    return block.x <= x <= block.x + block.width and block.y <= y <= block.y + block.height


def _draw_block(ax: Axes, block: Block, box_class: Any) -> None:
    # y grows downwards in the scene and upwards on the axes.
    top = -block.y
    if block.kind == "region":
        face, edge, text_colour, z = _REGION_FILL, _REGION_EDGE, "#795548", -1.0
    elif block.shared:
        face, edge, text_colour, z = _SHARED_FILL, "#2e7d32", "#1b5e20", 0.0
    else:
        face, edge, text_colour, z = _UNSHARED_FILL, "#9e9e9e", "#616161", 0.0
    if block.kind == "loners":
        edge = "#bdbdbd"
    ax.add_patch(
        box_class(
            (block.x, top - block.height),
            block.width,
            block.height,
            boxstyle="round,pad=0.0,rounding_size=0.15",
            facecolor=face,
            edgecolor=edge,
            linewidth=1.6 if block.collapsed else 1.0,
            linestyle="--" if block.kind == "loners" else "-",
            zorder=z,
        )
    )
    if block.collapsed:
        ax.text(
            block.x + block.width / 2,
            top - block.height / 2,
            block.label,
            ha="center",
            va="center",
            fontsize=7,
            color=text_colour,
            zorder=z + 0.5,
        )
        return
    ax.text(
        block.x + 0.15,
        top - 0.12,
        block.label,
        ha="left",
        va="top",
        fontsize=7.5 if block.kind == "region" else 6.8,
        fontweight="bold" if block.kind == "region" else "normal",
        color=text_colour,
        zorder=z + 0.5,
    )
