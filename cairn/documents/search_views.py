"""The Repository page (search, recent documents, templates) and the template picker."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from cairn.customers.models import Account
from cairn.documents import queries, rules
from cairn.documents.forms import SearchForm
from cairn.engagements.models import Engagement

PAGE_SIZE = 20


@require_GET
def document_search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    search = queries.Search(
        q=data.get("q") or "", doc_type=data.get("doc_type") or "",
        account_id=data.get("account"), engagement_id=data.get("engagement"),
    )
    context: dict[str, object] = {"form": form, "search": search}
    if search.account_id:
        context["account"] = Account.objects.filter(pk=search.account_id).first()
    if search.engagement_id:
        context["engagement"] = (
            Engagement.objects.select_related("account").filter(pk=search.engagement_id).first()
        )
    if search.is_empty:
        context["recent"] = queries.recent_documents()
        context["templates"] = queries.templates()[:100]
        return render(request, "documents/search.html", context)
    page = Paginator(queries.search_documents(search), PAGE_SIZE).get_page(request.GET.get("page"))
    for doc in page.object_list:
        doc.snippet = queries.snippet(doc, search.words)  # type: ignore[attr-defined]
    params = request.GET.copy()
    params.pop("page", None)
    context.update(
        page_obj=page,
        querystring_without_page=params.urlencode() + "&" if params else "",
    )
    return render(request, "documents/search.html", context)


@require_GET
def document_from_template(request: HttpRequest, engagement_pk: int) -> HttpResponse:
    """Pick a template to start a new document of the engagement from."""
    engagement = get_object_or_404(Engagement.objects.select_related("account"), pk=engagement_pk)
    return render(request, "documents/pick_template.html", {
        "engagement": engagement,
        "templates": queries.templates(),
        "phase": request.GET.get("phase", "") if request.GET.get("phase", "").isdigit() else "",
        "can_add": rules.can_add_documents(request.user, engagement),
    })
