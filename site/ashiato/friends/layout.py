"""Where each face goes in the graph explorer: a radial ("balloon") layout on the server.

The viewer sits at the centre and their maimiku on a ring around them; each later
expansion fans the members it added out around the member that was opened, pointing away
from where that member hangs, so the picture grows outward like mixiGraph's. Positions
depend only on the order of the expansions, so earlier faces stay where they were when
someone opens another one and the page needs no server-side state.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

NODE_SPACING = 78.0  # between neighbouring faces on one ring
FIRST_RING = 190.0  # radius of the viewer's own ring at the least
CHILD_RING = 160.0  # radius of a fan around an opened member at the least
RING_STEP = 95.0  # a member opened again fans its next batch one step further out
FAN_MIN = math.pi / 3
FAN_MAX = 1.5 * math.pi
FOCUS_WIDTH = 900.0
FOCUS_HEIGHT = 620.0
FOCUS_REACH = 480.0  # the focused view shows the faces this close to the focused one
MARGIN = 70.0  # around the outermost faces when everything is fitted on screen

Point = tuple[float, float]


def place(
    root: int, groups: Sequence[tuple[int, Sequence[int]]], chain: Sequence[int] = ()
) -> dict[int, Point]:
    """Positions for root, every member of every (opened member, added members) group, and
    the chain (each link fanned out from the previous one)."""
    positions: dict[int, Point] = {root: (0.0, 0.0)}
    parent: dict[int, int | None] = {root: None}
    rings: Counter[int] = Counter()

    def fan(anchor: int, members: Sequence[int]) -> None:
        new = [member for member in dict.fromkeys(members) if member not in positions]
        if not new:
            return
        rings[anchor] += 1
        ax, ay = positions[anchor]
        above = parent.get(anchor)
        if above is None:
            base, spread, least = -math.pi / 2, 2 * math.pi, FIRST_RING
        else:
            px, py = positions[above]
            base = math.atan2(ay - py, ax - px)
            spread = min(FAN_MAX, max(FAN_MIN, len(new) * NODE_SPACING / CHILD_RING))
            least = CHILD_RING
        radius = max(least + (rings[anchor] - 1) * RING_STEP, len(new) * NODE_SPACING / spread)
        full_circle = spread >= 2 * math.pi - 1e-9
        for index, member in enumerate(new):
            if full_circle:
                angle = base + 2 * math.pi * index / len(new)
            else:
                angle = base - spread / 2 + spread * (index + 0.5) / len(new)
            positions[member] = (ax + radius * math.cos(angle), ay + radius * math.sin(angle))
            parent[member] = anchor

    pending: list[tuple[int, Sequence[int]]] = [*groups, *((a, [b]) for a, b in pairwise(chain))]
    while pending:
        waiting = [(anchor, members) for anchor, members in pending if anchor not in positions]
        if len(waiting) == len(pending):
            break
        for anchor, members in pending:
            if anchor in positions:
                fan(anchor, members)
        pending = waiting
    # Groups whose opened member was never placed (a hand-edited address): the outer ring.
    stray = [m for anchor, members in pending for m in (anchor, *members) if m not in positions]
    fan(root, stray)
    return positions


def view_box(
    positions: dict[int, Point], focus: int | None, fit: bool, keep: Sequence[int] = ()
) -> tuple[float, float, float, float]:
    """The visible part of the drawing: everything, or the neighbourhood of the focused
    face (the faces in keep, every face within FOCUS_REACH, never less than the focus
    size)."""
    if fit or focus not in positions:
        shown = list(positions.values())
        least_width, least_height = 320.0, 240.0
    else:
        fx, fy = positions[focus]  # type: ignore[index]
        shown = [
            (x, y)
            for member, (x, y) in positions.items()
            if math.hypot(x - fx, y - fy) <= FOCUS_REACH or member in keep
        ]
        least_width, least_height = FOCUS_WIDTH, FOCUS_HEIGHT
    xs = [x for x, _ in shown]
    ys = [y for _, y in shown]
    left, right = min(xs) - MARGIN, max(xs) + MARGIN
    top, bottom = min(ys) - MARGIN, max(ys) + MARGIN + 20  # room for the last names
    width, height = max(right - left, least_width), max(bottom - top, least_height)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    return (
        round(cx - width / 2, 1),
        round(cy - height / 2, 1),
        round(width, 1),
        round(height, 1),
    )
