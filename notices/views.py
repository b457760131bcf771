"""The notices pages (SPEC NOTE-2, NOTE-3): thin views over selectors and services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from delegation.access import Perm
from notices import selectors, services
from notices.forms import PAGE_SIZES, NoticeSearchForm


@require_GET
@never_cache
@login_required
def notice_list(request):
    """NOTE-2: date range, advanced search, 10 per page, newest first. A constant number
    of queries whatever the number of notices: a count, the page's ids, its rows."""
    form = NoticeSearchForm.from_query(request.GET)
    page = None
    query = {}
    if form.is_valid():
        rows = selectors.notice_list(user=request.user, **form.search())
        paginator = selectors.NoticePaginator(
            rows, form.cleaned_data.get("per_page") or PAGE_SIZES[0]
        )
        page = paginator.get_page(request.GET.get("page"))
        # A search that finds nothing builds no query for its rows (a millisecond of ORM).
        page.object_list = (
            selectors.notice_page_rows(page.object_list, user=request.user)
            if paginator.count
            else []
        )
        query = form.query()
    return render(
        request,
        "notices/list.html",
        {
            "form": form,
            "page": page,
            "query": urlencode(query),
            "page_query": urlencode({**query, "page": page.number}) if page else "",
        },
    )


@require_GET
@never_cache
@login_required
def notice_detail(request, pk: int):
    """NOTE-3: a notice addressed to the person (else 404); opening it marks it read.
    *Previous* returns to the list with the search and page it came from."""
    row = selectors.notice_for_recipient(user=request.user, notice_id=pk)
    if row is None:
        raise Http404
    services.notice_mark_read(recipient=row)
    back = {
        name: request.GET[name][:100]
        for name in (*NoticeSearchForm.PARAMETERS, "page")
        if request.GET.get(name)
    }
    back_url = reverse("notices:list") + (f"?{urlencode(back)}" if back else "")
    notice = row.notice
    recipient = notice.business.legal_name if notice.business else request.user.display_name
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "row": row,
            "recipient": recipient,
            "back_url": back_url,
            "action": _action_link(request, notice),
        },
    )


def _action_link(request, notice) -> dict | None:
    """LINK-2: the page where the notice's matter is handled, for those who may open it
    (the pending access requests, for the business's account managers)."""
    if notice.type.code != "delegation_pending_access" or notice.business_id is None:
        return None
    account = request.nav.account
    if account is None or account.business_id != notice.business_id:
        return None
    if not request.nav.can(Perm.MANAGE_EMPLOYEES):
        return None
    return {
        "url": reverse("delegation:employees") + "#pending-heading",
        "label": _("Manage pending access requests"),
    }
