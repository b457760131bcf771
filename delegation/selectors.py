"""Reads scoped to a person (STYLE 3). Permission checks and scoped lists for the other
apps live in ``delegation.access``; these are the delegation app's own reads."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from business.models import Business, ProgramAccount
from carm_portal.paging import CountedPaginator
from delegation.access import scope_covers
from delegation.models import ClientAssignment, ClientGroup, Employment, Relationship


def active_employments(*, user) -> QuerySet[Employment]:
    return Employment.objects.filter(user=user, status=Employment.Status.ACTIVE)


def pending_requests_for(*, user) -> QuerySet[Employment]:
    return Employment.objects.filter(user=user, status=Employment.Status.PENDING).select_related(
        "business"
    )


def business_notice_recipients(
    *,
    business: Business,
    program_account: ProgramAccount | None = None,
    managers_only: bool = False,
) -> QuerySet:
    """The people who receive a notice about ``business`` (and ``program_account``).

    - Active employments of active people only.
    - ``managers_only`` (types such as *Changes to delegation – Pending access*): the
      Business Account Managers and the Program Account Managers.
    - A notice about one program account goes only to those whose scope covers it
      (DELEG-0: a PAM, Editor or Reader may be limited to some program accounts); a
      notice about the business as a whole goes to every employee (or manager).

    Returns a queryset of user ids (``values("user_id")``), usable as a subquery.
    """
    employments = Employment.objects.filter(
        business=business, status=Employment.Status.ACTIVE, user__is_active=True
    )
    if managers_only:
        employments = employments.filter(
            role__in=[
                Employment.Role.BUSINESS_ACCOUNT_MANAGER,
                Employment.Role.PROGRAM_ACCOUNT_MANAGER,
            ]
        )
    if program_account is not None:
        employments = employments.filter(scope_covers(Q(programaccount=program_account)))
    return employments.values("user_id")


# --- Employees (DELEG-1) and the delegation history (DELEG-6) -----------------------------


def employees_visible(*, business_id: int, account_ids=None) -> QuerySet[Employment]:
    """The business's active employees a manager sees: everyone, or for a Program Account
    Manager (``account_ids``) those whose access covers one of their program accounts;
    each with ``scoped``: whether their access names program accounts."""
    through = Employment.program_accounts.through
    employments = (
        Employment.objects.filter(business_id=business_id, status=Employment.Status.ACTIVE)
        .select_related("user")
        .annotate(scoped=Exists(through.objects.filter(employment_id=OuterRef("pk"))))
    )
    if account_ids is not None:
        employments = employments.filter(scope_covers(Q(programaccount__in=sorted(account_ids))))
    return employments.order_by("user__last_name", "user__first_name", "pk")


def employee_page_rows(rows) -> list[Employment]:
    """One page of ``employees_visible`` with the program accounts of those whose access
    names some (one more query, none when the page's employees all cover the whole
    business, as a broker's usually do)."""
    from django.db.models import prefetch_related_objects

    rows = list(rows)
    prefetch_related_objects([row for row in rows if row.scoped], "program_accounts")
    return rows


def pending_requests(*, business_id: int) -> QuerySet[Employment]:
    return (
        Employment.objects.filter(business_id=business_id, status=Employment.Status.PENDING)
        .select_related("user")
        .order_by("created_at", "pk")
    )


def _counted(rows: QuerySet, key: str) -> Subquery:
    """How many ``rows`` there are (all with the same ``key``), as a scalar subquery a
    list's query carries: PostgreSQL runs it once (an ``InitPlan``), no query of its own."""
    return Subquery(rows.order_by().values(key).annotate(n=Count("pk")).values("n"))


def business_manager_count(*, business_id: int) -> Subquery:
    """How many active Business Account Managers the business has (DELEG-0), carried by
    the employees list's query."""
    return _counted(
        Employment.objects.filter(
            business_id=business_id,
            status=Employment.Status.ACTIVE,
            role=Employment.Role.BUSINESS_ACCOUNT_MANAGER,
        ),
        "business_id",
    )


# The audit actions that are delegation changes (DELEG-6), by prefix.
DELEGATION_ACTION_PREFIXES = (
    "employment.",
    "access_request.",
    "relationship.",
    "client_group.",
    "client_assignment.",
)


def delegation_history(
    *, business_id: int, start=None, end=None, actor_id=None, action: str = ""
) -> QuerySet:
    """The delegation changes of a business (it is the business or the acting-for
    business), newest first, filtered by date range, person and action."""
    from carm_portal.models import AuditEntry

    prefixes = Q()
    for prefix in DELEGATION_ACTION_PREFIXES:
        prefixes |= Q(action__startswith=prefix)
    entries = AuditEntry.objects.filter(
        Q(business_id=business_id) | Q(acting_for_id=business_id), prefixes
    )
    if start:
        entries = entries.filter(created_at__date__gte=start)
    if end:
        entries = entries.filter(created_at__date__lte=end)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if action:
        entries = entries.filter(action=action)
    return entries.select_related("actor", "business", "acting_for").order_by("-created_at", "-pk")


def delegation_history_people(*, business_id: int) -> list[tuple[int, str]]:
    """The people who made a delegation change of the business (the filter's choices)."""
    from accounts.models import User

    # Only the business's own people: another organisation's employees are not listed
    # (SEC-8); their changes show under their organisation's name.
    actor_ids = (
        delegation_history(business_id=business_id)
        .filter(business_id=business_id)
        .order_by()
        .values("actor_id")
    )
    return [
        (user.pk, user.display_name)
        for user in User.objects.filter(pk__in=actor_ids).order_by("last_name", "first_name", "pk")
    ]


def delegation_history_actions(*, business_id: int) -> list[str]:
    """The action codes present in the business's delegation history."""
    return sorted(
        set(
            delegation_history(business_id=business_id)
            .order_by()
            .values_list("action", flat=True)
            .distinct()
        )
    )


# --- Relationships, assignments, client groups (DELEG-2, DELEG-4, DELEG-5) -----------------


# What a list names a business by (``Business.display_name`` and its number), and what
# every list of relationships shows of each.
BUSINESS_NAME = ("bn9", "legal_name", "operating_name")
RELATIONSHIP_LISTED = ("kind", "status", "created_at", "answered_at")


def open_relationships_as_client(*, business: Business) -> QuerySet[Relationship]:
    """The providers with access, and their pending requests, newest first, with what the
    lists show: the provider, the request's message in its writer's language (X-1) and
    the accounts of a program-management relationship."""
    return (
        Relationship.objects.filter(client=business, status__in=Relationship.OPEN)
        .select_related("provider", "requested_by")
        .only(
            *RELATIONSHIP_LISTED,
            "comment",
            "client_id",
            *(f"provider__{name}" for name in BUSINESS_NAME),
            "requested_by__preferred_language",
        )
        .prefetch_related("program_accounts")
        .order_by("-created_at")
    )


def relationships_as_provider(*, business: Business) -> QuerySet[Relationship]:
    """Every relationship of a provider, by client name (the view slices them: a broker
    may have thousands of clients; the index ``relationship_provider_clients`` holds this
    order), with what its lists show: the client's names and number, not the program
    accounts."""
    return (
        Relationship.objects.filter(provider=business)
        .select_related("client")
        .only(*RELATIONSHIP_LISTED, *(f"client__{name}" for name in BUSINESS_NAME))
        .order_by("client_name", "client_id")
    )


def closed_relationships(*, business: Business) -> QuerySet[Relationship]:
    """The business's ended, rejected and expired relationships, either side, newest first,
    with what the history shows: both businesses' names, the status and the reason."""
    return (
        Relationship.objects.filter(
            Q(client=business) | Q(provider=business), status__in=Relationship.CLOSED
        )
        .select_related("provider", "client")
        .only(
            *RELATIONSHIP_LISTED,
            "reason",
            *(f"provider__{name}" for name in BUSINESS_NAME),
            *(f"client__{name}" for name in BUSINESS_NAME),
        )
        .order_by("-created_at", "-pk")
    )


# What ``User.display_name`` reads, for lists that only name people.
PERSON_NAME = ("user__first_name", "user__last_name", "user__username")
EMPLOYMENT_FIELDS = tuple(f.name for f in Employment._meta.concrete_fields)


def provider_clients(business: Business) -> QuerySet[Business]:
    """A provider's active clients, by name."""
    # A semi-join, not a join and DISTINCT over every column: the page and its count read
    # the clients once (a broker with 5,000 clients: 10 ms → 3 ms each, bench/pages.py).
    return Business.objects.filter(
        pk__in=_active_relationships(business).values("client_id")
    ).order_by("legal_name", "pk")


def provider_lists(business: Business) -> tuple[QuerySet, QuerySet, QuerySet]:
    """A provider's active clients, its employees who may be assigned (every active one
    but its Business Account Managers, who act for every client) and its client groups."""
    employees = (
        Employment.objects.filter(business=business, status=Employment.Status.ACTIVE)
        .exclude(role=Employment.Role.BUSINESS_ACCOUNT_MANAGER)
        .select_related("user")
        # The employment whole, of the person only how the choices name them.
        .only(*EMPLOYMENT_FIELDS, *PERSON_NAME)
        .order_by("user__last_name", "user__first_name", "pk")
    )
    groups = ClientGroup.objects.filter(provider=business, deleted_at__isnull=True).order_by("name")
    return provider_clients(business), employees, groups


class ClientPaginator(CountedPaginator):
    """A provider's active clients by name (DELEG-4, DELEG-5), paged on its relationships:
    the index ``relationship_provider_clients`` (provider, status, client's name, client)
    holds the order, so a page reads its clients' ids from the index (page 100 of 5,000
    clients: 2,500 index entries, not 5,000 businesses read and sorted). One query: the
    page's businesses, by name, each carrying the count of the provider's clients (a
    scalar subquery PostgreSQL runs once, on the same index). A page's ``object_list`` is
    its businesses."""

    def __init__(self, provider: Business, per_page: int):
        self.provider = provider
        ids = (
            _active_relationships(provider)
            .order_by("client_name", "client_id")
            .values_list("client_id", flat=True)
        )
        super().__init__(ids, per_page)

    def counted_rows(self, start: int, stop: int) -> list[Business]:
        return list(
            Business.objects.filter(pk__in=self.object_list[start:stop])
            .annotate(listed=client_count(self.provider))
            .order_by("legal_name", "pk")
        )


def client_count(business: Business) -> Subquery:
    """How many active clients a provider has, carried by a list's query: its active
    relationships, one per client (``relationship_one_open_per_pair``), counted on the
    index ``relationship_provider_clients`` rather than through the businesses."""
    return _counted(_active_relationships(business), "provider_id")


def _active_relationships(business: Business) -> QuerySet[Relationship]:
    return Relationship.objects.filter(provider=business, status=Relationship.Status.ACTIVE)


def businesses_by_name(*, ids) -> QuerySet[Business]:
    """The businesses ``ids`` (one page of a provider's clients), by name."""
    return Business.objects.filter(pk__in=list(ids)).order_by("legal_name", "pk")


def assignments_by_client(*, provider: Business, clients) -> dict[int, list[ClientAssignment]]:
    """The provider's assignments of ``clients`` (one page of them), by client id."""
    assignments = (
        ClientAssignment.objects.filter(client__in=list(clients), employment__business=provider)
        .select_related("employment__user")
        .only("client_id", *(f"employment__{name}" for name in PERSON_NAME))
    )
    by_client: dict[int, list[ClientAssignment]] = {}
    for assignment in assignments:
        by_client.setdefault(assignment.client_id, []).append(assignment)
    return by_client


def client_groups_with_counts(*, provider: Business) -> QuerySet[ClientGroup]:
    return (
        ClientGroup.objects.filter(provider=provider, deleted_at__isnull=True)
        .annotate(
            client_count=Count("clients", distinct=True),
            member_count=Count("members", distinct=True),
        )
        .order_by("name")
    )
