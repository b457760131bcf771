"""The world of the permission-matrix test (STYLE 4, SPEC DELEG-3, X-4).

One client business (*Client*) with two program accounts, ``A`` and ``B``, its own staff
in every role, and service providers (customs brokers) in every kind of relationship with
it. Each *principal* is a person signed in (or not) whose current program account, when
they may choose it, is the client's account ``A``.

Broker 1's business sorts before the client's, so with ``client_current=False`` a
broker's staff work in their own business.

Each app lists its routes in ``<app>/tests/matrix.py`` as ``ROUTES``: rows of
``Route(url name, method, expected statuses)``. The expected statuses are literal, one
per principal in the order of ``PRINCIPALS`` (use ``expect(...)``), never computed from
``delegation.access``: the table is the specification the code is checked against.

Reading a row: 302 for anonymous is the sign-in redirect; 404 means the target's
existence is not revealed (no access at all); 403 means access to the business without
that permission; a successful POST is usually 302 (redirect after the change).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from accounts.tests.factories import UserFactory
from business.navigation import CURRENT_ACCOUNT_KEY
from business.tests.factories import BrokerAccountFactory, BusinessFactory, ProgramAccountFactory
from delegation.models import ClientAssignment, ClientGroup, Employment, Relationship
from delegation.tests.factories import EmploymentFactory

# The principals, in the column order of every row.
PRINCIPALS = (
    "anonymous",  # not signed in
    "unlinked",  # signed in, linked to no business
    "bam",  # the client's Business Account Manager
    "pam",  # the client's Program Account Manager, scope: account A
    "editor",  # the client's Editor (every account)
    "reader",  # the client's Reader (every account)
    "removed",  # was the client's Editor; access removed
    "biz_bam",  # Broker 1's BAM; Broker 1 has business management of the client
    "biz_assigned",  # Broker 1's Editor, assigned to the client
    "biz_group",  # Broker 1's Editor, in a client group holding the client
    "biz_reader",  # Broker 1's Reader, assigned to the client
    "biz_unassigned",  # Broker 1's Editor, not assigned to the client
    "prog_assigned",  # Broker 2's Editor, assigned; Broker 2 has program management of A
    "ended",  # Broker 3's Editor, assigned; Broker 3's relationship was ended
    "biz_account_a",  # Broker 1's Editor, assigned to the client's account A only (DELEG-4)
)


def expect(*statuses: int, account_a_only: int | None = None) -> dict[str, int]:
    """One row's expected statuses, in the order of PRINCIPALS.

    The last principal, ``biz_account_a``, gets ``biz_assigned``'s status unless the row
    says otherwise (``account_a_only``: a row acting on account B, which they may not see).
    """
    if len(statuses) == len(PRINCIPALS) - 1:
        statuses = (*statuses, statuses[PRINCIPALS.index("biz_assigned")])
        if account_a_only is not None:
            statuses = (*statuses[:-1], account_a_only)
    if len(statuses) != len(PRINCIPALS):
        raise ValueError(f"{len(statuses)} statuses for {len(PRINCIPALS)} principals")
    return dict(zip(PRINCIPALS, statuses, strict=True))


@dataclass(frozen=True)
class Route:
    """One row: a URL name, a method, the expected status for each principal.

    ``args``: world -> URL kwargs (may create the objects the route acts on);
    ``data``: world -> POST data (a GET's query);
    ``query``: world -> the query string of the URL itself (a POST's too).
    """

    name: str
    method: str
    statuses: dict[str, int]
    args: Callable[[World], dict[str, Any]] | None = None
    data: Callable[[World], dict[str, Any]] | None = None
    query: Callable[[World], dict[str, Any]] | None = None
    label: str = ""
    # True: each principal's current program account is the client's account A when they
    # may choose it; False: their first one (their own business's, for a broker's staff).
    client_current: bool = True

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}{f' ({self.label})' if self.label else ''}"


@dataclass
class World:
    client: Any  # business.Business
    account_a: Any
    account_b: Any
    broker1: Any
    broker2: Any
    broker3: Any
    broker4: Any  # has asked the client for a relationship: pending
    users: dict[str, Any] = field(default_factory=dict)
    employments: dict[str, Employment] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def employment(self, principal: str) -> Employment:
        return self.employments[principal]


def build_world() -> World:
    client = BusinessFactory(legal_name="Client Importer Inc.")
    account_a = ProgramAccountFactory(business=client, reference_number="0001")
    account_b = ProgramAccountFactory(business=client, reference_number="0002")
    brokers = [
        BrokerAccountFactory(business__legal_name=f"Broker {n} Ltd.").business for n in (1, 2, 3, 4)
    ]
    world = World(client, account_a, account_b, *brokers)
    R = Employment.Role

    def employ(principal, business, role, **kwargs):
        employment = EmploymentFactory(business=business, role=role, **kwargs)
        world.users[principal] = employment.user
        world.employments[principal] = employment
        return employment

    world.users["unlinked"] = UserFactory()
    employ("bam", client, R.BUSINESS_ACCOUNT_MANAGER)
    employ("pam", client, R.PROGRAM_ACCOUNT_MANAGER).program_accounts.add(account_a)
    employ("editor", client, R.EDITOR)
    employ("reader", client, R.READER)
    employ("removed", client, R.EDITOR, status=Employment.Status.REMOVED)

    now = timezone.now()
    business_mgmt = Relationship.objects.create(
        provider=brokers[0],
        client=client,
        kind=Relationship.Kind.BUSINESS,
        status=Relationship.Status.ACTIVE,
        answered_at=now,
    )
    program_mgmt = Relationship.objects.create(
        provider=brokers[1],
        client=client,
        kind=Relationship.Kind.PROGRAM,
        status=Relationship.Status.ACTIVE,
        answered_at=now,
    )
    program_mgmt.program_accounts.add(account_a)
    Relationship.objects.create(
        provider=brokers[2],
        client=client,
        kind=Relationship.Kind.BUSINESS,
        status=Relationship.Status.ENDED,
        answered_at=now,
        ended_at=now,
    )
    world.extra["pending_relationship"] = Relationship.objects.create(
        provider=brokers[3], client=client, comment="We clear your goods at Lacolle."
    )
    world.extra["business_relationship"] = business_mgmt
    world.extra["program_relationship"] = program_mgmt

    employ("biz_bam", brokers[0], R.BUSINESS_ACCOUNT_MANAGER)
    for principal, role in [
        ("biz_assigned", R.EDITOR),
        ("biz_reader", R.READER),
    ]:
        ClientAssignment.objects.create(
            employment=employ(principal, brokers[0], role), client=client
        )
    group = ClientGroup.objects.create(provider=brokers[0], name="Quebec clients")
    group.clients.add(client)
    group.members.add(employ("biz_group", brokers[0], R.EDITOR))
    world.extra["client_group"] = group
    employ("biz_unassigned", brokers[0], R.EDITOR)
    ClientAssignment.objects.create(
        employment=employ("prog_assigned", brokers[1], R.EDITOR), client=client
    )
    ClientAssignment.objects.create(employment=employ("ended", brokers[2], R.EDITOR), client=client)
    ClientAssignment.objects.create(
        employment=employ("biz_account_a", brokers[0], R.EDITOR), client=client
    ).program_accounts.add(account_a)
    # A person asking to join the client (LINK-2): the managers answer it (DELEG-1).
    world.extra["pending_request"] = EmploymentFactory(
        business=client, status=Employment.Status.PENDING, comment="I file our B3s."
    )
    return world


def client_for(world: World, principal: str, *, client_current: bool = True):
    from django.test import Client

    from tests.clients import signed_in_client as _client_for

    if principal == "anonymous":
        return Client()
    client = _client_for(world.users[principal])
    if client_current:
        session = client.session
        session[CURRENT_ACCOUNT_KEY] = world.account_a.pk
        session.save()
    return client
