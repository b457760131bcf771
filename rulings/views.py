"""The rulings pages (SPEC RUL-1, RUL-2, DOC-1): thin views over selectors and services.

List and detail need *view requests*; creating, editing, submitting, withdrawing,
answering and asking a change need *edit requests* (DELEG-3). A new request belongs to
the program account the person works in (the header's switcher).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carm_portal.audit import client_ip
from carm_portal.forms import sort_headers
from carm_portal.paging import CountedPaginator
from carm_portal.ratelimit import over_limit, too_many
from delegation.access import Perm, access_for, requires
from rulings import attachments, selectors, services
from rulings.forms import (
    DETAIL_LABELS,
    PAGE_SIZES,
    ContextForm,
    MessageForm,
    RulingSearchForm,
    details_form_class,
)
from rulings.models import DETAIL_FIELDS, Ruling, TransitionNotAllowed

COLUMNS = [
    ("case", gettext_lazy("Case number")),
    ("type", gettext_lazy("Type")),
    ("status", gettext_lazy("Status")),
    ("submitted", gettext_lazy("Submission date")),
    ("target", gettext_lazy("Target date")),
    ("account", gettext_lazy("Program account")),
]
STEPS = [
    ("context", gettext_lazy("Context")),
    ("details", gettext_lazy("Details")),
    ("attachments", gettext_lazy("Attachments")),
]


def _refused(request, ruling: Ruling):
    messages.error(
        request,
        _("This cannot be done while the request's status is %(status)s.")
        % {"status": ruling.get_status_display()},
    )
    return redirect("rulings:detail", pk=ruling.pk)


@require_GET
@never_cache
@requires(Perm.VIEW_REQUESTS)
def ruling_list(request):
    """RUL-1: the business's requests, of every program account of it the person may
    see requests on. A constant number of queries whatever their number: the header's, a
    count and the page's rows."""
    form = RulingSearchForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    scope = access_for(request).account_filter(Perm.VIEW_REQUESTS, via="program_account")
    rows = selectors.ruling_list(
        rulings=Ruling.objects.filter(scope, business=request.acting.business),
        start=data.get("start"),
        end=data.get("end"),
        words=data.get("q", ""),
        sort=data.get("sort", ""),
    )
    page = None
    query = {}
    if valid:
        paginator = CountedPaginator(rows, data.get("per_page") or PAGE_SIZES[0])
        page = paginator.get_page(request.GET.get("page"))
        query = form.query() if form.is_bound else {}
    columns = sort_headers(COLUMNS, query=query, sort=data.get("sort", ""))
    return render(
        request,
        "rulings/list.html",
        {
            "form": form,
            "page": page,
            "columns": columns,
            "query": urlencode(query),
            "account": request.acting.account,
            "can_edit": request.acting.can(Perm.EDIT_REQUESTS),
        },
    )


def _steps(current: str, ruling: Ruling | None) -> list[dict]:
    index = [key for key, _label in STEPS].index(current)
    return [
        {
            "label": label,
            "number": n + 1,
            "state": "current" if n == index else ("done" if n < index else ""),
            "url": reverse(f"rulings:{key}", args=[ruling.pk]) if ruling and n < index else "",
        }
        for n, (key, label) in enumerate(STEPS)
    ]


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.EDIT_REQUESTS)
def ruling_new(request):
    """Step 1 of a new request: saving it creates the draft and its case number."""
    form = ContextForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ruling = services.ruling_create(
            program_account=request.acting.account,
            actor=request.user,
            context=form.context(),
            audit=request.audit,
        )
        if "save_draft" in request.POST:
            messages.success(
                request, _("Draft saved with case number %(case)s.") % {"case": ruling.case_number}
            )
            return redirect("rulings:list")
        return redirect("rulings:details", pk=ruling.pk)
    return render(
        request,
        "rulings/step_context.html",
        {"form": form, "ruling": None, "steps": _steps("context", None)},
    )


