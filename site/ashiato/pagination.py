"""Where a paged list stands, in one type that every list and `partials/_pager.html` share.

Two kinds of list: those that count their rows (a thread, a maimiku list) know their number
of pages; the others read one row more than a page holds to learn whether a next page
exists (`Pagination.probe`), which costs no COUNT query.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

Row = TypeVar("Row")


@dataclass(frozen=True)
class Pagination:
    """Page `page` (from 1) of a list; `has_next` if a later page exists; `pages` when
    the list knows how many it has (None when it only looked one row ahead)."""

    page: int = 1
    has_next: bool = False
    pages: int | None = None

    @classmethod
    def numbered(cls, page: int, pages: int) -> Pagination:
        """Page `page` of `pages`, moved into 1..pages."""
        pages = max(1, pages)
        page = min(max(1, page), pages)
        return cls(page=page, has_next=page < pages, pages=pages)

    @classmethod
    def counted(cls, page: int, total: int, per_page: int) -> Pagination:
        """Page `page` of a list of `total` rows, `per_page` a page."""
        return cls.numbered(page, math.ceil(total / per_page))

    @classmethod
    def probe(cls, rows: Sequence[Row], page: int, per_page: int) -> tuple[list[Row], Pagination]:
        """For rows read with `limit=per_page + 1`: the page's rows and where it stands."""
        return list(rows[:per_page]), cls(page=page, has_next=len(rows) > per_page)

    @staticmethod
    def offset(page: int, per_page: int) -> int:
        """The first row of page `page` (a page below 1 reads as the first)."""
        return (max(1, page) - 1) * per_page

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def is_paged(self) -> bool:
        """Whether there is more than this one page, so a pager is worth showing."""
        return self.has_previous or self.has_next
