"""Configure my portal (SPEC HOME-4): thin views over delegation.services; every view
declares its permission with ``delegation.access.requires``."""

from __future__ import annotations

import datetime
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carm_portal.exports import csv_response
from carm_portal.paging import CountedPaginator
from delegation import selectors, services
from delegation.access import (
    DelegationError,
    Perm,
    Reach,
    check_manages_employee,
    grant_accounts,
    requires,
    scope_of,
)
from delegation.forms import (
    AssignClientsForm,
    AssignmentAccountsForm,
    ChooseClientsForm,
    ClientGroupMembersForm,
    ClientGroupNameForm,
    EmployeeApproveForm,
    EmployeeChangeForm,
    EmployeeRejectForm,
    EmployeesBulkApproveForm,
    HistorySearchForm,
    RelationshipAnswerForm,
    RelationshipRequestForm,
)
from delegation.models import ClientAssignment, ClientGroup, Employment, Relationship

# --- Employees (DELEG-1) and delegation history (DELEG-6) ---------------------------------

PAGE_SIZE = 25


def _reach(request) -> Reach:
    return Reach.of(request.acting.grant)


def _scope_rows(rows, *, reach: Reach) -> list:
    """What the list shows of each employee: the program accounts within the manager's
    reach (a Program Account Manager sees no others) and whether they may change it."""
    for employment in rows:
        accounts = list(employment.program_accounts.all()) if employment.scoped else []
        ids = {a.pk for a in accounts}
        employment.scope = [
            a for a in accounts if not reach.restricted or a.pk in reach.account_ids
        ]
        employment.whole_business = scope_of(employment.role, ids) is None
        employment.manageable = reach.manages(role=employment.role, account_ids=ids)
    return rows


def _employees_page(request, *, bulk_form=None, status: int = 200):
    reach = _reach(request)
    business = request.acting.business
    rows = selectors.employees_visible(
        business_id=business.pk, account_ids=reach.account_ids
    ).annotate(managers=selectors.business_manager_count(business_id=business.pk))
    page = CountedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
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
            # Counted with the rows (never none: the person reading them is listed).
            "single_manager": bool(page.object_list) and page.object_list[0].managers == 1,
            "reach": reach,
            "can_view_history": request.acting.can(Perm.VIEW_DELEGATION_HISTORY),
            "can_manage_clients": request.acting.can(Perm.MANAGE_PROVIDER_RELATIONSHIPS),
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
            audit=request.audit,
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
        step(employment=request.acting.object, reach=_reach(request), audit=request.audit, **kwargs)
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
    return employment.user.display_name


def _active_employee(request) -> tuple[Employment, Reach]:
    """An active employee the manager sees (else 404) and may change (else 403)."""
    employment = request.acting.object
    return employment, check_manages_employee(request.acting.grant, employment)


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
                audit=request.audit,
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
            services.employment_remove(employment=employment, reach=reach, audit=request.audit)
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
    "relationship.requested": gettext_lazy("Business relationship requested"),
    "relationship.approved": gettext_lazy("Business relationship approved"),
    "relationship.rejected": gettext_lazy("Business relationship refused"),
    "relationship.ended": gettext_lazy("Business relationship ended"),
    "relationship.expired": gettext_lazy("Business relationship request expired"),
    "client_assignment.created": gettext_lazy("Employee assigned to a client"),
    "client_assignment.removed": gettext_lazy("Employee unassigned from a client"),
    "client_group.created": gettext_lazy("Client group created"),
    "client_group.renamed": gettext_lazy("Client group renamed"),
    "client_group.deleted": gettext_lazy("Client group deleted"),
    "client_group.changed": gettext_lazy("Client group changed"),
    "client_assignment.accounts_changed": gettext_lazy("Employee's client accounts changed"),
    "employment.changed_by_staff": gettext_lazy("Employee access changed by the CBSA"),
    "access_request.rate_limited": gettext_lazy("Access request refused: too many requests"),
}
FAMILY_LABELS = {
    "employment": gettext_lazy("Employees"),
    "access_request": gettext_lazy("Access requests"),
    "relationship": gettext_lazy("Business relationships"),
    "client_group": gettext_lazy("Client groups"),
    "client_assignment": gettext_lazy("Client assignments"),
}