def _draft_or_detail(request):
    ruling = request.acting.object
    if not ruling.editable:
        return None, _refused(request, ruling)
    return ruling, None


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.EDIT_REQUESTS, model=Ruling, via="program_account")
def ruling_context(request, pk: int):
    """Step 1 of a draft, again: everything typed is there."""
    ruling, refused = _draft_or_detail(request)
    if refused:
        return refused
    form = ContextForm(request.POST or None, instance=ruling)
    if request.method == "POST" and form.is_valid():
        services.ruling_context_update(
            ruling=ruling, actor=request.user, context=form.context(), audit=request.audit
        )
        if "save_draft" in request.POST:
            messages.success(request, _("Draft %(case)s saved.") % {"case": ruling.case_number})
            return redirect("rulings:list")
        return redirect("rulings:details", pk=ruling.pk)
    # The form saves nothing itself (a ModelForm's instance changes while it validates).
    ruling.refresh_from_db()
    return render(
        request,
        "rulings/step_context.html",
        {"form": form, "ruling": ruling, "steps": _steps("context", ruling)},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.EDIT_REQUESTS, model=Ruling, via="program_account")
def ruling_details(request, pk: int):
    """Step 2: the fields of the request's type. *Save as draft* keeps an incomplete
    step; *Next* needs every required field."""
    ruling, refused = _draft_or_detail(request)
    if refused:
        return refused
    draft = "save_draft" in request.POST or "previous" in request.POST
    form = details_form_class(ruling.kind)(request.POST or None, instance=ruling, draft=draft)
    if request.method == "POST" and form.is_valid():
        services.ruling_details_update(
            ruling=ruling, actor=request.user, details=form.details(), audit=request.audit
        )
        if "previous" in request.POST:
            return redirect("rulings:context", pk=ruling.pk)
        if "save_draft" in request.POST:
            messages.success(request, _("Draft %(case)s saved.") % {"case": ruling.case_number})
            return redirect("rulings:list")
        return redirect("rulings:attachments", pk=ruling.pk)
    ruling.refresh_from_db()
    return render(
        request,
        "rulings/step_details.html",
        {"form": form, "ruling": ruling, "steps": _steps("details", ruling)},
    )


@require_GET
@never_cache
@requires(Perm.EDIT_REQUESTS, model=Ruling, via="program_account")
def ruling_attachments(request, pk: int):
    """The attachments of a draft (DOC-1): the documents of its case, the upload page
    with the case number filled in, then *Submit*."""
    ruling, refused = _draft_or_detail(request)
    if refused:
        return refused
    return render(
        request,
        "rulings/step_attachments.html",
        {
            "ruling": ruling,
            "steps": _steps("attachments", ruling),
            "documents": attachments.case_documents(ruling),
            "upload_url": attachments.upload_url(ruling),
            "missing": services.ruling_missing_details(ruling=ruling),
        },
    )


@require_POST
@requires(Perm.EDIT_REQUESTS, model=Ruling, via="program_account")
def ruling_submit(request, pk: int):
    ruling = request.acting.object
    try:
        services.ruling_submit(ruling=ruling, actor=request.user, audit=request.audit)
    except TransitionNotAllowed:
        return _refused(request, ruling)
    except services.IncompleteRequest:
        messages.error(request, _("Complete the details of the request before submitting it."))
        return redirect("rulings:details", pk=ruling.pk)
    messages.success(
        request,
        _("Your ruling request %(case)s was submitted to the CBSA.") % {"case": ruling.case_number},
    )
    return redirect("rulings:detail", pk=ruling.pk)


@require_GET
@never_cache
@requires(Perm.VIEW_REQUESTS, model=Ruling, via="program_account")
def ruling_detail(request, pk: int):
    """RUL-2: everything submitted, its documents, the status history, the decision."""
    ruling = selectors.ruling_detail(rulings=Ruling.objects.all(), pk=request.acting.object.pk)
    # what the requester typed is in their language; its element says which.
    typed_in = ruling.created_by.preferred_language if ruling.created_by else ""
    details = [
        {
            "label": DETAIL_LABELS[name],
            "value": _display(ruling, name),
            "lang": typed_in if _typed(ruling, name) else "",
        }
        for name, _required in DETAIL_FIELDS[ruling.kind]
    ]
    return render(
        request,
        "rulings/detail.html",
        {
            "ruling": ruling,
            "details": details,
            "events": list(ruling.events.all()),
            "documents": attachments.case_documents(ruling),
            "upload_url": attachments.upload_url(ruling),
            "can_edit": request.acting.can(Perm.EDIT_REQUESTS),
        },
    )


