"""Who may do what, for which business: the one place (STYLE 3, SPEC DELEG-0 … DELEG-4, X-4).

A person holds at most one *grant* per business:

- as an **employee** of the business (an active ``Employment``): their role decides the
  permissions (DELEG-0), their program-account scope which accounts they cover;
- as a **service provider's employee** acting for a client (DELEG-2, DELEG-4): the provider
  has an active ``Relationship`` with the client, and the person is the provider's Business
  Account Manager or is assigned to the client (directly or through a client group). The
  relationship type decides the permissions (the matrix of DELEG-3) and, for program
  management, the accounts; a provider employee who is a Reader at the provider only reads.

Grants are computed once per request (``access_for(request)``, a few queries whatever
the number of businesses or clients: a provider's manager's clients are a subquery, never
a list built per request) from the database, so a removed employee or an ended relationship
loses access on the very next request.

Views declare what they need with ``@requires(Perm.X, ...)``: no grant on the target →
404 (existence not revealed), a grant without the permission → 403; otherwise it sets
``request.acting`` (what the view acts on) and ``request.audit`` (the ``AuditContext`` the
view hands to services as ``audit=``). Lists across every
business a person may see filter with ``Access.account_filter`` /
``Access.program_accounts``. Templates only hide controls (``request.acting.can``).

Every rule of who may act on whom lives here, by name: the scope rule
(``scope_of`` and its SQL twin ``scope_covers``), the managers' reach (``Reach``,
``can_see_employee``, ``can_manage_employee``, ``is_manager``) and the accounts a grant
may hand on (``grant_accounts``). Permissions are ``Perm`` members, never strings (a test
fails on a permission string anywhere else).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth.views import redirect_to_login
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from business.models import Business, ProgramAccount
from carm_portal.audit import AuditContext, audit_record
from delegation.models import ClientAssignment, ClientGroup, Employment, Relationship


class Perm(StrEnum):
    """Named permissions; each view needs one (STYLE 3)."""

    VIEW_BUSINESS_PROFILE = "view_business_profile"
    CHANGE_BUSINESS_PROFILE = "change_business_profile"
    VIEW_PROGRAM_LIST = "view_program_list"
    VIEW_PROGRAM_ACCOUNT = "view_program_account"
    CHANGE_PROGRAM_ACCOUNT = "change_program_account"
    VIEW_FINANCIAL_SECURITY = "view_financial_security"
    CHANGE_FINANCIAL_SECURITY = "change_financial_security"
    VIEW_TRANSACTIONS = "view_transactions"
    EDIT_TRANSACTIONS = "edit_transactions"
    VIEW_REQUESTS = "view_requests"
    EDIT_REQUESTS = "edit_requests"
    MANAGE_PAD = "manage_pad"
    VIEW_COLLECTIONS = "view_collections"
    PROPOSE_PAYMENT_ARRANGEMENT = "propose_payment_arrangement"
    MANAGE_EMPLOYEES = "manage_employees"
    MANAGE_CLIENT_RELATIONSHIPS = "manage_client_relationships"
    MANAGE_PROVIDER_RELATIONSHIPS = "manage_provider_relationships"
    MANAGE_CLIENT_GROUPS = "manage_client_groups"
    VIEW_DELEGATION_HISTORY = "view_delegation_history"
    VIEW_DECLARATIONS = "view_declarations"  # DECL-5: the CADs of a program account
    SUBMIT_DECLARATIONS = "submit_declarations"  # DECL-1 … DECL-4, DECL-6


P = Perm
Role = Employment.Role

# DELEG-0: what each role may do in its own business.
_READ = {
    P.VIEW_BUSINESS_PROFILE,
    P.VIEW_PROGRAM_LIST,
    P.VIEW_PROGRAM_ACCOUNT,
    P.VIEW_TRANSACTIONS,
    P.VIEW_REQUESTS,
    # FIN-7, FIN-8: every employee sees collections and arrangements; managers propose.
    P.VIEW_COLLECTIONS,
    P.VIEW_DECLARATIONS,
}
_EDIT = _READ | {P.EDIT_TRANSACTIONS, P.EDIT_REQUESTS, P.SUBMIT_DECLARATIONS}
_MANAGE = _EDIT | {
    P.CHANGE_PROGRAM_ACCOUNT,
    P.VIEW_FINANCIAL_SECURITY,
    P.CHANGE_FINANCIAL_SECURITY,
    P.MANAGE_PAD,
    P.PROPOSE_PAYMENT_ARRANGEMENT,
    P.MANAGE_EMPLOYEES,
    P.MANAGE_CLIENT_RELATIONSHIPS,
}
ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.READER: frozenset(_READ),
    Role.EDITOR: frozenset(_EDIT),
    Role.PROGRAM_ACCOUNT_MANAGER: frozenset(_MANAGE),
    Role.BUSINESS_ACCOUNT_MANAGER: frozenset(
        _MANAGE
        | {
            P.CHANGE_BUSINESS_PROFILE,
            P.MANAGE_PROVIDER_RELATIONSHIPS,
            P.MANAGE_CLIENT_GROUPS,
            P.VIEW_DELEGATION_HISTORY,
        }
    ),
}
# Permissions that only make sense in a service provider's own business: one holding a
# customs-broker or third-party program account (DELEG-2).
PROVIDER_ONLY = {P.MANAGE_PROVIDER_RELATIONSHIPS, P.MANAGE_CLIENT_GROUPS}
PROVIDER_PROGRAM_TYPES = [
    ProgramAccount.ProgramType.CUSTOMS_BROKER,
    ProgramAccount.ProgramType.THIRD_PARTY,
]

# DELEG-3: what a service provider may do for a client, by relationship type. Everything
# not listed (changing business or program account information, pre-authorized debit,
# collection notices and payment arrangements, the client's employees and access
# requests, the client's relationships) is restricted for every service provider.
RELATIONSHIP_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Relationship.Kind.BUSINESS: frozenset(
        {
            P.VIEW_BUSINESS_PROFILE,
            P.VIEW_PROGRAM_ACCOUNT,
            P.VIEW_PROGRAM_LIST,
            P.VIEW_FINANCIAL_SECURITY,
            P.CHANGE_FINANCIAL_SECURITY,
            P.VIEW_TRANSACTIONS,
            P.EDIT_TRANSACTIONS,
            P.VIEW_REQUESTS,
            P.EDIT_REQUESTS,
            P.VIEW_DECLARATIONS,
            P.SUBMIT_DECLARATIONS,
        }
    ),
    # DECL-5: accounting for a client's goods is what a customs broker does for it.
    Relationship.Kind.PROGRAM: frozenset(
        {
            P.VIEW_PROGRAM_ACCOUNT,
            P.VIEW_TRANSACTIONS,
            P.EDIT_TRANSACTIONS,
            P.VIEW_REQUESTS,
            P.EDIT_REQUESTS,
            P.VIEW_DECLARATIONS,
            P.SUBMIT_DECLARATIONS,
        }
    ),
}
_EDITS = {
    P.CHANGE_FINANCIAL_SECURITY,
    P.EDIT_TRANSACTIONS,
    P.EDIT_REQUESTS,
    P.SUBMIT_DECLARATIONS,
}


# --- The scope rule (DELEG-0) --------------------------------------------------------------
# An employee covers the whole business when they are its Business Account Manager or their
# program-account scope is empty; otherwise only the program accounts it names. Written once
# in Python (``scope_of``) and once in SQL (``scope_covers``), side by side.


def scope_of(role: str, account_ids) -> frozenset[int] | None:
    """The program accounts an employee with ``role`` and scope ``account_ids`` covers:
    ``None`` for the whole business (also accounts added later)."""
    scope = frozenset(account_ids or ())
    if role == Role.BUSINESS_ACCOUNT_MANAGER or not scope:
        return None
    return scope


def scope_covers(accounts: Q) -> Q:
    """``scope_of`` in SQL: employments whose scope covers an account matching
    ``accounts`` (a condition on ``programaccount``)."""
    through = Employment.program_accounts.through
    has_scope = Exists(through.objects.filter(employment_id=OuterRef("pk")))
    names_one = Exists(through.objects.filter(accounts, employment_id=OuterRef("pk")))
    return Q(role=Role.BUSINESS_ACCOUNT_MANAGER) | ~has_scope | names_one


@dataclass(frozen=True)
class Grant:
    """One person's access to one business."""

    business_id: int
    permissions: frozenset[Perm]
    # None: every program account of the business (also those added later).
    account_ids: frozenset[int] | None
    role: str  # the person's role in their own business (the provider's, when acting for a client)
    relationship_kind: str = ""  # set when acting for a client
    provider_id: int | None = None

    @property
    def is_provider(self) -> bool:
        return self.provider_id is not None

    def covers(self, account_id: int | None) -> bool:
        return account_id is None or self.account_ids is None or account_id in self.account_ids

    def allows(self, perm: Perm, account_id: int | None = None) -> bool:
        return perm in self.permissions and self.covers(account_id)


