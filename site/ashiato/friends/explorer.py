"""The graph explorer: the viewer's maimiku drawn as a graph that grows as faces are opened,
with the shortest chain to a member drawn on it.

Reading the graph leaves no footprints. Members in a block with the viewer are never
drawn; a member who hides their list is drawn without their maimiku, and an edge is drawn
only when the viewer may see it in one of its two members' lists. The state travels in the
page itself (GraphState), so the explorer needs no session. One request is three steps:
`expand_faces` opens faces, `search_chain` answers a chain search (friends.chain does the
search), and `lay_out` places what is shown (positions from friends.layout).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from ashiato.friends import layout, queries, service
from ashiato.friends.chain import CHAIN_MAX_STEPS
from ashiato.friends.errors import NoSuchMember
from ashiato.i18n import _
from ashiato.members import require_active
from ashiato.members.tables import Member
from ashiato.registry import FaceLookup

EXPAND_LIMIT = 40  # faces one click adds; clicking the same face again adds the next ones
GRAPH_MAX_NODES = 240
NAME_MATCHES = 10


def _ids(text: str, limit: int) -> list[int]:
    found: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if part.isdigit() and len(part) < 12 and len(found) < limit:
            found.append(int(part))
    return list(dict.fromkeys(found))


@dataclass
class GraphState:
    """What the explorer shows, carried by the page itself (hidden inputs, the address).

    groups: each opened member with the members that opening added, in order; chain: the
    last chain drawn; view: "focus" (around the last opened face) or "fit" (everything).
    """

    groups: list[tuple[int, list[int]]] = field(default_factory=list)
    chain: list[int] = field(default_factory=list)
    view: str = "focus"

    @classmethod
    def parse(cls, groups: list[str], chain: str = "", view: str = "") -> GraphState:
        parsed: list[tuple[int, list[int]]] = []
        budget = GRAPH_MAX_NODES
        for raw in groups[:GRAPH_MAX_NODES]:
            anchor, _sep, members = raw.partition(":")
            anchor_ids = _ids(anchor, 1)
            if not anchor_ids:
                continue
            added = _ids(members, max(0, budget))
            budget -= len(added)
            parsed.append((anchor_ids[0], added))
        return cls(
            groups=parsed,
            chain=_ids(chain, CHAIN_MAX_STEPS + 1),
            view="fit" if view == "fit" else "focus",
        )

    def shown(self) -> list[int]:
        ordered: list[int] = []
        for anchor, members in self.groups:
            ordered.append(anchor)
            ordered.extend(members)
        ordered.extend(self.chain)
        return list(dict.fromkeys(ordered))

    def encoded_groups(self) -> list[str]:
        return [f"{anchor}:{','.join(map(str, members))}" for anchor, members in self.groups]

    def encoded_chain(self) -> str:
        return ",".join(map(str, self.chain))

    def keep_only(self, allowed: set[int]) -> None:
        self.groups = [
            (anchor, [m for m in members if m in allowed])
            for anchor, members in self.groups
            if anchor in allowed
        ]
        if any(m not in allowed for m in self.chain):
            self.chain = []


@dataclass(frozen=True)
class GraphFace:
    """The little the graph needs of a member (partials/_face.html reads nickname)."""

    id: int
    nickname: str
    face_url: str | None = None


@dataclass(frozen=True)
class GraphNode:
    member: GraphFace
    x: float
    y: float
    is_me: bool
    opened: bool
    hides_list: bool
    on_chain: bool


@dataclass(frozen=True)
class GraphEdge:
    a: int
    b: int
    x1: float
    y1: float
    x2: float
    y2: float
    overlap: bool  # not drawn by an opening: two shown circles of maimiku touch here
    on_chain: bool


@dataclass
class Graph:
    state: GraphState
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    view_box: tuple[float, float, float, float]
    focus: int
    notices: list[str] = field(default_factory=list)
    query: str = ""
    chain: list[GraphFace] = field(default_factory=list)
    chain_missing: Member | None = None  # searched, but no chain within CHAIN_MAX_STEPS
    matches: list[Member] = field(default_factory=list)  # the search text fits several


# -- the three steps ----------------------------------------------------------------------


@dataclass
class Expansion:
    """What opening faces did: the state (restarted when it was not the viewer's), the
    face last opened, the opened members who hide their list, and what to tell."""

    state: GraphState
    focus: int
    private: list[int]
    notices: list[str]


async def expand_faces(
    viewer: Member, state: GraphState, avoid: set[int], expand: int | None
) -> Expansion:
    """Open the viewer (when the state starts afresh) and the face asked for: each opening
    adds up to EXPAND_LIMIT of that member's maimiku not shown yet."""
    notices: list[str] = []
    if not state.groups or state.groups[0][0] != viewer.id:
        state = GraphState(view=state.view)
        opening: list[int] = [viewer.id]
    else:
        opening = []
    if expand is not None and expand not in opening:
        opening.append(expand)
    focus = viewer.id
    private: list[int] = []
    for node in opening:
        shown = set(state.shown())
        if node in avoid or (node != viewer.id and node not in shown):
            continue
        focus = node
        if node != viewer.id and await queries.hides_friend_list(node):
            private.append(node)
            state.groups.append((node, []))
            continue
        candidates = [m for m in await queries.active_friend_ids(node, avoid) if m not in shown]
        room = max(0, GRAPH_MAX_NODES - len(shown))
        added = candidates[: min(EXPAND_LIMIT, room)]
        state.groups.append((node, added))
        if len(candidates) > len(added) and room > len(added):
            notices.append(
                _(
                    "%(num)s more maimiku are not shown yet: open the same face again.",
                    num=len(candidates) - len(added),
                )
            )
        elif len(candidates) > len(added):
            notices.append(_("The graph is full. Start again to explore elsewhere."))
    return Expansion(state, focus, private, notices)


@dataclass
class ChainSearch:
    """What a chain search found: `target` is the member looked for (None when the search
    text named nobody, or somebody the viewer may not look for), `found` whether a chain
    to them is now in the state."""

    query: str
    target: int | None
    found: bool
    missing: Member | None  # searched, but no chain within CHAIN_MAX_STEPS
    matches: list[Member]  # the search text fits several members: the viewer chooses
    notices: list[str]


async def search_chain(
    viewer: Member, state: GraphState, avoid: set[int], find: str | None, to: int | None
) -> ChainSearch:
    """Look a member up by nickname (`find`) or take the one chosen (`to`), and put the
    shortest chain to them into the state (or clear the chain when there is none)."""
    notices: list[str] = []
    query = (find or "").strip()
    matches: list[Member] = []
    if find is not None and to is None:
        if not query:
            notices.append(_("Type a nickname to look for."))
        else:
            named = await queries.members_named(query[:40], NAME_MATCHES + 1)
            matches = [m for m in named if m.id not in avoid and m.id != viewer.id]
            if len(matches) == 1:
                to, matches = matches[0].id, []
            elif not matches:
                notices.append(_("No member is called %(name)s.", name=query))
    missing: Member | None = None
    found = False
    if to is not None:
        try:
            chain = await service.shortest_chain(viewer, to)
        except NoSuchMember as exc:
            notices.append(exc.message)
            chain, to = None, None
        if chain is None:
            missing = await queries.active_member(to) if to is not None else None
            state.chain = []
        else:
            state.chain = [m.id for m in chain]
            found = True
    return ChainSearch(query, to, found, missing, matches, notices)


@dataclass
class Drawing:
    faces: dict[int, GraphFace]  # every member drawn
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    positions: dict[int, layout.Point]


async def lay_out(viewer: Member, state: GraphState, avoid: set[int], faces: FaceLookup) -> Drawing:
    """Place every member the state shows (dropping those no longer drawable) and every
    edge the viewer may know of among them."""
    ids = state.shown() or [viewer.id]
    rows = await queries.graph_faces(ids)
    allowed = {i for i in rows if i not in avoid}
    state.keep_only(allowed)
    ids = [i for i in ids if i in allowed]
    photos = await faces(ids)
    drawn = {i: GraphFace(i, rows[i]["nickname"], photos.get(i)) for i in ids}
    hiding = {i for i in ids if rows[i]["hides"] and i != viewer.id}
    positions = layout.place(viewer.id, state.groups, state.chain)
    tree = {frozenset((a, m)) for a, added in state.groups for m in added}
    chain_links = {frozenset(pair) for pair in pairwise(state.chain)}
    edges = []
    for a, b in await queries.edges_among(ids):
        if a in hiding and b in hiding:
            continue  # neither list may be seen: the edge stays unknown
        pair = frozenset((a, b))
        (x1, y1), (x2, y2) = positions[a], positions[b]
        edges.append(
            GraphEdge(
                a,
                b,
                round(x1, 1),
                round(y1, 1),
                round(x2, 1),
                round(y2, 1),
                overlap=pair not in tree and pair not in chain_links,
                on_chain=pair in chain_links,
            )
        )
    opened = {anchor for anchor, _added in state.groups}
    on_chain = set(state.chain)
    nodes = [
        GraphNode(
            member=drawn[i],
            x=round(positions[i][0], 1),
            y=round(positions[i][1], 1),
            is_me=i == viewer.id,
            opened=i in opened,
            hides_list=i in hiding,
            on_chain=i in on_chain,
        )
        for i in ids
    ]
    return Drawing(drawn, nodes, edges, positions)


# -- one request --------------------------------------------------------------------------


async def explore(
    viewer: Member,
    state: GraphState,
    *,
    faces: FaceLookup,
    expand: int | None = None,
    find: str | None = None,
    to: int | None = None,
) -> Graph:
    """Open a face, or look for a chain, and lay out what is shown."""
    require_active(viewer)
    avoid = await queries.blocked_ids_around(viewer.id)
    expansion = await expand_faces(viewer, state, avoid, expand)
    state = expansion.state
    search = await search_chain(viewer, state, avoid, find, to)
    drawing = await lay_out(viewer, state, avoid, faces)
    notices = expansion.notices + search.notices
    for node in expansion.private:
        if node in drawing.faces:
            notices.append(
                _("%(name)s keeps their maimiku list private.", name=drawing.faces[node].nickname)
            )
    focus = search.target if search.found and search.target is not None else expansion.focus
    if expand is None and search.target is None and state.groups:
        focus = state.groups[-1][0]
    if focus not in drawing.positions:
        focus = viewer.id
    return Graph(
        state=state,
        nodes=drawing.nodes,
        edges=drawing.edges,
        view_box=layout.view_box(
            drawing.positions,
            focus,
            state.view == "fit",
            keep=[m for anchor, added in state.groups if anchor == focus for m in added]
            + (state.chain if focus in state.chain else []),
        ),
        focus=focus,
        notices=notices,
        query=search.query,
        chain=[drawing.faces[i] for i in state.chain]
        if search.target is not None and state.chain
        else [],
        chain_missing=search.missing,
        matches=search.matches,
    )
