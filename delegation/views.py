"""Configure my portal (SPEC HOME-4): thin views over delegation.services; every view
declares its permission with ``delegation.access.requires``."""

from __future__ import annotations

import csv
import datetime
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from delegation import selectors, services
from delegation.access import Perm, requires
from delegation.forms import (
    EmployeeApproveForm,
    EmployeeChangeForm,
    EmployeeRejectForm,
    EmployeesBulkApproveForm,
    HistorySearchForm,
)
from delegation.models import Employment
from delegation.services import Reach

# --- Employees (DELEG-1) and delegation history (DELEG-6) ---------------------------------

PAGE_SIZE = 25


def _reach(request) -> Reach:
    return Reach.of(request.acting.grant)


def _scope_rows(rows, *, reach: Reach) -> list:
    """What the list shows of each employee: the program accounts within the manager's
    reach (a Program Account Manager sees no others) and whether they may change it."""
    for employment in rows:
        accounts = list(employment.program_accounts.all())
        ids = {a.pk for a in accounts}
        employment.scope = [
            a for a in accounts if not reach.restricted or a.pk in reach.account_ids
        ]
        employment.whole_business = (
            employment.role == Employment.Role.BUSINESS_ACCOUNT_MANAGER or not accounts
        )
        employment.manageable = reach.manages(role=employment.role, account_ids=ids)
    return rows


def _employees_page(request, *, bulk_form=None, status: int = 200):
    reach = _reach(request)
    business = request.acting.business
    rows = selectors.employees_visible(business_id=business.pk, account_ids=reach.account_ids)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _scope_rows(selectors.employee_page_rows(page.object_list), reach=reach)
    pending = list(selectors.pending_requests(business_id=business.pk))
    if bulk_form is None:
        bulk_form = EmployeesBulkApproveForm(
            reach=reach, pending=selectors.pending_requests(business_id=business.pk)
        )
    selected = {str(v) for v in bulk_form["requests"].value() or []}
    return render(
        request,
        "delegation/employees.html",
        {
            "business": business,
            "page": page,
            "pending": pending,
            "selected": selected,
            "bulk_form": bulk_form,
            "single_manager": selectors.business_manager_count(business_id=business.pk) == 1,
            "reach": reach,
            "can_view_history": request.acting.can(Perm.VIEW_DELEGATION_HISTORY),
        },
        status=status,
    )


@require_GET
@never_cache
@requires(Perm.MANAGE_EMPLOYEES)
def employees(request):
    """DELEG-1: the employees (role, scope, status) and the pending access requests."""
    return _employees_page(request)


@require_POST
@requires(Perm.MANAGE_EMPLOYEES)
def employees_bulk_approve(request):
    """DELEG-5 (bulk for brokers): approve the selected pending requests in one role."""
    reach = _reach(request)
    business = request.acting.business
    form = EmployeesBulkApproveForm(
        request.POST, reach=reach, pending=selectors.pending_requests(business_id=business.pk)
    )
    if not form.is_valid():
        return _employees_page(request, bulk_form=form)
    try:
        count = services.employments_bulk_approve(
            employments=form.cleaned_data["requests"],
            role=form.cleaned_data["role"],
            program_accounts=form.cleaned_data["program_accounts"],
            reach=reach,
            request=request,
        )
    except services.DelegationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s access request was approved.",
                "%(count)s access requests were approved.",
                count,
            )
            % {"count": count},
        )
    return redirect("delegation:employees")


def _pending_request(request) -> Employment:
    employment = request.acting.object
    if employment.status != Employment.Status.PENDING:
        raise Http404
    return employment


def _request_page(request, employment, *, approve_form=None, reject_form=None):
    reach = _reach(request)
    return render(
        request,
        "delegation/employees_request.html",
        {
            "employment": employment,
            "approve_form": approve_form or EmployeeApproveForm(reach=reach),
            "reject_form": reject_form or EmployeeRejectForm(),
        },
    )


@require_GET
@never_cache
@requires(Perm.MANAGE_EMPLOYEES, model=Employment, via="business")
def employee_request(request, pk: int):
    """DELEG-1: a pending access request's details (the requester's comment), with the
    forms to approve or reject it."""
    return _request_page(request, _pending_request(request))


