"""The signed-in navigation (HOME-1, HOME-2): current program account, tiles, MENU.

A tile lists the services of one area; a service appears only once its page exists (its
URL name resolves), and a tile only when it has a service: no link leads to a 404 or to
an empty page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from business.models import ProgramAccount
from delegation.access import Perm, access_for

CURRENT_ACCOUNT_KEY = "current_program_account"
RECENT_ACCOUNTS_KEY = "recent_program_accounts"
RECENT_ACCOUNTS = 5
# The session remembers for this long that the person has more accounts than the switcher
# lists (Navigation.many_accounts).
MANY_ACCOUNTS_KEY = "many_program_accounts_until"
MANY_ACCOUNTS_FOR = 600
# The header's switcher never lists more accounts than this (a broker may act for
# thousands of clients): beyond, the recent and own ones, and the search page.
SWITCHER_SIZE = 20
ACCOUNT_ORDER = ("business__legal_name", "program_identifier", "reference_number", "pk")


def _account_order(account) -> tuple:
    """ACCOUNT_ORDER in Python, for the few accounts of a small scope (code point order,
    as the database's C.UTF-8 collation)."""
    return (
        account.business.legal_name,
        account.program_identifier,
        account.reference_number,
        account.pk,
    )


def remember_account(session, account_id: int) -> None:
    """The account chosen becomes current and first of the recent ones (the switcher)."""
    session[CURRENT_ACCOUNT_KEY] = account_id
    recent = [pk for pk in session.get(RECENT_ACCOUNTS_KEY, []) if pk != account_id]
    session[RECENT_ACCOUNTS_KEY] = [account_id, *recent][:RECENT_ACCOUNTS]


@dataclass(frozen=True)
class Service:
    url_name: str
    title: str
    description: str
    args: Callable | None = None  # request -> args for reverse(), or None when not applicable
    perm: Perm | None = None  # the permission the page needs


@dataclass
class Tile:
    key: str
    title: str
    description: str
    services: list[dict] = field(default_factory=list)

    @property
    def url(self) -> str:
        return reverse("business:area", args=[self.key])


def _current_business(request):
    account = request.nav.account
    return [account.business_id] if account else None


def _current_account(request):
    account = request.nav.account
    return [account.pk] if account else None


TILES = [
    (
        "configure",
        _("Configure my portal"),
        _("Manage access to this portal account."),
        [
            Service(
                "delegation:employees",
                _("Manage my employees"),
                _("Manage your employees' access and pending requests."),
                perm=Perm.MANAGE_EMPLOYEES,
            ),
            Service(
                "delegation:relationships",
                _("Manage my business relationships"),
                _("Manage business relationships and access requests."),
                perm=Perm.MANAGE_CLIENT_RELATIONSHIPS,
            ),
            Service(
                "delegation:client_groups",
                _("Manage my client groups"),
                _("Create and manage client groups."),
                perm=Perm.MANAGE_CLIENT_GROUPS,
            ),
        ],
    ),
    (
        "accounts",
        _("Accounts and profiles"),
        _("View and update your personal and business profiles."),
        [
            Service(
                "accounts:profile",
                _("Personal profile"),
                _("Update your personal information and portal preferences."),
            ),
            Service(
                "business:business_profile",
                _("Business profile"),
                _("View the business's information, including addresses and ownership."),
                _current_business,
                perm=Perm.VIEW_BUSINESS_PROFILE,
            ),
            Service(
                "business:program_accounts",
                _("Program account list"),
                _("View the program accounts associated with the business."),
                perm=Perm.VIEW_PROGRAM_LIST,
            ),
            Service(
                "business:program_account_profile",
                _("Program account profile"),
                _(
                    "View the program account's information, including its RM number, name and addresses."
                ),
                _current_account,
                perm=Perm.VIEW_PROGRAM_ACCOUNT,
            ),
        ],
    ),
    (
        "financial",
        _("Financial information"),
        _("View detailed account history, statements and invoices."),
        [
            Service(
                "finance:transactions",
                _("Transaction history"),
                _("View the transaction history and the account balance, and make payments."),
                perm=Perm.VIEW_TRANSACTIONS,
            ),
            Service(
                "finance:statements",
                _("Statement of account"),
                _("Statements describing transactions with the CBSA."),
                perm=Perm.VIEW_TRANSACTIONS,
            ),
            Service(
                "finance:invoices",
                _("CBSA invoices"),
                _("Invoices billed to you by the CBSA."),
                perm=Perm.VIEW_TRANSACTIONS,
            ),
            Service(
                "finance:security",
                _("Financial security"),
                _("The security required to release goods before payment, and what is posted."),
                perm=Perm.VIEW_FINANCIAL_SECURITY,
            ),
        ],
    ),
    (
        "payments",
        _("Payments"),
        _("View and make payments and payment arrangements."),
        [
            Service(
                "finance:pay",
                _("Make a payment"),
                _("Pay open transactions by credit or debit card."),
                perm=Perm.EDIT_TRANSACTIONS,
            ),
            Service(
                "finance:pay_other",
                _("Other ways to pay"),
                _("Online banking bill payment and wire transfer: the reference to quote."),
                perm=Perm.VIEW_TRANSACTIONS,
            ),
            Service(
                "finance:apply_credits",
                _("Apply credits as payment"),
                _("Apply your account credit to specific transactions you want to settle now."),
                perm=Perm.EDIT_TRANSACTIONS,
            ),
            Service(
                "finance:pad",
                _("Pre-authorized debit"),
                _("Set up monthly withdrawals from your bank account."),
                perm=Perm.MANAGE_PAD,
            ),
            Service(
                "finance:arrangements",
                _("Payment arrangements"),
                _("Propose to pay an overdue balance in instalments, and follow the schedule."),
                perm=Perm.VIEW_COLLECTIONS,
            ),
            Service(
                "finance:collections",
                _("Collections"),
                _("Overdue amounts and the collection notices sent about them."),
                perm=Perm.VIEW_COLLECTIONS,
            ),
        ],
    ),
    (
        "declarations",
        _("Declarations"),
        _("View and create declarations."),
        [
            Service(
                "declarations:list",
                _("Commercial accounting declarations"),
                _("Create, submit, correct and adjust your CADs; duties computed line by line."),
                perm=Perm.VIEW_DECLARATIONS,
            ),
            Service(
                "calculator:customs",
                _("Duties and taxes calculator"),
                _("Estimate the duties and taxes of a good."),
            ),
        ],
    ),
    (
        "rulings",
        _("Rulings"),
        _("View and manage your ruling requests."),
        [
            Service(
                "rulings:list",
                _("Rulings"),
                _("View your ruling requests, their details, and request new rulings."),
                perm=Perm.VIEW_REQUESTS,
            ),
        ],
    ),
]


def _link(request, service: Service) -> dict | None:
    args = service.args(request) if service.args else []
    if args is None:
        return None
    if service.perm is not None and not request.nav.can(service.perm):
        return None
    try:
        url = reverse(service.url_name, args=args)
    except NoReverseMatch:
        return None
    return {"url": url, "title": service.title, "description": service.description}


def tiles_for(request) -> list[Tile]:
    tiles = []
    for key, title, description, services in TILES:
        links = [link for s in services if (link := _link(request, s))]
        if links:
            tiles.append(Tile(key=key, title=title, description=description, services=links))
    return tiles


class Navigation:
    """What the signed-in header needs, computed on first use, once per request."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def _first_accounts(self) -> list:
        """Up to SWITCHER_SIZE + 1 program accounts of the person's scope, in the
        switcher's order when that is all of them. One query, unsorted: it stops at the
        first ones found, where sorting a broker's thousands of accounts by name to keep
        21 cost more than the rest of a page (bench/pages.py)."""
        if not self.request.user.is_authenticated:
            return []
        found = list(access_for(self.request).program_accounts().order_by()[: SWITCHER_SIZE + 1])
        if len(found) <= SWITCHER_SIZE:
            found.sort(key=_account_order)
        return found

    @cached_property
    def many_accounts(self) -> bool:
        """More accounts than the switcher shows (a broker with thousands of clients): the
        switcher lists the recent and own ones and links to the search page.

        Once found, the session remembers it for MANY_ACCOUNTS_FOR seconds, so that a
        broker's pages skip the probe (a query over the scope's subqueries, a fifth of a
        minimal page). The hint only chooses the switcher's layout: the accounts it lists
        are still read through the person's scope on every request."""
        if not self.request.user.is_authenticated:
            return False
        session = self.request.session
        until = session.get(MANY_ACCOUNTS_KEY)
        if until and until > time.time():
            return True
        many = len(self._first_accounts) > SWITCHER_SIZE
        if many:
            session[MANY_ACCOUNTS_KEY] = time.time() + MANY_ACCOUNTS_FOR
        elif until:
            del session[MANY_ACCOUNTS_KEY]
        return many

    @cached_property
    def _shown(self) -> list:
        """With many accounts: the chosen one, the recently chosen ones and the person's
        own businesses', in the switcher's order. One query for the person's own accounts
        and those named in the session, whose grants then say which the person may still
        open (a client's: one more query, ``Access.among``), rather than the whole
        scope's subqueries over thousands of clients (a third of a broker's minimal
        page, bench/pages.py)."""
        access = access_for(self.request)
        session = self.request.session
        wanted = [
            pk
            for pk in [session.get(CURRENT_ACCOUNT_KEY), *session.get(RECENT_ACCOUNTS_KEY, [])]
            if pk
        ]
        # The own accounts the person may open and the named ones, which `among` checks:
        # at most len(wanted) of them are refused, so the slice keeps enough.
        candidates = (
            ProgramAccount.objects.filter(Q(pk__in=wanted) | access.account_filter(clients=False))
            .select_related("business")
            .order_by(*ACCOUNT_ORDER)[: SWITCHER_SIZE + len(wanted)]
        )
        return access.among(candidates)[:SWITCHER_SIZE]

    @cached_property
    def account(self):
        """The program account the person works in: the one chosen in the header, else
        the first one in their scope (with many accounts: the first of the switcher's). One
        query with few accounts, two with many (a third when the chosen one is not among
        the switcher's)."""
        chosen = self.request.session.get(CURRENT_ACCOUNT_KEY)
        if not self.many_accounts:
            first = self._first_accounts
            found = next((a for a in first if a.pk == chosen), None)
            return found or (first[0] if first else None)
        shown = self._shown
        found = next((a for a in shown if a.pk == chosen), None)
        if found is None and chosen:
            found = access_for(self.request).program_accounts().filter(pk=chosen).first()
        if found or shown:
            return found or shown[0]
        first = self._first_accounts  # neither own nor recent accounts: any of the scope
        return first[0] if first else None

    @cached_property
    def accounts(self) -> list:
        """The program accounts of the header's switcher, never more than SWITCHER_SIZE:
        every account of the person's scope when it is that small (their own businesses'
        and, for a service provider's employee, the clients' they act for, DELEG-4);
        otherwise the current one, the recently chosen ones and the person's own
        businesses'. The grants come from ``delegation.access``."""
        if not self.many_accounts:
            return self._first_accounts
        current, shown = self.account, self._shown
        if current and all(a.pk != current.pk for a in shown):
            shown = [current, *shown[: SWITCHER_SIZE - 1]]
        return shown

    def can(self, perm: Perm) -> bool:
        """Whether the person holds ``perm`` on the current account (to hide links)."""
        account = self.account
        return account is not None and access_for(self.request).can(
            perm, business_id=account.business_id, account_id=account.pk
        )

    @cached_property
    def tiles(self) -> list[Tile]:
        """The tiles of home and the menu, computed once a request (the menu asks twice)."""
        return tiles_for(self.request)

    @cached_property
    def areas(self) -> set[str]:
        """The keys of the tiles the person has (HOME-4): a link to an area page follows
        the same rule as the tile, so none leads to a 404."""
        return {tile.key for tile in self.tiles}

    @cached_property
    def can_upload(self) -> bool:
        """DOC-1: the header's and home's upload links, for those who may upload."""
        return self.can(Perm.EDIT_REQUESTS)

    @cached_property
    def acting_for_client(self) -> bool:
        """Whether the current account is a client's (the header says so, DELEG-4)."""
        account = self.account
        if account is None:
            return False
        return access_for(self.request).is_client(account.business_id)

    @cached_property
    def businesses(self) -> list[dict]:
        """The switcher's groups: one per business, the person's own first."""
        access = access_for(self.request)
        groups: dict[int, dict] = {}
        for account in self.accounts:
            group = groups.setdefault(
                account.business_id,
                {
                    "business": account.business,
                    "client": access.is_client(account.business_id),
                    "accounts": [],
                },
            )
            group["accounts"].append(account)
        return sorted(groups.values(), key=lambda g: g["client"])


class NavigationMiddleware:
    """``request.nav`` (HOME-1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.nav = Navigation(request)
        return self.get_response(request)
