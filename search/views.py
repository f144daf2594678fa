from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from search.documents import KINDS
from search.forms import SearchForm
from search.selectors import MAX_PER_KIND, drawn, search_for
from trackerapp.forms import form_status
from trackerapp.types import AuthenticatedRequest

PAGE_SIZE = 20


@require_GET
def search(request: AuthenticatedRequest) -> HttpResponse:
    """Search everything the person may read; an outsider simply finds nothing."""
    form = SearchForm(request.GET or None)
    results = None
    page = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        results = search_for(request.user, form.cleaned_data["q"], form.cleaned_data["kind"])
        page = Paginator(results.hits, PAGE_SIZE).get_page(request.GET.get("page"))
        drawn(request.user, list(page.object_list), results.text)
    query = request.GET.copy()
    query.pop("page", None)
    kind_query = request.GET.copy()
    for name in ("page", "kind"):
        kind_query.pop(name, None)
    context = {
        "form": form,
        "results": results,
        "page": page,
        "query": query.urlencode(),
        "kind_query": kind_query.urlencode(),
        "kinds": [
            (kind, results.counts.get(kind.key, 0) if results else 0) for kind in KINDS.values()
        ],
        "max_per_kind": MAX_PER_KIND,
    }
    return render(request, "search/results.html", context, status=form_status(form))