def _typed(ruling: Ruling, name: str) -> bool:
    """A value the requester typed (not a choice, a country, a date or yes/no)."""
    value = getattr(ruling, name)
    return isinstance(value, str) and bool(value) and not hasattr(ruling, f"get_{name}_display")


def _display(ruling: Ruling, name: str):
    value = getattr(ruling, name)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "country_of_origin":
        return value.name if value else ""
    display = getattr(ruling, f"get_{name}_display", None)
    return display() if display else value


def _message_view(request, *, transition: str, template: str, label, help_text, done):
    ruling = request.acting.object
    allowed = {"answer": ruling.can_answer, "request_change": ruling.can_request_change}
    if not allowed[transition]:
        return _refused(request, ruling)
    form = MessageForm(request.POST or None, label=label, help_text=help_text)
    if request.method == "POST" and form.is_valid():
        service = getattr(services, f"ruling_{transition}")
        try:
            service(
                ruling=ruling,
                actor=request.user,
                message=form.cleaned_data["message"],
                audit=request.audit,
            )
        except TransitionNotAllowed:
            return _refused(request, ruling)
        messages.success(request, done)
        return redirect("rulings:detail", pk=ruling.pk)
    return render(request, template, {"ruling": ruling, "form": form})


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.EDIT_REQUESTS, model=Ruling, via="program_account")
def ruling_answer(request, pk: int):
    """Answer the CBSA's request for information (back to *Assigned*)."""
    return _message_view(
        request,
        transition="answer",
        template="rulings/answer.html",
        label=_("Your answer"),
        help_text=_("To add documents, upload them to the case before you send your answer."),
        done=_("Your answer was sent to the CBSA."),
    )


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.EDIT_REQUESTS, model=Ruling, via="program_account")
def ruling_request_change(request, pk: int):
    """Ask a change of a rendered decision (RUL-2: only then)."""
    return _message_view(
        request,
        transition="request_change",
        template="rulings/request_change.html",
        label=_("What should change, and why"),
        help_text=None,
        done=_("Your request for a change was sent to the CBSA."),
    )


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.EDIT_REQUESTS, model=Ruling, via="program_account")
def ruling_withdraw(request, pk: int):
    """Withdraw a submitted request (RUL-2): a confirmation page, then the change."""
    ruling = request.acting.object
    if not ruling.can_withdraw:
        return _refused(request, ruling)
    if request.method == "POST":
        try:
            services.ruling_withdraw(ruling=ruling, actor=request.user, audit=request.audit)
        except TransitionNotAllowed:
            return _refused(request, ruling)
        messages.success(
            request, _("The request %(case)s was withdrawn.") % {"case": ruling.case_number}
        )
        return redirect("rulings:detail", pk=ruling.pk)
    return render(request, "rulings/withdraw.html", {"ruling": ruling})


@require_GET
def published(request):
    """Published decisions (beyond the guide): anyone may search them; nothing about
    the requester is read or shown. Throttled per address (SEC-6): the search reads
    the decisions' full text."""
    wait = over_limit(
        "rulings-search", client_ip(request), limit=settings.RULINGS_SEARCH_PER_MINUTE, window=60
    )
    if wait:
        return too_many(
            request, wait, _("Too many searches came from your connection. Please wait a minute.")
        )
    words = " ".join(request.GET.get("q", "").replace("\x00", " ").split())[:100]
    kind = request.GET.get("type", "")
    if kind not in Ruling.Kind.values:
        kind = ""
    paginator = Paginator(selectors.published_rulings(words=words, kind=kind), 10)
    page = paginator.get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in {"q": words, "type": kind}.items() if v})
    return render(
        request,
        "rulings/published.html",
        {"page": page, "q": words, "kind": kind, "kinds": Ruling.Kind.choices, "query": query},
    )