def _answer(request, step, **kwargs):
    try:
        step(employment=request.acting.object, reach=_reach(request), request=request, **kwargs)
    except services.DelegationError as error:
        messages.error(request, str(error))
        return False
    return True


@require_POST
@requires(Perm.MANAGE_EMPLOYEES, model=Employment, via="business")
def employee_approve(request, pk: int):
    employment = request.acting.object
    form = EmployeeApproveForm(request.POST, reach=_reach(request))
    if employment.status == Employment.Status.PENDING and not form.is_valid():
        return _request_page(request, employment, approve_form=form)
    data = form.cleaned_data if form.is_valid() else {"role": "", "program_accounts": []}
    if _answer(
        request,
        services.employment_approve,
        role=data["role"],
        program_accounts=data["program_accounts"],
    ):
        messages.success(
            request,
            _("The access request of %(person)s was approved.") % {"person": _name(employment)},
        )
    return redirect("delegation:employees")


@require_POST
@requires(Perm.MANAGE_EMPLOYEES, model=Employment, via="business")
def employee_reject(request, pk: int):
    employment = request.acting.object
    form = EmployeeRejectForm(request.POST)
    if employment.status == Employment.Status.PENDING and not form.is_valid():
        return _request_page(request, employment, reject_form=form)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if _answer(request, services.employment_reject, reason=reason):
        messages.success(
            request,
            _("The access request of %(person)s was refused.") % {"person": _name(employment)},
        )
    return redirect("delegation:employees")


def _name(employment: Employment) -> str:
    return employment.user.get_full_name() or employment.user.get_username()


def _active_employee(request) -> tuple[Employment, Reach]:
    """An active employee the manager sees (else 404) and may change (else 403)."""
    employment, reach = request.acting.object, _reach(request)
    if employment.status != Employment.Status.ACTIVE:
        raise Http404
    ids = set(employment.program_accounts.values_list("pk", flat=True))
    if not reach.sees(role=employment.role, account_ids=ids):
        raise Http404
    if not reach.manages(role=employment.role, account_ids=ids):
        raise PermissionDenied
    return employment, reach


