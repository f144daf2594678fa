from __future__ import annotations

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Keyset ("cursor") pages in id order: a report that walks every page sees each row
    once even while others add rows, and a deep page costs what the first does."""

    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
