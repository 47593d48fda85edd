"""What a picture of an org shows and where: the one layout behind ``draw`` and ``explore``.

Regions are sections (a region with its manager on top, then the distributor groups whose
distributor is in it), each group a block (the distributor above a grid of its reps); blocks and
sections wrap into rows so the picture keeps a readable shape, and when the whole org would not fit
at a legible size, the biggest groups collapse into a box with their count. With a focus, only what
lies within ``depth`` relations of it is shown, and a caption counts the rest.

It reads the org through its public API only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs
import networkx as nx

from .._errors import InvalidValueError, UnknownUserError
from .._model import Role

if TYPE_CHECKING:
    from .._org import Org

__all__ = ["Block", "Scene", "check_depth", "focus_nodes", "make_scene"]

#: Inches per layout unit in ``draw``: one unit holds a marker and a label of about ten characters.
INCH_PER_UNIT = 0.62
#: The largest picture ``draw`` makes, in inches, before it collapses groups.
MAX_INCHES = (24.0, 22.0)
#: How much wider than tall the picture aims to be (at most about 2:1 either way).
TARGET_ASPECT = 1.5
CHAR_WIDTH = 0.085  # layout units per character of a 7 pt label
_GAP = 0.5  # between two blocks, and between two sections
_PAD = 0.35  # inside a box, around its content
_HEADER = 0.75  # a box's title line
NO_REGION = "(no region)"
NO_GROUP = "(no group)"


@attrs.frozen
class Block:
    """A box in the picture: a distributor group, reps in no group, or a region's section.

    ``x``/``y`` is the top-left corner and y grows downwards. ``collapsed`` groups draw as one box
    with ``count`` users in it and no node of their own.
    """

    kind: str  # "group", "loners" or "region"
    key: str  # the distributor's or region's id (NO_GROUP / NO_REGION for the catch-alls)
    label: str
    x: float
    y: float
    width: float
    height: float
    members: tuple[str, ...] = ()
    collapsed: bool = False
    count: int = 0
    shared: bool = False


@attrs.frozen
class Scene:
    """Positions of the nodes shown (y grows downwards), the boxes, and a caption for the rest."""

    pos: dict[str, tuple[float, float]]
    blocks: tuple[Block, ...]
    width: float
    height: float
    caption: str
    hidden_users: int
    hidden_groups: int
    hidden_regions: int
    collapsed_users: int


def _check_focus(org: Org, focus: object) -> str:
    if not isinstance(focus, str):
        msg = f"'focus' must be a user or region id (got {focus!r})"
        raise InvalidValueError(msg, field="focus", value=focus)
    if focus not in org.users and focus not in org.regions:
        msg = f"unknown user or region {focus!r} (focus)"
        raise UnknownUserError(msg, id=focus)
    return focus


def check_depth(depth: object) -> int:
    """Return ``depth`` if it is a whole number of relations, 0 or more; else raise."""
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        msg = f"'depth' must be a whole number of relations, 0 or more (got {depth!r})"
        raise InvalidValueError(msg, field="depth", value=depth)
    return depth


def focus_nodes(
    org: Org, graph: nx.DiGraph[str], focus: object, depth: object
) -> frozenset[str] | None:
    """The ids shown for ``focus``: within ``depth`` relations, each group kept whole; None for all."""
    depth = check_depth(depth)
    if focus is None:
        return None
    focus = _check_focus(org, focus)
    near = set(
        nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), focus, depth)
    )
    # A group is shown whole or not at all: a rep brings its distributor and its fellow reps.
    for node in list(near):
        if node in org.users:
            distributor = org.distributor_of(node)
            if distributor is not None:
                near.add(distributor)
                near.update(org.reps_of(distributor))
            near.update(org.reps_of(node))
    return frozenset(near)


def collapsed_label(name: str, count: int) -> str:
    """The text of a collapsed group's box: its distributor (or "no group") and its size."""
    return f"{name}\n{count} user{'s' if count != 1 else ''}"


def natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that puts ``region-2`` before ``region-10``."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text)
    )


def _label_width(text: str) -> float:
    return max(len(line) for line in text.split("\n")) * CHAR_WIDTH