@never_cache
@requires(Perm.MANAGE_EMPLOYEES, model=Employment, via="business")
def employee_change(request, pk: int):
    """DELEG-1: change an employee's role and program accounts."""
    employment, reach = _active_employee(request)
    form = EmployeeChangeForm(
        request.POST or None,
        reach=reach,
        initial={
            "role": employment.role,
            "program_accounts": list(employment.program_accounts.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.employment_change(
                employment=employment,
                role=form.cleaned_data["role"],
                program_accounts=form.cleaned_data["program_accounts"],
                reach=reach,
                request=request,
            )
        except services.DelegationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The access of %(person)s was changed.") % {"person": _name(employment)},
            )
            return redirect("delegation:employees")
    return render(
        request, "delegation/employees_change.html", {"employment": employment, "form": form}
    )


@never_cache
@requires(Perm.MANAGE_EMPLOYEES, model=Employment, via="business")
def employee_remove(request, pk: int):
    """DELEG-1: remove an employee's access (after a confirmation page)."""
    employment, reach = _active_employee(request)
    error = None
    if request.method == "POST":
        try:
            services.employment_remove(employment=employment, reach=reach, request=request)
        except services.DelegationError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("The access of %(person)s was removed.") % {"person": _name(employment)},
            )
            return redirect("delegation:employees")
    return render(
        request,
        "delegation/employees_remove.html",
        {"employment": employment, "error": error},
    )


# --- Delegation history (DELEG-6) -----------------------------------------------------------

ACTION_LABELS = {
    "employment.approved": gettext_lazy("Access request approved"),
    "employment.rejected": gettext_lazy("Access request refused"),
    "employment.role_changed": gettext_lazy("Employee access changed"),
    "employment.removed": gettext_lazy("Employee access removed"),
    "access_request.created": gettext_lazy("Access requested"),
    "access_request.cancelled": gettext_lazy("Access request cancelled"),
}
FAMILY_LABELS = {
    "employment": gettext_lazy("Employees"),
    "access_request": gettext_lazy("Access requests"),
    "relationship": gettext_lazy("Business relationships"),
    "client_group": gettext_lazy("Client groups"),
    "client_assignment": gettext_lazy("Client assignments"),
}


def action_label(code: str) -> str:
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    family, _dot, rest = code.partition(".")
    if family in FAMILY_LABELS:
        return f"{FAMILY_LABELS[family]} – {rest.replace('_', ' ')}"
    return code


def _history_search(request):
    business = request.acting.business
    form = HistorySearchForm(
        {name: request.GET.get(name, "")[:40] for name in HistorySearchForm.PARAMETERS},
        people=selectors.delegation_history_people(business_id=business.pk),
        actions=[
            (code, action_label(code))
            for code in selectors.delegation_history_actions(business_id=business.pk)
        ],
    )
    rows = None
    if form.is_valid():
        data = form.cleaned_data
        rows = selectors.delegation_history(
            business_id=business.pk,
            start=data["start"],
            end=data["end"],
            actor_id=data["person"],
            action=data["action"],
        )
    return form, rows


def _details(entry) -> str:
    """A short line of what changed: the person concerned, role and scope before/after."""
    changes = entry.changes or {}
    parts = []
    if changes.get("person"):
        parts.append(str(changes["person"]))
    before, after = changes.get("before") or {}, changes.get("after") or {}
    for key, label in (("role", _("role")), ("accounts", _("program accounts"))):
        old, new = before.get(key), after.get(key)
        if new is not None and new != old:
            parts.append(f"{label}: {_state_text(key, old)} → {_state_text(key, new)}")
    if changes.get("reason"):
        parts.append(_("reason: %(reason)s") % {"reason": changes["reason"]})
    return "; ".join(parts)


def _state_text(key: str, value) -> str:
    if value is None:
        return "–"
    if key == "role":
        return str(dict(Employment.Role.choices).get(value, value))
    if value == ["all"]:
        return _("all")
    return ", ".join(value)


@require_GET
@never_cache
@requires(Perm.VIEW_DELEGATION_HISTORY)
def history(request):
    """DELEG-6: the delegation changes of the business, filtered, a page at a time."""
    form, rows = _history_search(request)
    page = None
    if rows is not None:
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        for entry in page.object_list:
            entry.label = action_label(entry.action)
            entry.details = _details(entry)
    query = urlencode(form.query()) if rows is not None else ""
    return render(
        request,
        "delegation/history.html",
        {"form": form, "page": page, "query": query, "business": request.acting.business},
    )


class _Echo:
    def write(self, value):
        return value


@require_GET
@never_cache
@requires(Perm.VIEW_DELEGATION_HISTORY)
def history_csv(request):
    """DELEG-6: the same search as CSV, dates in ISO 8601 (UTC)."""
    form, rows = _history_search(request)
    if rows is None:
        return HttpResponseBadRequest(_("The search is not valid."))
    writer = csv.writer(_Echo())
    header = ["time_utc", "actor", "actor_name", "action", "business_bn9", "acting_for_bn9"]
    header += ["address", "details", "changes"]

    def lines():
        yield writer.writerow(header)
        for entry in rows.iterator(chunk_size=500):
            actor = entry.actor
            yield writer.writerow(
                [
                    entry.created_at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
                    actor.get_username() if actor else entry.subject,
                    actor.get_full_name() if actor else "",
                    entry.action,
                    entry.business.bn9 if entry.business else "",
                    entry.acting_for.bn9 if entry.acting_for else "",
                    entry.ip_address or "",
                    _details(entry),
                    json.dumps(entry.changes, ensure_ascii=False, sort_keys=True),
                ]
            )

    business = request.acting.business
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"delegation-history-{business.bn9}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- end of employees ---------------------------------------------------------------------


# --- Relationships, assignments, client groups (DELEG-2, DELEG-4, DELEG-5) -----------------


# --- end of relationships -----------------------------------------------------------------