@dataclass
class Access:
    """A person's grants, computed on first use, once per request.

    Their own businesses' grants come from one query. A service provider's Business
    Account Manager acts for every client of the provider, which may be thousands: those
    grants are never all built on a request (X-4). ``grant(business_id)`` reads the one
    client asked for (one query, kept), ``account_filter`` names the clients with a
    subquery, and ``is_client`` needs no query. Clients assigned to a provider's other
    employees (directly or through a group) are read once, when a list needs them.
    ``grants`` builds every grant (two queries): for tests and small scopes only.
    """

    user: object
    _own: dict[int, Grant] | None = field(default=None, repr=False)
    _providers: dict[int, Employment] = field(default_factory=dict, repr=False)
    _clients: dict[int, Grant | None] = field(default_factory=dict, repr=False)
    _assigned_loaded: bool = field(default=False, repr=False)
    _filters: dict[tuple, Q] = field(default_factory=dict, repr=False)

    @property
    def own(self) -> dict[int, Grant]:
        """The grants of the person's own businesses (their employments), by business."""
        if self._own is None:
            self._own, self._providers = _own_grants(self.user)
        return self._own

    @property
    def _bam_of(self) -> list[int]:
        self.own  # noqa: B018 - loads the employments
        return [b for b, e in self._providers.items() if e.role == Role.BUSINESS_ACCOUNT_MANAGER]

    @property
    def grants(self) -> dict[int, Grant]:
        """Every grant, the clients' too (a provider's manager: one per client)."""
        grants = dict(self.own)
        if self._providers:
            for business_id, grant in _client_grants(self._providers).items():
                grants.setdefault(business_id, grant)
        return grants

    def is_client(self, business_id: int) -> bool:
        """Whether a business the person has a grant on is a client they act for."""
        return business_id not in self.own

    def grant(self, business_id: int | None) -> Grant | None:
        if business_id is None:
            return None
        own = self.own.get(business_id)
        if own is not None or not self._providers:
            return own
        self._load_clients([business_id])
        return self._clients[business_id]

    def _load_clients(self, business_ids) -> None:
        """Reads the grants of the clients among ``business_ids`` not read yet: those
        assigned to the person, read once (bounded); for a provider's manager, the ones
        asked for, in one query."""
        missing = [b for b in business_ids if b not in self.own and b not in self._clients]
        if not missing or not self._providers:
            return
        self._assigned()
        missing = [b for b in missing if b not in self._clients]
        found = (
            _client_grants(self._providers, client_ids=missing) if missing and self._bam_of else {}
        )
        for business_id in missing:
            self._clients[business_id] = found.get(business_id)

    def among(self, accounts) -> list[ProgramAccount]:
        """Those of ``accounts`` (program accounts, in their order) the person may open:
        checked on their grants, the clients' among them read in one query. For a few
        accounts named elsewhere (the header's recent ones); a list of a scope filters
        with ``account_filter``."""
        accounts = list(accounts)
        self._load_clients({account.business_id for account in accounts})
        return [
            account
            for account in accounts
            if (grant := self.grant(account.business_id)) is not None and grant.covers(account.pk)
        ]

    def can(self, perm: Perm, *, business_id: int, account_id: int | None = None) -> bool:
        grant = self.grant(business_id)
        return grant is not None and grant.allows(perm, account_id)

    def _assigned(self) -> list[Grant]:
        """The clients the person acts for as a provider's employee other than its
        Business Account Manager (bounded by their assignments), read once."""
        bam_of = self._bam_of
        others = {b: e for b, e in self._providers.items() if b not in bam_of}
        if others and not self._assigned_loaded:
            for business_id, grant in _client_grants(others).items():
                self._clients.setdefault(business_id, grant)
            self._assigned_loaded = True
        return [g for g in self._clients.values() if g is not None and g.provider_id in others]

    def account_filter(self, perm: Perm | None = None, *, via: str = "", clients: bool = True) -> Q:
        """A condition on ``via`` (a path to a ProgramAccount; "" for ProgramAccount
        itself) matching the accounts the person holds ``perm`` on (with ``clients``
        false: in their own businesses only). A provider's manager's clients are a
        subquery: the condition's size does not grow with them. Built once per request
        for each (perm, via, clients): the header and the page both ask."""
        key = (perm, via, clients)
        if key not in self._filters:
            self._filters[key] = self._account_filter(perm, via, clients)
        return self._filters[key]

    def _account_filter(self, perm: Perm | None, via: str, clients: bool) -> Q:
        prefix = f"{via}__" if via else ""
        account_ref = f"{prefix}{'pk' if not via else 'id'}"
        account_pk = f"{account_ref}__in"
        whole, some = [], set()
        for grant in [*self.own.values(), *(self._assigned() if clients else ())]:
            if perm is not None and perm not in grant.permissions:
                continue
            if grant.business_id in self.own and grant.is_provider:
                continue  # their own employment in the client wins
            if grant.account_ids is None:
                whole.append(grant.business_id)
            else:
                some |= grant.account_ids
        condition = Q(pk__in=[])
        if whole:
            condition |= Q(**{f"{prefix}business_id__in": whole})
        if some:
            condition |= Q(**{account_pk: sorted(some)})
        if clients and (bam_of := self._bam_of):
            for kind, permissions in RELATIONSHIP_PERMISSIONS.items():
                if perm is not None and perm not in permissions:
                    continue
                related = Relationship.objects.filter(
                    status=Relationship.Status.ACTIVE, provider_id__in=bam_of, kind=kind
                ).exclude(client_id__in=list(self.own))
                # EXISTS, not IN: PostgreSQL plans both a lookup per row (relationship_
                # client_status) and a hashed set, and picks by the rows it expects. The
                # header's handful of accounts: 0.1 ms, not a 2.5 ms read of all 5,000
                # relationships into a hash (bench/pages.py's broker).
                if kind == Relationship.Kind.BUSINESS:
                    condition |= Exists(related.filter(client_id=OuterRef(f"{prefix}business_id")))
                else:
                    delegated = Relationship.program_accounts.through.objects.filter(
                        relationship__in=related, programaccount_id=OuterRef(account_ref)
                    )
                    condition |= Exists(delegated)
        return condition

    def program_accounts(self, perm: Perm | None = None) -> QuerySet[ProgramAccount]:
        """The program accounts the person may open (with ``perm``), with their business."""
        return ProgramAccount.objects.filter(self.account_filter(perm)).select_related("business")