def _grid_columns(count: int, column_width: float) -> int:
    # Roughly square blocks (a little wider than tall), at least 3 columns.
    return max(1, min(count, max(3, math.ceil(math.sqrt(count * 1.6 / column_width)))))


@attrs.define
class _Draft:
    """A block before placement: its size and its nodes' offsets from its top-left corner."""

    kind: str
    key: str
    label: str
    width: float
    height: float
    offsets: dict[str, tuple[float, float]]
    members: tuple[str, ...]
    collapsed: bool = False
    count: int = 0
    shared: bool = False


def _group_draft(
    kind: str, key: str, label: str, head: str | None, reps: list[str], collapse: bool, shared: bool
) -> _Draft:
    members = ((head,) if head else ()) + tuple(reps)
    if collapse:
        short = collapsed_label(head or "no group", len(members))
        width = _label_width(short) + 2 * _PAD
        return _Draft(kind, key, short, width, 1.1, {}, members, True, len(members), shared)
    column = max([1.0, *(_label_width(r) + 0.2 for r in reps)])
    columns = _grid_columns(len(reps), column) if reps else 1
    rows = math.ceil(len(reps) / columns) if reps else 0
    grid_width = columns * column
    width = max(grid_width, _label_width(label), column) + 2 * _PAD
    offsets: dict[str, tuple[float, float]] = {}
    top = _HEADER
    left = (width - grid_width) / 2
    if head is not None:
        offsets[head] = (width / 2, top + 0.3)
        top += 1.0
    for i, rep in enumerate(reps):
        row, col = divmod(i, columns)
        offsets[rep] = (left + (col + 0.5) * column, top + 0.3 + row)
    height = top + rows + (0.15 if rows or head else 0.3)
    return _Draft(kind, key, label, width, height, offsets, members, False, len(members), shared)


def _shelves(
    sizes: list[tuple[float, float]], width: float
) -> tuple[list[tuple[float, float]], float, float]:
    """Place boxes left to right in rows no wider than ``width``; return corners and the size used."""
    corners: list[tuple[float, float]] = []
    x = y = row_height = used = 0.0
    for w, h in sizes:
        if x > 0 and x + w > width:
            y += row_height + _GAP
            x = row_height = 0.0
        corners.append((x, y))
        x += w + _GAP
        used = max(used, x - _GAP)
        row_height = max(row_height, h)
    return corners, used, y + row_height


@attrs.define
class _Section:
    key: str
    label: str
    header: list[str]  # the region, then its manager
    drafts: list[_Draft]


def _sections(
    org: Org, shown: frozenset[str] | None, protected: frozenset[str], threshold: float
) -> tuple[list[str], list[_Section]]:
    def visible(node: str) -> bool:
        return shown is None or node in shown

    top: list[str] = []
    manager_home: dict[str, str] = {}
    for user_id in sorted(org.users, key=natural):
        role = org.users[user_id].role
        if not visible(user_id):
            continue
        if role is Role.REGIONAL_MANAGER:
            homes = sorted((r for r in org.managed_regions(user_id) if visible(r)), key=natural)
            if homes:
                manager_home[user_id] = homes[0]
                continue
        if role not in (Role.SALES, Role.DISTRIBUTOR):
            top.append(user_id)

    by_region: dict[str, list[_Draft]] = {}
    for user_id in sorted(org.users, key=natural):
        user = org.users[user_id]
        if user.role is not Role.DISTRIBUTOR or not visible(user_id):
            continue
        reps = sorted((r for r in org.reps_of(user_id) if visible(r)), key=natural)
        shared = org.shares_inventory(user_id)
        label = f"{user_id} group · " + ("shares inventory" if shared else "no sharing")
        collapse = len(reps) + 1 > threshold and not ({user_id, *reps} & protected)
        draft = _group_draft("group", user_id, label, user_id, reps, collapse, shared)
        by_region.setdefault(user.region or NO_REGION, []).append(draft)
    loners: dict[str, list[str]] = {}
    for user_id in sorted(org.users, key=natural):
        user = org.users[user_id]
        if user.role is Role.SALES and visible(user_id) and org.distributor_of(user_id) is None:
            loners.setdefault(user.region or NO_REGION, []).append(user_id)
    for region_id, reps in loners.items():
        collapse = len(reps) > threshold and not (set(reps) & protected)
        draft = _group_draft("loners", NO_GROUP, "reps in no group", None, reps, collapse, False)
        by_region.setdefault(region_id, []).append(draft)

    sections = []
    for region_id in sorted((r for r in org.regions if visible(r)), key=natural):
        region = org.regions[region_id]
        header = [region_id]
        if region.manager is not None and manager_home.get(region.manager) == region_id:
            header.append(region.manager)
        name = region.name if region.name and region.name != region_id else ""
        label = f"region {region_id}" + (f" · {name}" if name else "")
        if region.states:
            label += " · " + " ".join(sorted(region.states))
        sections.append(_Section(region_id, label, header, by_region.pop(region_id, [])))
    # Groups whose region is not shown (a focus) still sit in a box named after their region.
    for region_id in sorted((k for k in by_region if k != NO_REGION), key=natural):
        sections.append(_Section(region_id, f"region {region_id}", [], by_region.pop(region_id)))
    if NO_REGION in by_region:
        sections.append(_Section(NO_REGION, "no region", [], by_region.pop(NO_REGION)))
    return top, sections


