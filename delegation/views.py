"""Configure my portal (SPEC HOME-4): thin views over delegation.services; every view
declares its permission with ``delegation.access.requires``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from business.models import Business, ProgramAccount
from delegation import services
from delegation.access import Perm, requires
from delegation.forms import (
    AssignClientsForm,
    ClientGroupMembersForm,
    ClientGroupNameForm,
    RelationshipAnswerForm,
    RelationshipRequestForm,
)
from delegation.models import ClientAssignment, ClientGroup, Employment, Relationship
from delegation.services import DelegationError

# --- Employees (DELEG-1) and delegation history (DELEG-6) ---------------------------------


# --- end of employees ---------------------------------------------------------------------


# --- Relationships, assignments, client groups (DELEG-2, DELEG-4, DELEG-5) -----------------


def _grant_accounts(request) -> QuerySet[ProgramAccount]:
    """The acting business's program accounts within the person's scope."""
    grant = request.acting.grant
    accounts = ProgramAccount.objects.filter(business=request.acting.business)
    if grant.account_ids is not None:
        accounts = accounts.filter(pk__in=grant.account_ids)
    return accounts.order_by("program_identifier", "reference_number")


@requires(Perm.MANAGE_CLIENT_RELATIONSHIPS)
def relationships(request):
    """Manage my business relationships (DELEG-2): as a client (the providers with access
    and their pending requests) and, for a service provider's manager, as a provider."""
    business = request.acting.business
    rows = Relationship.objects.select_related("provider", "client").prefetch_related(
        "program_accounts"
    )
    as_client = list(
        rows.filter(client=business, status__in=Relationship.OPEN).order_by("-created_at")
    )
    as_provider = []
    if request.acting.can(Perm.MANAGE_PROVIDER_RELATIONSHIPS):
        as_provider = list(
            rows.filter(provider=business, status__in=Relationship.OPEN).order_by(
                "client__legal_name"
            )
        )
    history = Paginator(
        rows.filter(Q(client=business) | Q(provider=business))
        .exclude(status__in=Relationship.OPEN)
        .order_by("-created_at", "-pk"),
        20,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "delegation/relationships.html",
        {
            "pending": [r for r in as_client if r.status == Relationship.Status.PENDING],
            "providers": [r for r in as_client if r.status == Relationship.Status.ACTIVE],
            "clients": [r for r in as_provider if r.status == Relationship.Status.ACTIVE],
            "sent": [r for r in as_provider if r.status == Relationship.Status.PENDING],
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
                request=request,
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
        accounts=_grant_accounts(request),
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
                    request=request,
                )
                messages.success(request, _("The business relationship is approved."))
            else:
                services.relationship_reject(
                    relationship=relationship, reason=data["reason"], request=request
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
            relationship=request.acting.object, by_business=by_business, request=request
        )
    except DelegationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The business relationship has ended."))


def _provider_lists(business):
    clients = (
        Business.objects.filter(
            provider_relationships__provider=business,
            provider_relationships__status=Relationship.Status.ACTIVE,
        )
        .distinct()
        .order_by("legal_name")
    )
    employees = (
        Employment.objects.filter(business=business, status=Employment.Status.ACTIVE)
        .exclude(role=Employment.Role.BUSINESS_ACCOUNT_MANAGER)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    groups = ClientGroup.objects.filter(provider=business, deleted_at__isnull=True).order_by("name")
    return clients, employees, groups


@requires(Perm.MANAGE_PROVIDER_RELATIONSHIPS)
def clients(request):
    """My clients (DELEG-4): who acts for each; bulk assignment to employees or a group.
    The provider's Business Account Managers act for every client without assignment."""
    business = request.acting.business
    client_qs, employees, groups = _provider_lists(business)
    form = AssignClientsForm(
        request.POST or None, clients=client_qs, employees=employees, groups=groups
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                added = 0
                if data["employees"]:
                    added = services.clients_assign(
                        provider=business,
                        clients=data["clients"],
                        employments=data["employees"],
                        request=request,
                    )
                if data["group"]:
                    services.client_group_update(
                        group=data["group"], add_clients=data["clients"], request=request
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
            return redirect("delegation:clients")
    page = Paginator(client_qs, 25).get_page(request.GET.get("page"))
    assignments = ClientAssignment.objects.filter(
        client__in=list(page.object_list), employment__business=business
    ).select_related("employment__user")
    by_client: dict[int, list] = {}
    for assignment in assignments:
        by_client.setdefault(assignment.client_id, []).append(assignment)
    rows = [(client, by_client.get(client.pk, [])) for client in page.object_list]
    return render(
        request,
        "delegation/clients.html",
        {"form": form, "page": page, "rows": rows, "has_groups": groups.exists()},
    )


@require_POST
@requires(Perm.MANAGE_PROVIDER_RELATIONSHIPS, model=ClientAssignment, via="employment__business")
def assignment_remove(request, pk: int):
    try:
        services.client_unassign(assignment=request.acting.object, request=request)
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
                provider=business, name=form.cleaned_data["name"], request=request
            )
        except DelegationError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request, _("The client group %(name)s was created.") % {"name": group.name}
            )
            return redirect("delegation:client_group", pk=group.pk)
    groups = (
        ClientGroup.objects.filter(provider=business, deleted_at__isnull=True)
        .annotate(
            client_count=Count("clients", distinct=True),
            member_count=Count("members", distinct=True),
        )
        .order_by("name")
    )
    return render(request, "delegation/client_groups.html", {"form": form, "groups": groups})


@requires(Perm.MANAGE_CLIENT_GROUPS, model=ClientGroup, via="provider")
def client_group(request, pk: int):
    group = request.acting.object
    if group.deleted_at is not None:
        raise Http404
    client_qs, employees, _groups = _provider_lists(group.provider)
    name_form = ClientGroupNameForm(
        request.POST if "rename" in request.POST else None,
        initial={"name": group.name},
        prefix="group",
    )
    members_form = ClientGroupMembersForm(
        request.POST if "save_members" in request.POST else None,
        clients=client_qs,
        employees=employees,
        initial={"clients": list(group.clients.all()), "members": list(group.members.all())},
    )
    if request.method == "POST":
        try:
            if "rename" in request.POST and name_form.is_valid():
                services.client_group_rename(
                    group=group, name=name_form.cleaned_data["name"], request=request
                )
                messages.success(request, _("The client group was renamed."))
                return redirect("delegation:client_group", pk=group.pk)
            if "save_members" in request.POST and members_form.is_valid():
                data = members_form.cleaned_data
                current_clients, current_members = (
                    set(group.clients.all()),
                    set(group.members.all()),
                )
                chosen_clients, chosen_members = set(data["clients"]), set(data["members"])
                services.client_group_update(
                    group=group,
                    add_clients=chosen_clients - current_clients,
                    remove_clients=current_clients - chosen_clients,
                    add_members=chosen_members - current_members,
                    remove_members=current_members - chosen_members,
                    request=request,
                )
                messages.success(request, _("The client group was saved."))
                return redirect("delegation:client_group", pk=group.pk)
        except DelegationError as error:
            (name_form if "rename" in request.POST else members_form).add_error(
                "name" if "rename" in request.POST else None, str(error)
            )
    return render(
        request,
        "delegation/client_group.html",
        {"group": group, "name_form": name_form, "members_form": members_form},
    )


@require_POST
@requires(Perm.MANAGE_CLIENT_GROUPS, model=ClientGroup, via="provider")
def client_group_delete(request, pk: int):
    try:
        services.client_group_delete(group=request.acting.object, request=request)
    except DelegationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The client group was deleted."))
    return redirect("delegation:client_groups")


# --- end of relationships -----------------------------------------------------------------