def _own_grants(user) -> tuple[dict[int, Grant], dict[int, Employment]]:
    """One query for the person's employments (scopes aggregated in it): their grants,
    and the employments held in service providers (which act for clients)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}, {}
    provider_account = ProgramAccount.objects.filter(
        business_id=OuterRef("business_id"), program_type__in=PROVIDER_PROGRAM_TYPES
    )
    employments = list(
        Employment.objects.filter(user=user, status=Employment.Status.ACTIVE).annotate(
            scope=ArrayAgg("program_accounts", filter=Q(program_accounts__isnull=False)),
            is_provider=Exists(provider_account),
        )
    )
    grants: dict[int, Grant] = {}
    providers: dict[int, Employment] = {}
    for employment in employments:
        permissions = ROLE_PERMISSIONS[employment.role]
        if not employment.is_provider:
            permissions = permissions - PROVIDER_ONLY
        grants[employment.business_id] = Grant(
            business_id=employment.business_id,
            permissions=frozenset(permissions),
            account_ids=scope_of(employment.role, employment.scope),
            role=employment.role,
        )
        if employment.is_provider:
            providers[employment.business_id] = employment
    return grants, providers


def _client_grants(
    providers: dict[int, Employment], client_ids: list[int] | None = None
) -> dict[int, Grant]:
    """The grants of the clients the person acts for through ``providers`` (their
    employments in service providers), or of ``client_ids`` among them: one query, a
    second when some are program management (their delegated accounts). The provider's
    Business Account Manager acts for every client; anyone else for the clients assigned
    to them, directly or through a client group."""
    bam_of = [b for b, e in providers.items() if e.role == Role.BUSINESS_ACCOUNT_MANAGER]
    relationships = Relationship.objects.filter(
        status=Relationship.Status.ACTIVE, provider_id__in=providers
    )
    if client_ids is not None:
        relationships = relationships.filter(client_id__in=client_ids)
    relationships = relationships.only("client_id", "provider_id", "kind").order_by("pk")
    if len(bam_of) < len(providers):
        # Someone other than a Business Account Manager: their assignments decide.
        employment_ids = [e.pk for e in providers.values()]
        assigned = ClientAssignment.objects.filter(employment_id__in=employment_ids).values(
            "client_id"
        )
        grouped = ClientGroup.clients.through.objects.filter(
            clientgroup__deleted_at__isnull=True,
            clientgroup__members__in=employment_ids,
        ).values("business_id")
        # DELEG-1, DELEG-4: a direct assignment may name some of the client's accounts; a
        # client group gives the whole client.
        assignment_scope = (
            ClientAssignment.objects.filter(
                employment_id__in=employment_ids, client_id=OuterRef("client_id")
            )
            .values("client_id")
            .annotate(scope=ArrayAgg("program_accounts", filter=Q(program_accounts__isnull=False)))
            .values("scope")[:1]
        )
        relationships = relationships.filter(
            Q(provider_id__in=bam_of) | Q(client_id__in=assigned) | Q(client_id__in=grouped)
        ).annotate(
            via_group=Exists(grouped.filter(business_id=OuterRef("client_id"))),
            assigned_accounts=Subquery(assignment_scope),
        )
    rows = list(relationships)
    # Program management: the accounts the client delegated (business management: all).
    delegated: dict[int, set[int]] = {}
    program = [r.pk for r in rows if r.kind == Relationship.Kind.PROGRAM]
    if program:
        through = Relationship.program_accounts.through.objects.filter(relationship_id__in=program)
        for relationship_id, account_id in through.values_list(
            "relationship_id", "programaccount_id"
        ):
            delegated.setdefault(relationship_id, set()).add(account_id)
    grants: dict[int, Grant] = {}
    for relationship in rows:
        if relationship.client_id in grants:
            continue  # the first relationship wins (their own employment wins over any)
        employment = providers[relationship.provider_id]
        permissions = RELATIONSHIP_PERMISSIONS[relationship.kind]
        if employment.role == Role.READER:
            permissions = permissions - _EDITS
        if relationship.kind == Relationship.Kind.BUSINESS:
            accounts = None
        else:
            accounts = frozenset(delegated.get(relationship.pk, ()))
        if employment.role != Role.BUSINESS_ACCOUNT_MANAGER and not relationship.via_group:
            chosen = relationship.assigned_accounts
            if chosen:
                chosen = frozenset(chosen)
                accounts = chosen if accounts is None else accounts & chosen
        grants[relationship.client_id] = Grant(
            business_id=relationship.client_id,
            permissions=frozenset(permissions),
            account_ids=accounts,
            role=employment.role,
            relationship_kind=relationship.kind,
            provider_id=relationship.provider_id,
        )
    return grants


def access_for(request) -> Access:
    """The person's grants for this request, made on first use and kept on the request."""
    access = getattr(request, "_access", None)
    if access is None or access.user is not request.user:
        access = Access(request.user)
        request._access = access
    return access