def _place(
    top: list[str], sections: list[_Section], width: float
) -> tuple[dict[str, tuple[float, float]], list[Block], float, float]:
    pos: dict[str, tuple[float, float]] = {}
    blocks: list[Block] = []
    y = 0.0
    used = 0.0
    if top:
        column = max(_label_width(u) + 0.3 for u in top)
        sizes = [(column, 1.0)] * len(top)
        corners, top_width, top_height = _shelves(sizes, width)
        for user_id, (cx, cy) in zip(top, corners, strict=True):
            pos[user_id] = (cx + column / 2, cy + 0.3)
        used = top_width
        y = top_height + _GAP
    # Each section: its header row, then its blocks (tallest first) wrapped in rows.
    boxes: list[tuple[float, float]] = []
    inner: list[tuple[list[tuple[float, float]], list[_Draft], float]] = []
    for section in sections:
        drafts = sorted(section.drafts, key=lambda d: (-d.height, natural(d.key)))
        inner_width = width - 2 * _PAD
        corners, blocks_width, blocks_height = _shelves(
            [(d.width, d.height) for d in drafts], inner_width
        )
        header_width = max(_label_width(section.label), 1.2 * len(section.header))
        box_width = max(blocks_width, header_width) + 2 * _PAD
        header_height = _HEADER + (1.0 if section.header else 0.0)
        box_height = header_height + blocks_height + _PAD
        boxes.append((box_width, box_height))
        inner.append((corners, drafts, header_height))
    corners, sections_width, sections_height = _shelves(boxes, width)
    for section, (sx, sy), (sw, sh), (block_corners, drafts, header_height) in zip(
        sections, corners, boxes, inner, strict=True
    ):
        sy += y
        blocks.append(
            Block("region", section.key, section.label, sx, sy, sw, sh, tuple(section.header))
        )
        for i, node in enumerate(section.header):
            pos[node] = (sx + _PAD + 0.5 + 1.2 * i, sy + _HEADER + 0.3)
        for draft, (bx, by) in zip(drafts, block_corners, strict=True):
            bx += sx + _PAD
            by += sy + header_height
            blocks.append(
                Block(
                    draft.kind,
                    draft.key,
                    draft.label,
                    bx,
                    by,
                    draft.width,
                    draft.height,
                    draft.members,
                    draft.collapsed,
                    draft.count,
                    draft.shared,
                )
            )
            for node, (ox, oy) in draft.offsets.items():
                pos[node] = (bx + ox, by + oy)
    used = max(used, sections_width)
    height = y + sections_height if sections else max(y - _GAP, 0.0)
    return pos, blocks, used, height


