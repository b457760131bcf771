"""Demo commercial accounting declarations for ``seed_demo`` (``make run``, SPEC DECL-*):
for the demo importer, a few CADs in different states, worked through the real services
(the duties computed by the calculator's engine on the sample tariff): submitted by the
importer, submitted by its customs broker's agent, corrected, an adjustment waiting for
the CBSA, and a late draft. Idempotent: an account that already has CADs gets none."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from business.models import Business, ProgramAccount
from calculator import declarations_services as services
from calculator.models import Declaration
from carm_portal.audit import AuditContext

D = Decimal


def _header(release: datetime.date, **extra) -> dict:
    return {
        "release_date": release,
        "port_code": "0395",
        "office": "Montréal",
        "carrier_code": "2K4L",
        "cargo_control_number": f"2K4L{release:%Y%m%d}001",
        "vendor_name": "Pacific Apparel Trading Co.",
        "vendor_country": "CN",
        "currency": "USD",
        "exchange_rate_date": release - datetime.timedelta(days=2),
        **extra,
    }


T_SHIRTS = {
    "classification_number": "6109.10.00.12",
    "description": "Men's cotton T-shirts",
    "origin": "CN",
    "treatment": "MFN",
    "value": D("4200.00"),
    "quantity": D("1400"),
    "unit": "NMB",
}
SWEATERS = {
    "classification_number": "6110.11.10.00",
    "description": "Women's wool cardigans",
    "origin": "AU",
    "treatment": "AUT",
    "value": D("2600.00"),
    "quantity": D("130"),
    "unit": "NMB",
}
COFFEE = {
    "classification_number": "0901.11.00.10",
    "description": "Green coffee beans, certified organic",
    "origin": "CO",
    "treatment": "COLT",
    "value": D("9800.00"),
    "quantity": D("2000"),
    "unit": "KGM",
}


def seed_declarations(*, account: ProgramAccount, importer_user, agent, broker: Business) -> int:
    if Declaration.objects.filter(program_account=account).exists():
        return 0
    today = timezone.localdate()
    own = AuditContext.system(actor=importer_user).about(account.business)
    for_client = AuditContext(actor=agent, business_id=broker.pk, acting_for_id=account.business_id)

    def submit(release, lines, user, audit, **extra):
        cad = services.draft_save(
            program_account=account,
            header=_header(release, **extra),
            lines=lines,
            actor=user,
            audit=audit,
        )
        return services.declaration_submit(declaration=cad, actor=user, audit=audit)

    submit(today - datetime.timedelta(days=3), [T_SHIRTS, SWEATERS], importer_user, own)
    # The customs broker's agent accounts for the importer's coffee.
    submit(
        today - datetime.timedelta(days=2),
        [COFFEE, {**COFFEE, "description": "Green coffee beans", "value": D("5100.00")}],
        agent,
        for_client,
        vendor_name="Café de Los Andes S.A.S.",
        vendor_country="CO",
        port_code="0809",
        office="Vancouver",
    )
    corrected = submit(today - datetime.timedelta(days=5), [T_SHIRTS], importer_user, own)
    services.declaration_change(
        declaration=corrected,
        header=_header(today - datetime.timedelta(days=5)),
        lines=[{**T_SHIRTS, "value": D("3900.00")}],
        reason="The vendor's corrected invoice: a 300 USD discount.",
        actor=importer_user,
        audit=own,
    )
    adjusted = submit(today - datetime.timedelta(days=40), [SWEATERS], importer_user, own)
    services.declaration_change(
        declaration=adjusted,
        header=_header(today - datetime.timedelta(days=40)),
        lines=[{**SWEATERS, "treatment": "MFN"}],
        reason="The certificate of origin was not valid: MFN instead of AUT.",
        actor=importer_user,
        audit=own,
        today=adjusted.payment_due_date + datetime.timedelta(days=1),
    )
    # A draft released 10 days ago: late.
    services.draft_save(
        program_account=account,
        header=_header(today - datetime.timedelta(days=10)),
        lines=[T_SHIRTS, {"description": "Caps, classification to confirm"}],
        actor=importer_user,
        audit=own,
    )
    return 5


def seed_demo_declarations() -> int:
    """For ``seed_demo``: the demo importer's CADs, one submitted by the demo broker."""
    account = ProgramAccount.objects.select_related("business").get(
        business__bn9="549132583", program_identifier="RM", reference_number="0001"
    )
    User = get_user_model()
    return seed_declarations(
        account=account,
        importer_user=User.objects.get(username="demoimporter"),
        agent=User.objects.get(username="demoagent"),
        broker=Business.objects.get(bn9="871234569"),
    )
