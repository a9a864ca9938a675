"""The server-side layout of the graph: a ring around the viewer, fans that stay put."""

from __future__ import annotations

import math

from ashiato.friends import layout


def test_the_viewer_sits_at_the_centre_of_a_ring_of_maimiku():
    positions = layout.place(1, [(1, [2, 3, 4, 5])])
    assert positions[1] == (0.0, 0.0)
    radii = {round(math.hypot(*positions[m]), 3) for m in (2, 3, 4, 5)}
    assert len(radii) == 1 and radii.pop() >= layout.FIRST_RING


def test_opening_another_face_leaves_every_earlier_face_where_it_was():
    before = layout.place(1, [(1, [2, 3, 4])])
    after = layout.place(1, [(1, [2, 3, 4]), (2, [5, 6])])
    assert all(after[m] == before[m] for m in before)
    # the new faces fan out beyond the opened one, away from the centre
    for member in (5, 6):
        assert math.hypot(*after[member]) > math.hypot(*after[2])


def test_a_chain_is_laid_out_link_by_link():
    positions = layout.place(1, [(1, [2])], chain=[1, 2, 7, 8])
    assert set(positions) == {1, 2, 7, 8}
    assert math.hypot(*positions[8]) > math.hypot(*positions[7]) > math.hypot(*positions[2])


def test_faces_of_an_unplaced_group_go_on_an_outer_ring():
    positions = layout.place(1, [(1, [2]), (99, [100])])
    assert {99, 100} <= set(positions)


def inside(box, point) -> bool:
    x, y, width, height = box
    return x < point[0] < x + width and y < point[1] < y + height


def test_the_focus_view_shows_the_faces_near_the_opened_one_and_fit_shows_all():
    positions = layout.place(1, [(1, list(range(2, 40))), (5, list(range(40, 80)))])
    near = layout.view_box(positions, 5, fit=False, keep=range(40, 80))
    assert inside(near, positions[5]) and all(inside(near, positions[m]) for m in range(40, 80))
    assert not all(inside(near, point) for point in positions.values())
    assert near[2] >= layout.FOCUS_WIDTH and near[3] >= layout.FOCUS_HEIGHT
    everything = layout.view_box(positions, 5, fit=True)
    assert all(inside(everything, point) for point in positions.values())
