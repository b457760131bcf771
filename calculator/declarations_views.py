"""The pages of the commercial accounting declarations (SPEC DECL-1 … DECL-6): thin views
over ``declarations_selectors`` and ``declarations_services``.

The list and a CAD's page need *view declarations*; creating, editing, submitting,
correcting and uploading lines need *submit declarations* (DELEG-3: a customs broker's
employee acting for its client, on the accounts it may act for). A new CAD belongs to
the program account the person works in (the header's switcher).
"""

from __future__ import annotations

import itertools
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calculator import declarations_selectors as selectors
from calculator import declarations_services as services
from calculator.declarations_forms import (
    BLANK_LINES,
    CSV_COLUMNS,
    PAGE_SIZES,
    ChangeReasonForm,
    DeclarationSearchForm,
    HeaderForm,
    LineFormSet,
    LinesUploadForm,
    csv_lines,
)
from calculator.models import Declaration, DeclarationLine, DeclarationVersion
from carm_portal import formatting
from carm_portal.exports import csv_response
from carm_portal.forms import sort_headers
from carm_portal.workflow import TransitionNotAllowed
from delegation.access import Perm, requires

COLUMNS = [
    ("number", gettext_lazy("Transaction number")),
    ("release", gettext_lazy("Release date")),
    ("port", gettext_lazy("Port of entry")),
    ("status", gettext_lazy("Status")),
    ("due", gettext_lazy("Due date")),
    ("total", gettext_lazy("Total")),
]
FIGURES = ("vfd", "duty", "sima", "excise", "gst", "total")


