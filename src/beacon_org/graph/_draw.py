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

# Rows of the layout, top to bottom.
_Y_TOP, _Y_MANAGER, _Y_REGION, _Y_DISTRIBUTOR, _Y_REP, _Y_OBJECT = 4.0, 3.0, 2.0, 1.0, 0.0, -1.0
_GROUP_GAP = 0.6  # extra space between two distributor groups
_MIN_SPACING = 1.2  # regions and managers are wider labels than reps


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
    return [(d, sorted(org._reps.get(d, frozenset()))) for d in sorted(org.distributors)]


def _spread(desired: dict[str, float], spacing: float) -> dict[str, float]:
    # Keep the wished-for order and positions, pushing right just enough that no two overlap.
    placed: dict[str, float] = {}
    last = float("-inf")
    for node, x in sorted(desired.items(), key=lambda item: (item[1], item[0])):
        x = max(x, last + spacing)
        placed[node] = last = x
    return placed


def layout(org: Org) -> dict[str, tuple[float, float]]:
    """Return an ``(x, y)`` position for every user and region, as :func:`draw` places them.

    Rows from the top: back office and facility managers, regional managers, regions,
    distributors, sales reps. Each distributor sits above its reps, groups side by side, reps in no
    group at the right; a region sits above its members and a manager above its regions. The
    result suits ``networkx.draw(org.graph, pos=layout(org))`` too.

    Examples
    --------
    >>> from beacon_org.graph import layout
    >>> from beacon_org.testing import sample_org
    >>> pos = layout(sample_org())
    >>> pos["dist-a"][1] > pos["rep-a1"][1], pos["dist-a"][0] == (pos["rep-a1"][0] + pos["rep-a2"][0]) / 2
    (True, True)
    >>> len(pos) == len(sample_org().users) + len(sample_org().regions)
    True
    """
    pos: dict[str, tuple[float, float]] = {}
    x = 0.0
    for distributor, reps in _groups(org):
        if not reps:
            pos[distributor] = (x, _Y_DISTRIBUTOR)
            x += 1.0 + _GROUP_GAP
            continue
        start = x
        for rep in reps:
            pos[rep] = (x, _Y_REP)
            x += 1.0
        pos[distributor] = ((start + x - 1.0) / 2, _Y_DISTRIBUTOR)
        x += _GROUP_GAP
    for user_id in sorted(org._users):
        user = org._users[user_id]
        if user.role is Role.SALES and user_id not in pos:
            pos[user_id] = (x, _Y_REP)
            x += 1.0
    width = max(x - 1.0 - _GROUP_GAP, 0.0)

    wanted: dict[str, float] = {}
    for region_id in sorted(org._regions):
        members = [pos[m][0] for m in org._members.get(region_id, frozenset())]
        wanted[region_id] = sum(members) / len(members) if members else width + 1.0
    regions = _spread(wanted, _MIN_SPACING)
    pos.update((r, (rx, _Y_REGION)) for r, rx in regions.items())

    wanted = {}
    top = []
    for user_id in sorted(org._users):
        user = org._users[user_id]
        if user.role is Role.REGIONAL_MANAGER:
            managed = [regions[r] for r in org._managed.get(user_id, frozenset())]
            wanted[user_id] = sum(managed) / len(managed) if managed else width + 1.0
        elif user.role.is_org_wide or user.role is Role.FACILITY_MANAGER:
            top.append(user_id)
    pos.update((m, (mx, _Y_MANAGER)) for m, mx in _spread(wanted, _MIN_SPACING).items())

    # Back office first, then facility managers, centred over the picture.
    top.sort(key=lambda u: (org._users[u].role is Role.FACILITY_MANAGER, u))
    start = (width - _MIN_SPACING * (len(top) - 1)) / 2
    for i, user_id in enumerate(top):
        pos[user_id] = (start + i * _MIN_SPACING, _Y_TOP)
    return pos


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
    graph = org._nx()
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
        shared = distributor in org._sharing
        label = f"{distributor} group" + (" (shares inventory)" if shared else "")
        fill = _SHARED_FILL if shared else _UNSHARED_FILL
        lines.append(f"  subgraph {_quote('cluster_group_' + distributor)} {{")
        lines.append(f"    graph {_attrs(label=label, style='rounded,filled', fillcolor=fill)};")
        for member in (distributor, *reps):
            lines.append(user_node(org._users[member], "    "))
            grouped.add(member)
        lines.append("  }")
    loners = [
        u for u in sorted(org._users) if org._users[u].role is Role.SALES and u not in grouped
    ]
    if loners:
        lines.append(f"  subgraph {_quote('cluster_no_group')} {{")
        lines.append(
            f"    graph {_attrs(label='reps in no group', style='rounded,dashed', color='#9e9e9e')};"
        )
        lines.extend(user_node(org._users[u], "    ") for u in loners)
        lines.append("  }")
        grouped.update(loners)
    for user_id in sorted(org._users):
        if user_id not in grouped:
            lines.append(user_node(org._users[user_id], "  "))

    shape, _marker, fill = REGION_STYLE
    for region_id in sorted(org._regions):
        region = org._regions[region_id]
        label = region.name or region_id
        if region.name and region.name != region_id:
            label = f"{region_id}\n{region.name}"
        if region.states:
            label += "\n" + " ".join(sorted(region.states))
        style: dict[str, str | float] = {"label": label, "shape": shape, "fillcolor": fill}
        if region_id in on_path:
            style.update(color=HIGHLIGHT, penwidth=3)
        lines.append(f"  {_quote(region_id)} {_attrs(**style)};")
    if org._regions:
        same = " ".join(f"{_quote(r)};" for r in sorted(org._regions))
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
    highlight: object = (),
    title: str | None = None,
    legend: bool = True,
) -> Axes:
    """Draw the org with matplotlib and return the axes (needs the ``[draw]`` extra).

    Distributor groups are boxed together (green when they share inventory), each region sits
    under its regional manager with dotted lines to its members, back office and facility users
    are on top; roles differ by marker and colour, locked users have an orange ring, deactivated
    ones are grey. A decision's path is drawn in red, with a case or item id at its end added
    below.

    Parameters
    ----------
    org
        The org to draw.
    ax
        The matplotlib axes to draw on; by default a new figure sized to the org.
    highlight
        A :class:`~beacon_org.Decision` (its ``path`` is highlighted) or a sequence of ids.
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
    InvalidValueError
        If ``highlight`` is neither a decision nor a sequence of string ids.
    ModuleNotFoundError
        If matplotlib is not installed.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from beacon_org.graph import draw
    >>> from beacon_org.testing import sample_org
    >>> ax = draw(sample_org(), highlight=("rm-east", "east", "rep-b1", "c-200"))
    >>> ax.get_figure().get_size_inches().round(1).tolist()
    [11.8, 7.0]
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    path = _path_of(highlight)
    plt = _import_pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch, Patch

    pos = layout(org)
    xs = [p[0] for p in pos.values()] or [0.0]
    left, right = min(xs), max(xs)
    if ax is None:
        # Room for the picture plus a legend column at the right.
        width = max(6.0, right - left + 1.6) + (2.0 if legend else 0.0)
        fig, ax = plt.subplots(figsize=(width, 7.0))
        fig.subplots_adjust(
            left=0.01, right=1.0 - (2.0 if legend else 0.1) / width, bottom=0.01, top=0.95
        )
    assert ax is not None  # for mypy: subplots always returns axes

    # Group boxes behind everything.
    for distributor, reps in _groups(org):
        members = [pos[distributor][0], *(pos[r][0] for r in reps)]
        shared = distributor in org._sharing
        low = _Y_REP - 0.45 if reps else _Y_DISTRIBUTOR - 0.45
        box = FancyBboxPatch(
            (min(members) - 0.45, low),
            max(members) - min(members) + 0.9,
            _Y_DISTRIBUTOR + 0.45 - low,
            boxstyle="round,pad=0.02,rounding_size=0.15",
            facecolor=_SHARED_FILL if shared else _UNSHARED_FILL,
            edgecolor="#2e7d32" if shared else "#9e9e9e",
            linewidth=1.0,
            zorder=0,
        )
        ax.add_patch(box)
        note = "shares inventory" if shared else "no sharing"
        ax.text(
            min(members) - 0.4,
            _Y_DISTRIBUTOR + 0.38,
            f"{distributor} group · {note}",
            fontsize=7,
            va="top",
            color="#1b5e20" if shared else "#616161",
            zorder=0.5,
        )

    steps = set(itertools.pairwise(path))
    for source, target, data in org._nx().edges(data=True):
        relation = data["relation"]
        on_path = (source, target) in steps or (target, source) in steps
        style: dict[str, Any] = {"color": _EDGE_COLOUR[relation], "lw": 1.2}
        if relation == MEMBER:
            style.update(arrowstyle="-", linestyle=(0, (1, 2)), lw=0.8)
        if on_path:
            style.update(color=HIGHLIGHT, lw=2.8, linestyle="-")
        _arrow(ax, pos[source], pos[target], **style)

    # Ids on the path that are not in the org (a case, an item) go under the node before them.
    extra: dict[str, tuple[float, float]] = {}
    for before, node in itertools.pairwise(path):
        if node not in pos and node not in extra:
            bx = (pos.get(before) or extra.get(before) or (left, _Y_REP))[0]
            extra[node] = (bx, _Y_OBJECT)
    for source, target in itertools.pairwise(path):
        if {source, target} <= (pos.keys() | extra.keys()) and not (
            org._nx().has_edge(source, target) or org._nx().has_edge(target, source)
        ):
            start, end = (pos | extra)[source], (pos | extra)[target]
            _arrow(ax, start, end, color=HIGHLIGHT, lw=2.8, linestyle="--")
    for node, (nx_, ny) in extra.items():
        ax.text(
            nx_,
            ny,
            node,
            ha="center",
            va="center",
            fontsize=8,
            zorder=3,
            bbox={"boxstyle": "square,pad=0.3", "fc": "white", "ec": HIGHLIGHT, "lw": 2},
        )

    def scatter(nodes: list[str], marker: str, fill: str, **style: Any) -> None:
        if nodes:
            ax.scatter(
                [pos[n][0] for n in nodes],
                [pos[n][1] for n in nodes],
                s=260,
                marker=marker,
                c=fill,
                edgecolors=style.pop("edgecolors", "#424242"),
                linewidths=style.pop("linewidths", 0.8),
                zorder=2,
                **style,
            )

    for role, (_shape, marker, fill) in ROLE_STYLE.items():
        users = [u for u, user in org._users.items() if user.role is role]
        active = [u for u in users if org._users[u].active]
        scatter([u for u in active if not org._users[u].locked], marker, fill)
        scatter(
            [u for u in active if org._users[u].locked],
            marker,
            fill,
            edgecolors="#ef6c00",
            linewidths=2.2,
        )
        scatter([u for u in users if not org._users[u].active], marker, "#eeeeee", alpha=0.8)
    scatter(sorted(org._regions), REGION_STYLE[1], REGION_STYLE[2])
    ringed = [n for n in path if n in pos]
    if ringed:
        ax.scatter(
            [pos[n][0] for n in ringed],
            [pos[n][1] for n in ringed],
            s=500,
            marker="o",
            facecolors="none",
            edgecolors=HIGHLIGHT,
            linewidths=2.2,
            zorder=2.5,
        )

    for node, (nx_, ny) in pos.items():
        if node in org._users:
            user = org._users[node]
            note = _status_note(user)
            label = f"{node}\n({note})" if note else node
            colour = "#9e9e9e" if not user.active else "#212121"
        else:
            label, colour = node, "#212121"
        # A white backing keeps a label readable where an edge runs under it.
        ax.text(
            nx_,
            ny - 0.22,
            label,
            ha="center",
            va="top",
            fontsize=7.5,
            color=colour,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85},
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
                markersize=9,
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
                markersize=9,
                label="region",
            )
        )
        handles += [
            Line2D([], [], color=_EDGE_COLOUR[MANAGES], label="manages"),
            Line2D([], [], color=_EDGE_COLOUR[REP], label="distributor → rep"),
            Line2D([], [], color=_EDGE_COLOUR[MEMBER], linestyle=":", label="region member"),
            Patch(facecolor=_SHARED_FILL, edgecolor="#2e7d32", label="group sharing inventory"),
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor="#ef6c00",
                markeredgewidth=2,
                markersize=9,
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

    bottom = _Y_OBJECT - 0.5 if extra else _Y_REP - 0.75
    ax.set_xlim(left - 0.8, right + 0.8)
    ax.set_ylim(bottom, _Y_TOP + 0.5)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax
