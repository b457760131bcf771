"""Demo ruling requests for ``seed_demo`` (``make run``): one per status that a person
wants to see, worked through the real services, the decided one with a data sheet on its
case. Idempotent: an account that already has requests gets none."""

from __future__ import annotations

from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from business.models import ProgramAccount
from documents.models import DocumentCategory
from documents.services import upload_batch_create
from rulings import services
from rulings.models import Ruling

CONTEXT = {
    "port_of_entry": "Montréal (0395)",
    "prior": Ruling.Prior.NONE,
    "imported_before": False,
    "will_continue": True,
}
DRILL = {
    "goods_description": "Cordless drill, 18 V, sold with two batteries and a charger",
    "composition": "Steel gearbox, ABS plastic housing, lithium-ion cells",
    "function_and_use": "Drilling holes in wood, metal and plastic",
    "proposed_classification": "8467.21.00",
    "classification_reasons": "Tool for working in the hand, with a self-contained electric motor",
    "samples_available": True,
}
MUGS = {
    "goods_description": "Ceramic mugs, 350 ml, printed with a maple leaf",
    "country_of_origin": "PT",
    "current_marking": "A paper sticker on the base reading 'Portugal'",
    "marking_question": "Is a removable sticker an acceptable marking of the country of origin?",
}


def data_sheet(title: str, lines: list[str]) -> bytes:
    """A one-page PDF, made here: the demo's attachment, scanned like any upload."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter)
    pdf.setTitle(title)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 720, title)
    pdf.setFont("Helvetica", 11)
    for row, line in enumerate(lines):
        pdf.drawString(72, 690 - 16 * row, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def attach_data_sheet(ruling: Ruling, requester) -> None:
    """Upload the product's data sheet to the ruling's case, through the real service:
    it waits in quarantine until the worker's clamd scan finds it clean."""
    sheet = data_sheet(
        "Technical data sheet - cordless drill DR-18",
        [f"{name.replace('_', ' ').capitalize()}: {value}" for name, value in DRILL.items()],
    )
    upload_batch_create(
        uploaded_by=requester,
        program_account=ruling.program_account,
        category=DocumentCategory.objects.filter(active=True).first(),
        case_number=ruling.case_number,
        files=[(SimpleUploadedFile("drill-data-sheet.pdf", sheet), "application/pdf")],
    )


def seed_rulings(*, account: ProgramAccount, requester, officer) -> int:
    """Draft, submitted, waiting for information, and decided (published) requests."""
    if Ruling.objects.filter(program_account=account).exists():
        return 0

    def draft(kind, details, consent=False):
        ruling = services.ruling_create(
            program_account=account,
            actor=requester,
            context={**CONTEXT, "kind": kind, "consent_to_publish": consent},
        )
        return services.ruling_details_update(ruling=ruling, actor=requester, details=details)

    draft(Ruling.Kind.TARIFF_CLASSIFICATION, {"goods_description": "Garden hose reel"})
    services.ruling_submit(ruling=draft(Ruling.Kind.MARKING, MUGS), actor=requester)
    waiting = draft(
        Ruling.Kind.TARIFF_CLASSIFICATION, {**DRILL, "goods_description": "Impact driver"}
    )
    services.ruling_submit(ruling=waiting, actor=requester)
    services.ruling_assign(ruling=waiting, actor=officer, officer=officer)
    services.ruling_request_information(
        ruling=waiting,
        actor=officer,
        message="Please upload the technical data sheet of the battery and a photograph of the tool.",
    )
    decided = draft(Ruling.Kind.TARIFF_CLASSIFICATION, DRILL, consent=True)
    attach_data_sheet(decided, requester)
    services.ruling_submit(ruling=decided, actor=requester)
    services.ruling_assign(ruling=decided, actor=officer, officer=officer)
    services.ruling_render_decision(
        ruling=decided,
        actor=officer,
        decision_en="Cordless drills with a self-contained electric motor are classified "
        "under tariff item 8467.21.00 (drills of all kinds, with self-contained electric motor).",
        decision_fr="Les perceuses sans fil à moteur électrique incorporé sont classées dans "
        "le numéro tarifaire 8467.21.00 (perceuses de tous genres, à moteur électrique "
        "incorporé).",
    )
    return 4


def seed_demo_rulings() -> int:
    """For ``seed_demo``: the demo importer's requests, worked by ``cbsaadmin``."""
    account = ProgramAccount.objects.select_related("business").get(
        business__bn9="549132583", program_identifier="RM", reference_number="0001"
    )
    User = get_user_model()
    return seed_rulings(
        account=account,
        requester=User.objects.get(username="demoimporter"),
        officer=User.objects.get(username="cbsaadmin"),
    )