def _arrange(
    org: Org, shown: frozenset[str] | None, protected: frozenset[str], threshold: float
) -> tuple[dict[str, tuple[float, float]], list[Block], float, float]:
    top, sections = _sections(org, shown, protected, threshold)
    area = (
        sum(sum(d.width * d.height for d in s.drafts) + 3.0 * len(s.header) + 2.0 for s in sections)
        + len(top) * 1.5
    )
    widest = max([d.width + 4 * _PAD for s in sections for d in s.drafts] + [4.0])
    width = max(widest, math.sqrt(area * TARGET_ASPECT) * 1.15)
    result = _place(top, sections, width)
    # Packing wastes some room: nudge the width until the shape is within 2:1 (a few tries).
    for _ in range(6):
        _pos, _blocks, used, height = result
        if height <= 0 or (used / height <= 2.0 and height / max(used, 1e-9) <= 1.0 / 0.9):
            break
        width = max(widest, math.sqrt(used * height * TARGET_ASPECT))
        # Too wide: narrower rows; too tall: wider ones.
        width = min(width, used * 0.8) if used / height > 2.0 else max(width, used * 1.25)
        result = _place(top, sections, width)
    return result


def _fits(width: float, height: float) -> bool:
    return width * INCH_PER_UNIT <= MAX_INCHES[0] and height * INCH_PER_UNIT <= MAX_INCHES[1]


def make_scene(
    org: Org,
    *,
    focus: object = None,
    depth: object = 1,
    keep: Iterable[str] = (),
    collapse: bool = True,
) -> Scene:
    """Lay ``org`` out; with ``collapse``, fold the biggest groups until the picture fits.

    ``keep`` names nodes (a highlighted path) that stay shown and whose groups never collapse.
    """
    graph = org.graph
    shown = focus_nodes(org, graph, focus, depth)
    protected = frozenset(n for n in keep if n in graph)
    if shown is not None:
        extra = set(protected)
        for node in protected:
            if node in org.users and org.distributor_of(node) is not None:
                distributor = org.distributor_of(node)
                assert distributor is not None
                extra.add(distributor)
                extra.update(org.reps_of(distributor))
        shown = shown | extra
        protected = protected | frozenset({focus}) if isinstance(focus, str) else protected
    sizes = sorted(
        {len(org.reps_of(d)) + 1 for d in org.users if org.users[d].role is Role.DISTRIBUTOR}
        | {
            len(
                [
                    u
                    for u in org.users
                    if org.users[u].role is Role.SALES and org.distributor_of(u) is None
                ]
            )
        }
    )
    pos, blocks, width, height = _arrange(org, shown, protected, math.inf)
    if collapse and not _fits(width, height):
        # The smallest threshold (most detail) whose picture fits: bisect over the group sizes.
        candidates = [0, *sizes]
        low, high = 0, len(candidates) - 1
        best = _arrange(org, shown, protected, 0)
        while low <= high:
            middle = (low + high) // 2
            attempt = _arrange(org, shown, protected, candidates[middle])
            if _fits(attempt[2], attempt[3]):
                best = attempt
                low = middle + 1
            else:
                high = middle - 1
        pos, blocks, width, height = best

    collapsed = sum(b.count for b in blocks if b.collapsed)
    hidden_users = 0 if shown is None else sum(1 for u in org.users if u not in shown)
    hidden_regions = 0 if shown is None else sum(1 for r in org.regions if r not in shown)
    hidden_groups = 0
    if shown is not None:
        hidden_groups = sum(
            1 for u, user in org.users.items() if user.role is Role.DISTRIBUTOR and u not in shown
        )
    parts = []
    if hidden_groups:
        parts.append(f"{hidden_groups} other group" + ("s" if hidden_groups != 1 else ""))
    if hidden_users:
        parts.append(f"{hidden_users} other user" + ("s" if hidden_users != 1 else ""))
    if hidden_regions:
        parts.append(f"{hidden_regions} other region" + ("s" if hidden_regions != 1 else ""))
    caption = ("not shown: " + ", ".join(parts)) if parts else ""
    if collapsed:
        folded = sum(1 for b in blocks if b.collapsed)
        note = f"{folded} group{'s' if folded != 1 else ''} of {collapsed} users collapsed"
        caption = f"{caption}; {note}" if caption else note
    return Scene(
        pos,
        tuple(blocks),
        width,
        height,
        caption,
        hidden_users,
        hidden_groups,
        hidden_regions,
        collapsed,
    )
