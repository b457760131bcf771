"""The catalogue of notice types the portal's code sends (SPEC NOTE-4).

Each area that sends notices adds its types here: a code (what the code passes to
``notice_send``), the English and French labels (the guide's where it has one), which
employees of a business receive it, and whether its texts come from templates
(``templates/notices/system/<code>_subject.txt`` and ``_body.txt``).

The rows are created after every ``migrate`` (and after a test database is flushed),
the way Django creates permissions; rows already there are left alone, so labels that
CBSA staff changed in the admin stay as they are. Staff may add their own types there.
"""

from __future__ import annotations

MANAGERS, EMPLOYEES = "managers", "employees"

CATALOGUE = [
    # (code, English label, French label, audience, system)
    (
        "delegation_pending_access",
        "Changes to delegation – Pending access",
        "Modifications apportées à la délégation – En attente de l'accès",
        MANAGERS,
        True,
    ),
    (
        "access_request_answered",
        "Changes to delegation – Access request answered",
        "Modifications apportées à la délégation – Réponse à la demande d'accès",
        EMPLOYEES,
        True,
    ),
    (
        "access_changed",
        "Changes to delegation – Access changed",
        "Modifications apportées à la délégation – Accès modifié",
        EMPLOYEES,
        True,
    ),
    (
        "employees_changed",
        "Changes to delegation – Employee access",
        "Modifications apportées à la délégation – Accès des employés",
        MANAGERS,
        True,
    ),
    (
        "relationship_requested",
        "Business relationships – Request received",
        "Relations d'affaires – Demande reçue",
        MANAGERS,
        True,
    ),
    (
        "relationship_answered",
        "Business relationships – Request answered",
        "Relations d'affaires – Réponse à la demande",
        MANAGERS,
        True,
    ),
    (
        "relationship_ended",
        "Business relationships – Relationship ended",
        "Relations d'affaires – Fin de la relation",
        MANAGERS,
        True,
    ),
    (
        "client_access_changed",
        "Changes to delegation – Client access",
        "Modifications apportées à la délégation – Accès aux clients",
        EMPLOYEES,
        True,
    ),
    (
        "document_received",
        "Document upload – Documents received",
        "Téléchargement de documents – Documents reçus",
        EMPLOYEES,
        True,
    ),
    (
        "document_rejected",
        "Document upload – Document rejected",
        "Téléchargement de documents – Document refusé",
        EMPLOYEES,
        True,
    ),
    (
        "ruling_status_changed",
        "Rulings – Status changed",
        "Décisions – Changement d'état",
        EMPLOYEES,
        True,
    ),
    (
        "statement_available",
        "Statement of account available",
        "Relevé de compte disponible",
        EMPLOYEES,
        True,
    ),
    # LINK-5: CBSA staff corrected what is on file (a new correcting transaction).
    (
        "ledger_corrected",
        "Financial information – Correction by the CBSA",
        "Renseignements financiers – Correction par l'ASFC",
        EMPLOYEES,
        True,
    ),
    # FIN-6: a payment applied to the program account (card, bill payment, wire transfer).
    (
        "payment_received",
        "Payments – Payment received",
        "Paiements – Paiement reçu",
        EMPLOYEES,
        True,
    ),
    # FIN-7, FIN-8: payment arrangements and collections (never to service providers).
    (
        "arrangement_answered",
        "Payment arrangements – Answer from the CBSA",
        "Arrangements de paiement – Réponse de l'ASFC",
        EMPLOYEES,
        True,
    ),
    (
        "instalment_missed",
        "Payment arrangements – Missed instalment",
        "Arrangements de paiement – Versement manqué",
        EMPLOYEES,
        True,
    ),
    (
        "collection_notice",
        "Collections – Overdue amount",
        "Recouvrements – Montant en souffrance",
        EMPLOYEES,
        True,
    ),
    # FIN-9: a change of business or program account information answered.
    (
        "profile_change_answered",
        "Business information – Change request answered",
        "Renseignements sur l'entreprise – Réponse à la demande de modification",
        EMPLOYEES,
        True,
    ),
    # DECL-4: a new version of a commercial accounting declaration, or CBSA's decision.
    (
        "declaration_changed",
        "Declarations – Commercial accounting declaration changed",
        "Déclarations – Déclaration en détail des marchandises commerciales modifiée",
        EMPLOYEES,
        True,
    ),
    # The person's own sign-in (SEC-1, SEC-4): sent to them only.
    (
        "second_factor_failed",
        "Sign-in – Wrong second-factor code",
        "Ouverture de session – Code du deuxième facteur erroné",
        EMPLOYEES,
        True,
    ),
    (
        "second_factor_reset",
        "Sign-in – Second factor reset",
        "Ouverture de session – Deuxième facteur réinitialisé",
        EMPLOYEES,
        True,
    ),
    ("cbsa_message", "CBSA message", "Message de l'ASFC", EMPLOYEES, False),
    ("cbsa_urgent", "Urgent CBSA message", "Message urgent de l'ASFC", EMPLOYEES, False),
]


# What each system type's templates need in ``context`` (notice_send refuses less).
# Values are plain text, numbers, dates or lazy translations (rendered in each language).
CONTEXT = {
    "delegation_pending_access": ("requester", "business_name", "bn9"),
    "access_request_answered": ("approved", "business_name", "bn9"),  # optional: reason
    "access_changed": ("business_name", "bn9", "removed", "role"),
    "employees_changed": ("person", "action", "role", "business_name", "bn9"),
    "relationship_requested": ("provider_name", "provider_bn9", "client_name", "client_bn9"),
    "relationship_answered": ("approved", "client_name", "client_bn9", "provider_name"),
    "relationship_ended": ("provider_name", "client_name", "client_bn9", "expired"),
    "client_access_changed": ("client_name", "client_bn9", "granted"),
    "document_received": ("case_number", "file_count"),
    "document_rejected": ("case_number", "file_name", "reason"),  # infected, type, unreadable
    "ruling_status_changed": ("case_number", "status"),
    "statement_available": ("period_start", "period_end", "due_date"),
    # optional: kind ("invoice", "payment"; a transaction without it), total
    "ledger_corrected": ("number", "corrected", "amount", "reason"),
    "payment_received": ("reference", "amount", "date"),
    "arrangement_answered": ("approved", "total", "instalments", "reason"),
    "instalment_missed": ("number", "due_date", "amount"),
    "collection_notice": ("stage", "count", "total", "numbers"),
    "profile_change_answered": ("approved", "what", "reason"),
    "declaration_changed": ("number", "version", "status", "difference"),
    "second_factor_failed": ("locked",),
    "second_factor_reset": (),
}


def catalogue_sync(*, apps=None, using: str = "default", **kwargs) -> int:
    """Create the catalogue's missing rows; return how many were created."""
    if apps is None:
        from django.apps import apps
    try:
        NoticeType = apps.get_model("notices", "NoticeType")
    except LookupError:  # before the notices tables exist
        return 0
    existing = set(NoticeType.objects.using(using).values_list("code", flat=True))
    missing = [
        NoticeType(code=code, label_en=english, label_fr=french, audience=audience, system=system)
        for code, english, french, audience, system in CATALOGUE
        if code not in existing
    ]
    NoticeType.objects.using(using).bulk_create(missing, ignore_conflicts=True)
    return len(missing)