# --- What a view acts on ------------------------------------------------------------------


@dataclass
class Acting:
    """The target of a business-scoped view, resolved by ``@requires``."""

    grant: Grant
    business: Business
    account: ProgramAccount | None = None
    object: Model | None = None

    def can(self, perm: Perm) -> bool:
        return self.grant.allows(Perm(perm), self.account.pk if self.account else None)

    @property
    def for_client(self) -> bool:
        """Whether the person acts for a client (as a service provider's employee)."""
        return self.grant.is_provider


def _resolve_path(obj: Model, via: str):
    target = obj
    for part in via.split("__"):
        target = getattr(target, part)
    return target


def requires(
    perm: Perm,
    *,
    account: str | None = None,
    business: str | None = None,
    model: type[Model] | None = None,
    via: str = "program_account",
    lookup: str = "pk",
):
    """Declare what a view needs (STYLE 3) and resolve what it acts on.

    - no target argument: the current program account (the header's switcher);
    - ``account="pk"``: the URL argument names a ProgramAccount;
    - ``business="pk"``: the URL argument names a Business;
    - ``model=M`` (and ``via``): the URL argument ``lookup`` names an ``M``, whose
      ``via`` path leads to its ProgramAccount (or Business).

    Anonymous → the sign-in page; no grant on the target → 404; grant without ``perm``
    (or not covering the account) → 403. Sets ``request.acting``.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            access = access_for(request)
            try:
                if model is not None:
                    obj = model._default_manager.filter(pk=kwargs.get(lookup)).first()
                    if obj is None:
                        raise Http404
                    target = _resolve_path(obj, via)
                elif account is not None:
                    obj = None
                    target = (
                        ProgramAccount.objects.select_related("business")
                        .filter(pk=kwargs.get(account))
                        .first()
                    )
                elif business is not None:
                    obj = None
                    target = Business.objects.filter(pk=kwargs.get(business)).first()
                else:
                    obj = None
                    target = request.nav.account
                acting = _acting_on(access, target, obj)
            except Http404:
                _audit_denied(request, perm, 404)
                raise
            if not acting.can(perm):
                _audit_denied(request, perm, 403, business=acting.business)
                raise PermissionDenied
            request.acting = acting
            request.audit = audit_context(request, acting.grant)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def audit_context(request, grant: Grant) -> AuditContext:
    """What the services write in their audit entries (STYLE 11): the person's own
    business, or the provider and the client when a provider's employee acts for one."""
    if grant.is_provider:
        return AuditContext.from_request(
            request, business_id=grant.provider_id, acting_for_id=grant.business_id
        )
    return AuditContext.from_request(request, business_id=grant.business_id)


