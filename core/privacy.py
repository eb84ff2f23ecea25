"""Small numbers: how a count of named pupils is shown to someone who may not see the names.

The rule, in one place: a count of pupils registered by name (activities.figures: the unique
named pupils of a school and year, the pupils over the load threshold) from 1 to 4 is shown as
"<5" to anyone for whom `user.has_perm("schools.view_pupil_names", school)` is false (a
steering-group member, another school's rector, another region's coordinator). The school's
own rector, its region's coordinator and central staff see the exact figure. Zero, and 5 or
more, are shown as they are.

Source: Statistics Norway (SSB) and the Directorate for Education and Training (Udir)
suppress counts under 5 in the published school statistics («prikking», Skoleporten and
Statistikkbanken), so that a small group of pupils cannot be recognised. A figure derived
from a suppressed count (a share of the enrolment, when the enrolment is shown beside it) is
suppressed with it, else the count could be computed back.

Totals: where suppressed cells sum to a total that is shown exactly, one suppressed cell in a
row or column could be recovered by subtracting the other cells. `suppressed_grid` then hides
a second cell, the next smallest in that row or column (secondary suppression, as SSB does),
and repeats until no row or column with a shown total has exactly one hidden cell; a total
whose only cell is hidden is hidden too. Counts of pupils that are not named (the per-school
pupil counts a coordinator types on a participation) are aggregates and stay exact.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from decimal import Decimal

SMALL_COUNT_LIMIT = 5
SUPPRESSED = f"<{SMALL_COUNT_LIMIT}"
# A cell hidden only so that a small one cannot be computed back from a shown total (secondary
# suppression): it may hold 5 or more, so it is not «<5» but SSB's mark for a figure withheld
# for confidentiality, «:».
HIDDEN = ":"
# Where a suppressed cell sorts among numbers: above zero, below every count shown exactly.
SUPPRESSED_SORT_VALUE = Decimal("0.5")


def count_is_small(count: int | None) -> bool:
    """Whether a count of named pupils is too small to show to someone who may not see names."""
    return count is not None and 0 < count < SMALL_COUNT_LIMIT


def count_shown(count: int | None, *, exact: bool) -> int | str | None:
    """A count of named pupils as it may be shown: itself when `exact` (the viewer may see the
    school's names) or when it is not small; else "<5"."""
    if exact or not count_is_small(count):
        return count
    return SUPPRESSED


def derived_shown(value, *, count: int | None, exact: bool):
    """A figure computed from a count of named pupils (its share of the enrolment): hidden
    ("<5") whenever the count is, so the count cannot be computed back from it."""
    if exact or not count_is_small(count):
        return value
    return SUPPRESSED


def is_suppressed(value) -> bool:
    """Whether a shown value is a suppression mark («<5» or «:») rather than a number."""
    return isinstance(value, str) and value in (SUPPRESSED, HIDDEN)


def cell_shown(value: int, *, hidden: bool) -> int | str:
    """A cell of a table of named counts as shown after `suppressed_grid`: the count, «<5»
    when it is hidden for being small, «:» when it is hidden only to protect another cell."""
    if not hidden:
        return value
    return SUPPRESSED if count_is_small(value) else HIDDEN


Cell = tuple[int, int]


def suppressed_grid(
    cells: Sequence[Sequence[int]], *, row_totals: bool = True, column_totals: bool = True
) -> tuple[set[Cell], set[int], set[int]]:
    """Which cells of a table of named counts to hide, for a viewer who may not see names,
    when each row's total (`row_totals`) and/or each column's total (`column_totals`) is
    shown: every small count (primary suppression), and in every row or column with a shown
    total and exactly one hidden cell, the next smallest other cell (secondary suppression),
    until none is left. A row or column whose only cell is hidden has its total hidden
    instead. Returns the hidden cells (row, column), the hidden row totals and the hidden
    column totals."""
    hidden: set[Cell] = {(r, c) for r, row in enumerate(cells) for c, value in enumerate(row) if count_is_small(value)}
    hidden_rows: set[int] = set()
    hidden_columns: set[int] = set()
    lines: list[tuple[str, int, list[Cell]]] = []
    if row_totals:
        lines += [("row", r, [(r, c) for c in range(len(row))]) for r, row in enumerate(cells)]
    if column_totals:
        width = max((len(row) for row in cells), default=0)
        lines += [("column", c, [(r, c) for r, row in enumerate(cells) if c < len(row)]) for c in range(width)]
    changed = True
    while changed:
        changed = False
        for kind, index, line in lines:
            if kind == "row" and index in hidden_rows or kind == "column" and index in hidden_columns:
                continue
            in_line = [cell for cell in line if cell in hidden]
            if len(in_line) != 1:
                continue
            others = [cell for cell in line if cell not in hidden]
            if others:
                hidden.add(min(others, key=lambda cell: (cells[cell[0]][cell[1]], cell)))
            else:
                (hidden_rows if kind == "row" else hidden_columns).add(index)
            changed = True
    return hidden, hidden_rows, hidden_columns


def suppressed_cells(
    values: Mapping[Hashable, int], totals: Iterable[tuple[Hashable, Sequence[Hashable]]]
) -> set[Hashable]:
    """Which published counts of named pupils to hide when several tables show them and their
    sums: `values` every published cell (a school's count, a region's, a municipality's, an
    age band's …) by key; `totals` every published sum as (the key of the total, the keys of
    its parts), e.g. a region's total is the sum of its schools, in whichever table each
    appears. Every small count is hidden (primary suppression); then, wherever exactly one cell
    of a sum (the total or a part) is hidden, a second one is (secondary: the smallest other
    part that is not zero — a zero cell is often published elsewhere — else the total), until
    no sum has exactly one hidden cell. The same cells are hidden in every table that shows
    them, so no published figure can be computed back from the others."""
    hidden = {key for key, value in values.items() if count_is_small(value)}
    lines = [[total, *parts] for total, parts in totals]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for key in line if key in hidden) != 1:
                continue
            others = [key for key in line if key not in hidden]
            if not others:
                continue
            total = line[0]
            hidden.add(min(others, key=lambda key: (values[key] == 0, key == total, values[key], str(key))))
            changed = True
    return hidden