def _search(request):
    form = DeclarationSearchForm.from_query(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    rows = selectors.declaration_list(
        account=request.acting.account,
        number=data.get("number", ""),
        start=data.get("start"),
        end=data.get("end"),
        status=data.get("status", ""),
        port=data.get("port", ""),
        classification=data.get("classification", ""),
        sort=data.get("sort", ""),
    )
    return form, valid, data, rows


@require_GET
@never_cache
@requires(Perm.VIEW_DECLARATIONS)
def declaration_list(request):
    """DECL-5: the current program account's CADs; a count and one page of rows."""
    form, valid, data, rows = _search(request)
    page, query = None, {}
    if valid:
        cap = selectors.CLASSIFICATION_COUNT_CAP if data.get("classification") else None
        paginator = selectors.DeclarationPaginator(
            rows, data.get("per_page") or PAGE_SIZES[0], **({"cap": cap} if cap else {})
        )
        page = paginator.get_page(request.GET.get("page"))
        query = form.query()
    return render(
        request,
        "declarations/list.html",
        {
            "form": form,
            "page": page,
            "columns": sort_headers(COLUMNS, query=query, sort=data.get("sort", "")),
            "query": urlencode(query),
            "account": request.acting.account,
            "can_submit": request.acting.can(Perm.SUBMIT_DECLARATIONS),
        },
    )


@require_GET
@never_cache
@requires(Perm.VIEW_DECLARATIONS)
def declaration_csv(request):
    """DECL-5: the search's rows as CSV (formula-safe)."""
    form, valid, _data, rows = _search(request)
    if not valid:
        return redirect(reverse("declarations:list") + "?" + request.GET.urlencode())
    header = [
        _("Transaction number"),
        _("Release date"),
        _("Port of entry"),
        _("Vendor"),
        _("Status"),
        _("Late"),
        _("Due date"),
        _("Total"),
        _("Submitted by the service provider"),
    ]
    data = (
        [
            cad.transaction_number,
            cad.release_date.isoformat() if cad.release_date else "",
            cad.port_code,
            cad.vendor_name,
            cad.get_status_display(),
            _("Yes") if cad.is_late else "",
            cad.due_date.isoformat() if cad.due_date else "",
            f"{cad.total:.2f}",
            cad.submitted_by_provider.display_name if cad.submitted_by_provider else "",
        ]
        for cad in rows.iterator(chunk_size=2000)
    )
    return csv_response(
        itertools.chain([header], data), f"declarations-{request.acting.account.full_reference}.csv"
    )


def _initial_lines(lines: list[dict], more: int = BLANK_LINES) -> list[dict]:
    return [*lines, *({} for _n in range(more))]


def _apply_errors(header_form, formset, invalid: services.DeclarationInvalid) -> None:
    """Put the engine's answers next to the fields they are about (DECL-2)."""
    for name, errors in invalid.header.items():
        target = name if name in header_form.fields else None
        for message in errors:
            header_form.add_error(target, str(message))
    forms = [form for form in formset.forms if not form.is_blank]
    for index, fields in invalid.lines.items():
        if index < len(forms):
            for name, errors in fields.items():
                for message in errors:
                    forms[index].add_error(name, str(message))


def _figures_rows(lines: list[dict], figures) -> list[dict]:
    rows = []
    for position, (line, result) in enumerate(zip(lines, figures, strict=False), start=1):
        rows.append({"position": position, "line": line, "figures": result})
    return rows


def _totals(figures) -> dict | None:
    if not figures or any(f is None for f in figures):
        return None
    return {name: sum(getattr(f, name) for f in figures) for name in FIGURES}


def _render_form(request, *, declaration, header_form, formset, figures=None, lines=None, **extra):
    context = {
        "declaration": declaration,
        "header_form": header_form,
        "formset": formset,
        "figures": _figures_rows(lines or [], figures) if figures else None,
        "totals": _totals(figures),
        "max_lines": services.MAX_LINES,
        "action_url": (
            reverse("declarations:edit", args=[declaration.pk])
            if declaration
            else reverse("declarations:new")
        ),
        **extra,
    }
    return render(request, "declarations/form.html", context)


def _draft_page(request, declaration: Declaration | None):
    """The draft's header and lines: *Save draft* keeps whatever is typed; *Calculate*
    shows each line's figures; *Submit* computes, freezes and posts (DECL-2, DECL-3)."""
    more = BLANK_LINES
    if request.method == "GET":
        version = declaration.current_version if declaration else None
        header = (
            {n: getattr(version, n) for n in DeclarationVersion.HEADER_FIELDS} if version else {}
        )
        lines = services.version_lines(version) if version else []
        if request.GET.get("more") == "10":
            more = 10
        header_form = HeaderForm(initial=header)
        formset = LineFormSet(prefix="lines", initial=_initial_lines(lines, more))
        return _render_form(
            request, declaration=declaration, header_form=header_form, formset=formset
        )
    header_form = HeaderForm(request.POST)
    formset = LineFormSet(request.POST, prefix="lines")
    if not (header_form.is_valid() and formset.is_valid()):
        return _render_form(
            request, declaration=declaration, header_form=header_form, formset=formset
        )
    header, lines = header_form.header(), formset.lines()
    try:
        declaration = services.draft_save(
            program_account=request.acting.account,
            declaration=declaration,
            header=header,
            lines=lines,
            actor=request.user,
            audit=request.audit,
        )
    except services.DeclarationInvalid as invalid:
        _apply_errors(header_form, formset, invalid)
        return _render_form(
            request, declaration=declaration, header_form=header_form, formset=formset
        )
    except TransitionNotAllowed:
        messages.error(
            request, _("This declaration was submitted already: it is no longer a draft.")
        )
        return redirect("declarations:detail", pk=declaration.pk)
    if "add_lines" in request.POST:
        return redirect(reverse("declarations:edit", args=[declaration.pk]) + "?more=10")
    if "submit" in request.POST:
        try:
            declaration = services.declaration_submit(
                declaration=declaration, actor=request.user, audit=request.audit
            )
        except services.DeclarationInvalid as invalid:
            _apply_errors(header_form, formset, invalid)
            figures, _invalid = services.lines_compute(header=header, lines=lines)
            return _render_form(
                request,
                declaration=declaration,
                header_form=header_form,
                formset=formset,
                figures=figures,
                lines=lines,
                not_submitted=True,
            )
        messages.success(
            request,
            _(
                "Declaration %(number)s submitted. Its total, %(total)s, was posted to the "
                "program account."
            )
            % {
                "number": declaration.transaction_number,
                "total": formatting.money(declaration.total),
            },
        )
        return redirect("declarations:detail", pk=declaration.pk)
    if "calculate" in request.POST:
        figures, invalid = services.lines_compute(header=header, lines=lines)
        if invalid is not None:
            _apply_errors(header_form, formset, invalid)
        return _render_form(
            request,
            declaration=declaration,
            header_form=header_form,
            formset=formset,
            figures=figures,
            lines=lines,
        )
    messages.success(
        request,
        _("Draft %(number)s saved.") % {"number": declaration.transaction_number},
    )
    return redirect("declarations:edit", pk=declaration.pk)


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.SUBMIT_DECLARATIONS)
def declaration_new(request):
    """DECL-1: a new CAD on the current program account; saving it issues its number."""
    return _draft_page(request, None)