def _audit_denied(request, perm: Perm, status: int, *, business=None) -> None:
    """SEC-9: every refusal of this module is audited, with the permission asked for."""
    audit_record(
        action="authorization.denied",
        request=request,
        business=business,
        changes={"permission": str(perm), "status": status, "path": request.path[:200]},
    )


def _acting_on(access: Access, target, obj) -> Acting:
    if isinstance(target, ProgramAccount):
        grant = access.grant(target.business_id)
        if grant is None or not grant.covers(target.pk):
            raise Http404
        return Acting(grant=grant, business=target.business, account=target, object=obj)
    if isinstance(target, Business):
        grant = access.grant(target.pk)
        if grant is None:
            raise Http404
        return Acting(grant=grant, business=target, object=obj)
    raise Http404


# --- Managers and their employees (DELEG-0, DELEG-1) -------------------------------------


class DelegationError(Exception):
    """A change the rules refuse; the message is translated and shown to the person."""


def grant_accounts(grant: Grant) -> QuerySet[ProgramAccount]:
    """The program accounts of the grant's business within its scope, in list order."""
    accounts = ProgramAccount.objects.filter(business_id=grant.business_id)
    if grant.account_ids is not None:
        accounts = accounts.filter(pk__in=grant.account_ids)
    return accounts.order_by("program_identifier", "reference_number")