def action_label(code: str, *, markup: bool = True) -> str:
    """The action's name in the page's language. An action without one (added since)
    shows its code's words, in English: inside ``lang="en"`` with ``markup`` (X-1); a
    list's option carries the ``lang`` itself (``delegation.forms.ActionSelect``)."""
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    family, _dot, rest = code.partition(".")
    words = rest.replace("_", " ") if family in FAMILY_LABELS else code
    if not markup:
        return f"{FAMILY_LABELS[family]} – {words}" if family in FAMILY_LABELS else words
    if family in FAMILY_LABELS:
        return format_html('{} – <span lang="en">{}</span>', FAMILY_LABELS[family], words)
    return format_html('<span lang="en">{}</span>', words)


def _history_search(request):
    business = request.acting.business
    form = HistorySearchForm(
        {name: request.GET.get(name, "")[:40] for name in HistorySearchForm.PARAMETERS},
        people=selectors.delegation_history_people(business_id=business.pk),
        actions=[
            (code, action_label(code, markup=False))
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


def _by_other_organisation(entry, viewer) -> bool:
    """Whether the entry's actor worked for another business (a service provider acting
    for the viewer, or the other side of a relationship): SEC-8, the viewer sees that
    organisation's name, never its people's usernames, names or addresses."""
    return entry.business_id is not None and entry.business_id != viewer.pk


def _details(entry, *, people: bool = True) -> str:
    """A short line of what changed: the person concerned, role and scope before/after."""
    changes = entry.changes or {}
    parts = []
    if people and changes.get("person"):
        parts.append(str(changes["person"]))
    before, after = changes.get("before") or {}, changes.get("after") or {}
    for key, label in (("role", _("role")), ("accounts", _("program accounts"))):
        old, new = before.get(key), after.get(key)
        if new is not None and new != old:
            parts.append(
                _("%(label)s: %(old)s → %(new)s")
                % {"label": label, "old": _state_text(key, old), "new": _state_text(key, new)}
            )
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
        viewer = request.acting.business
        for entry in page.object_list:
            entry.label = action_label(entry.action)
            entry.other_organisation = _by_other_organisation(entry, viewer)
            entry.details = _details(entry, people=not entry.other_organisation)
    query = urlencode(form.query()) if rows is not None else ""
    return render(
        request,
        "delegation/history.html",
        {"form": form, "page": page, "query": query, "business": request.acting.business},
    )


@require_GET
@never_cache
@requires(Perm.VIEW_DELEGATION_HISTORY)
def history_csv(request):
    """DELEG-6: the same search as CSV, dates in ISO 8601 (UTC)."""
    form, rows = _history_search(request)
    if rows is None:
        return HttpResponseBadRequest(_("The search is not valid."))
    # The codes in English, their French names on French pages (SPEC X-1).
    header = [
        pgettext("CSV column", "time_utc"),
        pgettext("CSV column", "actor"),
        pgettext("CSV column", "actor_name"),
        pgettext("CSV column", "action"),
        pgettext("CSV column", "business_bn9"),
        pgettext("CSV column", "acting_for_bn9"),
        pgettext("CSV column", "address"),
        pgettext("CSV column", "details"),
        pgettext("CSV column", "changes"),
    ]

    viewer = request.acting.business

    def lines():
        yield header
        for entry in rows.iterator(chunk_size=500):
            actor = entry.actor
            other = _by_other_organisation(entry, viewer)
            if other:  # SEC-8: the organisation's name, not its people
                username, name = "", entry.business.legal_name
            else:
                username = actor.get_username() if actor else entry.subject
                name = actor.get_full_name() if actor else ""
            yield (
                [
                    entry.created_at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
                    username,
                    name,
                    entry.action,
                    entry.business.bn9 if entry.business else "",
                    entry.acting_for.bn9 if entry.acting_for else "",
                    "" if other else entry.ip_address or "",
                    _details(entry, people=not other),
                    json.dumps(entry.changes, ensure_ascii=False, sort_keys=True),
                ]
            )

    business = request.acting.business
    filename = f"delegation-history-{business.bn9}-{timezone.localdate().isoformat()}.csv"
    return csv_response(lines(), filename)  # SEC-8: no formulas


# --- Relationships, assignments, client groups (DELEG-2, DELEG-4, DELEG-5) -----------------


RELATIONSHIPS_SHOWN = 25


@requires(Perm.MANAGE_CLIENT_RELATIONSHIPS)
def relationships(request):
    """Manage my business relationships (DELEG-2): as a client (the providers with access
    and their pending requests) and, for a service provider's manager, as a provider."""
    business = request.acting.business
    as_client = list(selectors.open_relationships_as_client(business=business))
    # A broker may have thousands of clients: the first of them here (in the database's
    # order), the rest on the paged client-assignment page.
    clients, sent, clients_total = [], [], 0
    if request.acting.can(Perm.MANAGE_PROVIDER_RELATIONSHIPS):
        mine = selectors.relationships_as_provider(business=business)
        # The first clients, each carrying how many there are (one query).
        clients = list(
            mine.filter(status=Relationship.Status.ACTIVE).annotate(
                listed=selectors.client_count(business)
            )[:RELATIONSHIPS_SHOWN]
        )
        clients_total = clients[0].listed if clients else 0
        sent = list(
            mine.filter(status=Relationship.Status.PENDING).order_by("-created_at", "-pk")[
                : RELATIONSHIPS_SHOWN + 1
            ]
        )
    history = CountedPaginator(selectors.closed_relationships(business=business), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "delegation/relationships.html",
        {
            "pending": [r for r in as_client if r.status == Relationship.Status.PENDING],
            "providers": [r for r in as_client if r.status == Relationship.Status.ACTIVE],
            "clients": clients[:RELATIONSHIPS_SHOWN],
            "clients_total": clients_total,
            "sent": sent[:RELATIONSHIPS_SHOWN],
            "more_sent": len(sent) > RELATIONSHIPS_SHOWN,
            "is_provider": request.acting.can(Perm.MANAGE_PROVIDER_RELATIONSHIPS),
            "history": history,
            "business": business,
        },
    )


@requires(Perm.MANAGE_PROVIDER_RELATIONSHIPS)
def relationship_request(request):
    form = RelationshipRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            relationship = services.relationship_request(
                provider=request.acting.business,
                client_bn9=form.cleaned_data["bn9"],
                comment=form.cleaned_data["comment"],
                audit=request.audit,
            )
        except DelegationError as error:
            form.add_error("bn9", str(error))
        else:
            messages.success(
                request,
                _("Your request was sent to %(client)s. Its managers will answer it.")
                % {"client": relationship.client.display_name},
            )
            return redirect("delegation:relationships")
    return render(request, "delegation/relationship_request.html", {"form": form})


@requires(Perm.MANAGE_CLIENT_RELATIONSHIPS, model=Relationship, via="client")
def relationship_answer(request, pk: int):
    relationship = request.acting.object
    if relationship.status != Relationship.Status.PENDING:
        messages.info(request, _("This request has already been answered."))
        return redirect("delegation:relationships")
    grant = request.acting.grant
    form = RelationshipAnswerForm(
        request.POST or None,
        accounts=grant_accounts(request.acting.grant),
        whole_business=grant.account_ids is None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == form.APPROVE:
                services.relationship_approve(
                    relationship=relationship,
                    kind=data["kind"],
                    program_accounts=data["program_accounts"],
                    audit=request.audit,
                )
                messages.success(request, _("The business relationship is approved."))
            else:
                services.relationship_reject(
                    relationship=relationship, reason=data["reason"], audit=request.audit
                )
                messages.success(request, _("The request is rejected."))
        except DelegationError as error:
            messages.error(request, str(error))
        return redirect("delegation:relationships")
    return render(
        request,
        "delegation/relationship_answer.html",
        {"relationship": relationship, "form": form},
    )


@require_POST
@requires(Perm.MANAGE_CLIENT_RELATIONSHIPS, model=Relationship, via="client")
def relationship_end(request, pk: int):
    """The client ends a provider's access (or rejects nothing: it must be active)."""
    _end(request, by_business=request.acting.business)
    return redirect("delegation:relationships")


@require_POST
@requires(Perm.MANAGE_PROVIDER_RELATIONSHIPS, model=Relationship, via="provider")
def relationship_withdraw(request, pk: int):
    """The provider ends a relationship or withdraws its pending request."""
    _end(request, by_business=request.acting.business)
    return redirect("delegation:relationships")


def _end(request, *, by_business):
    try:
        services.relationship_end(
            relationship=request.acting.object, by_business=by_business, audit=request.audit
        )
    except DelegationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The business relationship has ended."))


GROUP_CLIENTS_PAGE = 25


def _clients_page(request, provider, per_page: int):
    """A page of a provider's clients, by name (``selectors.ClientPaginator``)."""
    return selectors.ClientPaginator(provider, per_page).get_page(request.GET.get("page"))


@requires(Perm.MANAGE_PROVIDER_RELATIONSHIPS)
def clients(request):
    """My clients (DELEG-4): who acts for each, a page at a time; the clients checked on a
    page are the first step of a bulk assignment (``clients_assign`` is the second). The
    provider's Business Account Managers act for every client without assignment."""
    business = request.acting.business
    form = ChooseClientsForm(
        request.POST if request.method == "POST" else None,
        clients=selectors.provider_clients(business),
    )
    if request.method == "POST" and form.is_valid():
        chosen = [client.pk for client in form.cleaned_data["clients"]]
        page = request.GET.get("page")
        return redirect(_address("delegation:clients_assign", clients=chosen, page=page))
    page = _clients_page(request, business, 25)
    by_client = selectors.assignments_by_client(provider=business, clients=page.object_list)
    rows = [(client, by_client.get(client.pk, [])) for client in page.object_list]
    return render(request, "delegation/clients.html", {"form": form, "page": page, "rows": rows})


def _address(name: str, **query) -> str:
    """The URL ``name`` with the query's non-empty values (a list: the key repeated)."""
    query = {key: value for key, value in query.items() if value}
    return reverse(name) + (f"?{urlencode(query, doseq=True)}" if query else "")


@requires(Perm.MANAGE_PROVIDER_RELATIONSHIPS)
def clients_assign(request):
    """A bulk assignment's second step (DELEG-4, DELEG-5): the clients chosen on the list
    (named in the address, which the form posts back to) assigned to employees or added to
    a client group. A page of its own, so that the list of a broker's clients stays a list:
    this form's employees and groups were a sixth of its time (bench/pages.py)."""
    business = request.acting.business
    client_qs, employees, groups = selectors.provider_lists(business)
    chosen = ChooseClientsForm(request.GET, clients=client_qs)
    if not chosen.is_valid():
        # A hand-made address, or a relationship ended meanwhile: back to the list.
        messages.error(request, _("Select at least one client."))
        return redirect("delegation:clients")
    clients = chosen.cleaned_data["clients"]
    back = _address("delegation:clients", page=request.GET.get("page"))
    form = AssignClientsForm(
        request.POST if request.method == "POST" else None, employees=employees, groups=groups
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                added = 0
                if data["employees"]:
                    added = services.clients_assign(
                        provider=business,
                        clients=clients,
                        employments=data["employees"],
                        audit=request.audit,
                    )
                if data["group"]:
                    services.client_group_update(
                        group=data["group"], add_clients=clients, audit=request.audit
                    )
        except DelegationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext("%(count)d assignment added.", "%(count)d assignments added.", added)
                % {"count": added}
                if data["employees"]
                else _("The clients were added to the group."),
            )
            return redirect(back)
    return render(
        request,
        "delegation/clients_assign.html",
        {
            "form": form,
            "clients": clients,
            "back": back,
            # The groups' choices, read once: the select draws them from this cache.
            "has_groups": bool(form.fields["group"].queryset),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(Perm.MANAGE_PROVIDER_RELATIONSHIPS, model=ClientAssignment, via="employment__business")
def assignment_accounts(request, pk: int):
    """DELEG-1, DELEG-4: limit an employee's assignment to some of the client's accounts."""
    assignment = request.acting.object
    form = AssignmentAccountsForm(
        request.POST if request.method == "POST" else None,
        accounts=services.assignable_accounts(assignment),
        initial={"program_accounts": list(assignment.program_accounts.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.client_assignment_accounts(
                assignment=assignment,
                program_accounts=form.cleaned_data["program_accounts"],
                audit=request.audit,
            )
        except DelegationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The program accounts of the assignment were saved."))
        return redirect("delegation:clients")
    return render(
        request, "delegation/assignment_accounts.html", {"assignment": assignment, "form": form}
    )


@require_POST
@requires(Perm.MANAGE_PROVIDER_RELATIONSHIPS, model=ClientAssignment, via="employment__business")
def assignment_remove(request, pk: int):
    try:
        services.client_unassign(assignment=request.acting.object, audit=request.audit)
    except DelegationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The assignment was removed."))
    return redirect("delegation:clients")


@requires(Perm.MANAGE_CLIENT_GROUPS)
def client_groups(request):
    """Manage my client groups (DELEG-5): service providers' BAMs only."""
    business = request.acting.business
    form = ClientGroupNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.client_group_create(
                provider=business, name=form.cleaned_data["name"], audit=request.audit
            )
        except DelegationError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request, _("The client group %(name)s was created.") % {"name": group.name}
            )
            return redirect("delegation:client_group", pk=group.pk)
    groups = selectors.client_groups_with_counts(provider=business)
    return render(request, "delegation/client_groups.html", {"form": form, "groups": groups})


@requires(Perm.MANAGE_CLIENT_GROUPS, model=ClientGroup, via="provider")
def client_group(request, pk: int):
    group = request.acting.object
    if group.deleted_at is not None:
        raise Http404
    _clients, employees, _groups = selectors.provider_lists(group.provider)
    # The provider's clients are paged in the database (a broker may have thousands):
    # the boxes are those of one page, and saving changes only that page's clients.
    page = _clients_page(request, group.provider, GROUP_CLIENTS_PAGE)
    page_clients = selectors.businesses_by_name(ids=[c.pk for c in page.object_list])
    name_form = ClientGroupNameForm(
        request.POST if "rename" in request.POST else None,
        initial={"name": group.name},
        prefix="group",
    )
    members_form = ClientGroupMembersForm(
        request.POST if "save_members" in request.POST else None,
        clients=page_clients,
        employees=employees,
        initial={
            "clients": list(group.clients.filter(pk__in=page_clients)),
            "members": list(group.members.all()),
        },
    )
    if request.method == "POST":
        try:
            if "rename" in request.POST and name_form.is_valid():
                services.client_group_rename(
                    group=group, name=name_form.cleaned_data["name"], audit=request.audit
                )
                messages.success(request, _("The client group was renamed."))
                return redirect("delegation:client_group", pk=group.pk)
            if "save_members" in request.POST and members_form.is_valid():
                data = members_form.cleaned_data
                current_clients, current_members = (
                    set(group.clients.filter(pk__in=page_clients)),
                    set(group.members.all()),
                )
                chosen_clients, chosen_members = set(data["clients"]), set(data["members"])
                services.client_group_update(
                    group=group,
                    add_clients=chosen_clients - current_clients,
                    remove_clients=current_clients - chosen_clients,
                    add_members=chosen_members - current_members,
                    remove_members=current_members - chosen_members,
                    audit=request.audit,
                )
                messages.success(request, _("The client group was saved."))
                url = reverse("delegation:client_group", args=[group.pk])
                return redirect(f"{url}?page={page.number}" if page.number > 1 else url)
        except DelegationError as error:
            (name_form if "rename" in request.POST else members_form).add_error(
                "name" if "rename" in request.POST else None, str(error)
            )
    return render(
        request,
        "delegation/client_group.html",
        {
            "group": group,
            "name_form": name_form,
            "members_form": members_form,
            "page": page,
            "in_group": group.clients.count(),
        },
    )


@require_POST
@requires(Perm.MANAGE_CLIENT_GROUPS, model=ClientGroup, via="provider")
def client_group_delete(request, pk: int):
    try:
        services.client_group_delete(group=request.acting.object, audit=request.audit)
    except DelegationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The client group was deleted."))
    return redirect("delegation:client_groups")