def _refused(request, declaration: Declaration):
    messages.error(
        request,
        _("This cannot be done while the declaration's status is %(status)s.")
        % {"status": declaration.get_status_display()},
    )
    return redirect("declarations:detail", pk=declaration.pk)


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.SUBMIT_DECLARATIONS, model=Declaration)
def declaration_edit(request, pk: int):
    declaration = request.acting.object
    if not declaration.editable:
        return _refused(request, declaration)
    return _draft_page(request, declaration)


@require_GET
@never_cache
@requires(Perm.VIEW_DECLARATIONS, model=Declaration)
def declaration_detail(request, pk: int):
    """A CAD: its version in force with each line's figures, its status and due dates,
    the transactions it posted, and every version with what changed (DECL-4)."""
    declaration = selectors.declaration_detail(pk=pk)
    history = selectors.declaration_history(declaration)
    pending = next((v for v, _c in history if v.status == DeclarationVersion.Status.PENDING), None)
    return render(
        request,
        "declarations/detail.html",
        {
            "declaration": declaration,
            "version": declaration.current_version,
            "lines": list(declaration.current_version.lines.all())
            if declaration.current_version
            else [],
            "history": history,
            "pending": pending,
            "can_submit": request.acting.can(Perm.SUBMIT_DECLARATIONS),
            "is_correction": services.is_correction(declaration),
            "for_client": request.acting.for_client,
        },
    )


@require_GET
@never_cache
@requires(Perm.VIEW_DECLARATIONS)
def declaration_by_number(request, number: str):
    """The CAD of a transaction number on the current account (the transaction history
    links to it, DECL-3); a transaction with no CAD in the portal (loaded from CBSA's
    records) leads to the list searched for its number, never to a dead end."""
    base = number.split("-")[0]
    declaration = (
        Declaration.objects.filter(program_account=request.acting.account, transaction_number=base)
        .only("pk")
        .first()
    )
    if declaration is None:
        query = urlencode({"number": base}) if base.isdigit() else ""
        return redirect(reverse("declarations:list") + (f"?{query}" if query else ""))
    return redirect("declarations:detail", pk=declaration.pk)


@require_POST
@never_cache
@requires(Perm.SUBMIT_DECLARATIONS, model=Declaration)
def declaration_cancel(request, pk: int):
    declaration = request.acting.object
    try:
        services.draft_cancel(declaration=declaration, actor=request.user, audit=request.audit)
    except TransitionNotAllowed:
        return _refused(request, declaration)
    messages.success(
        request, _("Draft %(number)s cancelled.") % {"number": declaration.transaction_number}
    )
    return redirect("declarations:list")


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.SUBMIT_DECLARATIONS, model=Declaration)
def declaration_change(request, pk: int):
    """DECL-4: a new version of a submitted CAD. Before the payment due date a correction
    (accepted at once, its difference posted); after it an adjustment for CBSA."""
    declaration = request.acting.object
    if not declaration.changeable:
        return _refused(request, declaration)
    correction = services.is_correction(declaration)
    extra = {"change": True, "is_correction": correction}
    if request.method == "GET":
        version = declaration.current_version
        header_form = HeaderForm(
            initial={n: getattr(version, n) for n in DeclarationVersion.HEADER_FIELDS}
        )
        formset = LineFormSet(
            prefix="lines", initial=_initial_lines(services.version_lines(version))
        )
        return _render_change(request, declaration, header_form, formset, ChangeReasonForm(), extra)
    header_form = HeaderForm(request.POST)
    formset = LineFormSet(request.POST, prefix="lines")
    reason_form = ChangeReasonForm(request.POST)
    forms_valid = header_form.is_valid() and formset.is_valid()
    if not forms_valid:
        reason_form.is_valid()
        return _render_change(request, declaration, header_form, formset, reason_form, extra)
    header, lines = header_form.header(), formset.lines()
    figures, invalid = services.lines_compute(header=header, lines=lines)
    if invalid is not None:
        _apply_errors(header_form, formset, invalid)
    if "calculate" in request.POST or invalid is not None or not reason_form.is_valid():
        return _render_change(
            request, declaration, header_form, formset, reason_form, extra, figures, lines
        )
    try:
        version = services.declaration_change(
            declaration=declaration,
            header=header,
            lines=lines,
            reason=reason_form.cleaned_data["reason"],
            actor=request.user,
            audit=request.audit,
        )
    except services.DeclarationInvalid as invalid:
        _apply_errors(header_form, formset, invalid)
        return _render_change(request, declaration, header_form, formset, reason_form, extra)
    except TransitionNotAllowed:
        return _refused(request, declaration)
    if version.kind == DeclarationVersion.Kind.CORRECTION:
        text = _(
            "Correction accepted: version %(version)s of %(number)s. The difference, "
            "%(difference)s, was posted to the program account."
        )
    else:
        text = _(
            "Adjustment requested: version %(version)s of %(number)s waits for the CBSA's "
            "approval. The difference, %(difference)s, will be posted only if it is approved."
        )
    messages.success(
        request,
        text
        % {
            "version": version.number,
            "number": declaration.transaction_number,
            "difference": formatting.money(version.difference),
        },
    )
    return redirect("declarations:detail", pk=declaration.pk)