# Who may delegate what (DELEG-0, DELEG-1): a Business Account Manager the whole business
# and every role; a Program Account Manager only within their program accounts, never the
# Business Account Manager role, never a Business Account Manager's access.


@dataclass(frozen=True)
class Reach:
    """What one manager may delegate in one business (from their ``Grant``)."""

    business_id: int
    role: str
    account_ids: frozenset[int] | None  # None: the whole business

    @classmethod
    def of(cls, grant) -> Reach:
        if grant.is_provider:  # DELEG-3: never a service provider
            raise DelegationError(_("Only the business's own managers manage its employees."))
        return cls(business_id=grant.business_id, role=grant.role, account_ids=grant.account_ids)

    @property
    def is_bam(self) -> bool:
        return self.role == Role.BUSINESS_ACCOUNT_MANAGER

    @property
    def restricted(self) -> bool:
        return self.account_ids is not None

    def roles(self) -> list[str]:
        if self.is_bam:
            return list(Role.values)
        return [r for r in Role.values if r != Role.BUSINESS_ACCOUNT_MANAGER]

    def accounts(self) -> QuerySet[ProgramAccount]:
        return grant_accounts(self)

    def sees(self, *, role: str, account_ids: set[int]) -> bool:
        """Whether the employee shows in this manager's list: their access covers one of
        the manager's program accounts."""
        if not self.restricted:
            return True
        scope = scope_of(role, account_ids)
        return scope is None or bool(scope & self.account_ids)

    def manages(self, *, role: str, account_ids: set[int]) -> bool:
        """Whether this manager may change an employee with ``role`` and scope
        ``account_ids`` (empty: every program account of the business)."""
        if role == Role.BUSINESS_ACCOUNT_MANAGER:
            return self.is_bam
        if not self.restricted:
            return True
        return bool(account_ids) and account_ids <= self.account_ids


