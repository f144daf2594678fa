"""Paginators whose count does not grow with the portfolio.

Django's Paginator counts every matching row to number the pages: on the action list
that is a COUNT(*) through the recommendation and review joins of every action the
person sees, however few rows the page shows. These count no further than they need."""

from __future__ import annotations

from functools import cached_property
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

# The list says "more than 1,000" past this many rows rather than count them all.
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Pages through a QuerySet. Counts at most `cap` rows, or as far as the page asked for and one page more, so
    that a request costs the same with 10,000 or 300,000 matching rows. Past the cap
    `capped` is true and the count is a lower bound: templates say "more than"."""

    def __init__(
        self, object_list: Any, per_page: int, *, page: Any = None, cap: int | None = None
    ) -> None:
        super().__init__(object_list, per_page)
        try:
            wanted = int(page)
        except (TypeError, ValueError):
            wanted = 1
        # Far enough to know whether the asked page and the next exist.
        self.cap = max(COUNT_CAP if cap is None else cap, (max(wanted, 1) + 1) * per_page)

    @cached_property
    def count(self) -> int:
        # Only the ids, unsorted: the listing columns and the order change no count.
        rows = cast(QuerySet, self.object_list)
        return rows.order_by().values("pk")[: self.cap + 1].count()

    def page(self, number: Any) -> Any:
        """A page past the first picks its rows' ids first (the sort's index alone),
        then reads those rows with their columns. Otherwise the database works out every
        skipped row's columns (joins and the listing subqueries) only to drop them: at
        page 40, a thousand rows read for 25 shown."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list
        if bottom == 0 or not isinstance(rows, QuerySet) or not rows.ordered:
            return super().page(number)
        top = min(bottom + self.per_page, self.count)
        ids = rows.values("pk")[bottom:top]
        # Paginator._get_page, as Paginator.page ends (not in the type stubs).
        return Page(rows.filter(pk__in=ids), number, self)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def shown_count(self) -> int:
        """The count as the page states it: exact, or the cap it is more than."""
        return self.cap if self.capped else self.count


class KnownCountPaginator(Paginator):
    """Pages through rows whose number the caller has already counted (say, in the same
    grouped query as its neighbours), so the paginator does not count them again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known

    capped = False