def _render_change(
    request, declaration, header_form, formset, reason_form, extra, figures=None, lines=None
):
    return render(
        request,
        "declarations/form.html",
        {
            "declaration": declaration,
            "header_form": header_form,
            "formset": formset,
            "reason_form": reason_form,
            "figures": _figures_rows(lines or [], figures) if figures else None,
            "totals": _totals(figures),
            "max_lines": services.MAX_LINES,
            "action_url": reverse("declarations:change", args=[declaration.pk]),
            **extra,
        },
    )


def _engine_errors(header: dict, numbered: list[tuple[int, dict]]) -> list[tuple[int, str]]:
    """The engine's answer for each well-formed row, as (row number, reason); the
    header's errors as row 1's (the file is computed with the draft's header)."""
    _figures, invalid = services.lines_compute(header=header, lines=[line for _n, line in numbered])
    if invalid is None:
        return []
    errors = []
    for name, messages_ in invalid.header.items():
        label = DeclarationVersion._meta.get_field(name).verbose_name if name != "__all__" else ""
        for message in messages_:
            errors.append((1, f"{label}: {message}" if label else str(message)))
    for index, fields in sorted(invalid.lines.items()):
        reasons = [
            f"{DeclarationLine._meta.get_field(name).verbose_name}: "
            + " ".join(str(m) for m in msgs)
            for name, msgs in fields.items()
        ]
        errors.append((numbered[index][0], "; ".join(reasons)))
    return errors


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.SUBMIT_DECLARATIONS, model=Declaration)
def declaration_upload(request, pk: int):
    """DECL-6: the draft's lines from a CSV file. Every bad row is listed with its number
    and reason; the lines replace the draft's only when every row is good and every line
    can be computed (nothing is posted before the draft is submitted)."""
    declaration = request.acting.object
    if not declaration.editable:
        return _refused(request, declaration)
    form = LinesUploadForm(request.POST or None, request.FILES or None)
    row_errors: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        numbered, row_errors = csv_lines(form.cleaned_data["file"])
        version = declaration.current_version
        header = {n: getattr(version, n) for n in DeclarationVersion.HEADER_FIELDS}
        lines = [line for _n, line in numbered]
        if lines:
            row_errors += _engine_errors(header, numbered)
        if not row_errors:
            services.draft_save(
                program_account=declaration.program_account,
                declaration=declaration,
                header=header,
                lines=lines,
                actor=request.user,
                audit=request.audit,
            )
            messages.success(
                request,
                _("%(count)s lines loaded into draft %(number)s.")
                % {"count": len(lines), "number": declaration.transaction_number},
            )
            return redirect("declarations:edit", pk=declaration.pk)
    return render(
        request,
        "declarations/upload.html",
        {
            "declaration": declaration,
            "form": form,
            "row_errors": sorted(row_errors),
            "columns": CSV_COLUMNS,
            "max_lines": services.MAX_LINES,
        },
    )