def employment_scope(employment: Employment) -> set[int]:
    return set(employment.program_accounts.values_list("pk", flat=True))


def can_see_employee(grant: Grant, employment: Employment) -> bool:
    """Whether the manager holding ``grant`` sees this active employee (else 404)."""
    return employment.status == Employment.Status.ACTIVE and Reach.of(grant).sees(
        role=employment.role, account_ids=employment_scope(employment)
    )


def can_manage_employee(grant: Grant, employment: Employment) -> bool:
    """Whether the manager holding ``grant`` may change this employee (else 403)."""
    return Reach.of(grant).manages(role=employment.role, account_ids=employment_scope(employment))


def check_manages_employee(grant: Grant, employment: Employment) -> Reach:
    """An active employee the manager sees (else 404) and may change (else 403): the
    rules of ``can_see_employee`` and ``can_manage_employee``, with one query."""
    reach = Reach.of(grant)
    if employment.status != Employment.Status.ACTIVE:
        raise Http404
    ids = employment_scope(employment)
    if not reach.sees(role=employment.role, account_ids=ids):
        raise Http404
    if not reach.manages(role=employment.role, account_ids=ids):
        raise PermissionDenied
    return reach


def is_manager(user, business_id: int) -> bool:
    """Whether ``user`` is, right now, an active Business or Program Account Manager of
    the business (checked again inside a write, under its locks)."""
    return Employment.objects.filter(
        user=user,
        business_id=business_id,
        status=Employment.Status.ACTIVE,
        role__in=[Role.BUSINESS_ACCOUNT_MANAGER, Role.PROGRAM_ACCOUNT_MANAGER],
    ).exists()
