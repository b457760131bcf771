"""Statements and invoices as PDF (FIN-2), with ReportLab, in the page's language."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from carm_portal.templatetags.portal import bilingual_text, money


def _document(buffer, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        title=title,
        author=_("Canada Border Services Agency"),
        leftMargin=0.7 * inch,
        rightMargin=0.7 * inch,
        topMargin=0.7 * inch,
        bottomMargin=0.7 * inch,
    )


def _table(rows: list[list], widths: list[float], numeric: list[int]) -> LongTable:
    table = LongTable(rows, colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f1f2f3")]),
    ]
    style += [("ALIGN", (column, 0), (column, -1), "RIGHT") for column in numeric]
    table.setStyle(TableStyle(style))
    return table


def _heading(account, title: str) -> list:
    styles = getSampleStyleSheet()
    business = account.business
    return [
        Paragraph(_("Canada Border Services Agency"), styles["Normal"]),
        Paragraph(title, styles["Title"]),
        Paragraph(escape(f"{business.legal_name} ({business.bn9})"), styles["Normal"]),
        Paragraph(
            _("Program account %(number)s") % {"number": account.full_reference}, styles["Normal"]
        ),
        Spacer(1, 12),
    ]


def _summary(pairs: list[tuple[str, str]]) -> Table:
    table = Table([[label, value] for label, value in pairs], colWidths=[2.6 * inch, 2 * inch])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 10),
                ("FONT", (1, 0), (1, -1), "Helvetica", 10),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
            ]
        )
    )
    return table


def statement_pdf(statement, lines) -> bytes:
    account = statement.program_account
    title = _("Statement of account")
    story = _heading(account, title)
    pairs = [
        (_("Statement date"), statement.date.isoformat()),
        (_("Period"), f"{statement.period_start.isoformat()} – {statement.period_end.isoformat()}"),
    ]
    if statement.opening_balance is not None:
        pairs.append((_("Opening balance"), money(statement.opening_balance)))
    pairs.append((_("Balance"), money(statement.balance)))
    if statement.due_date:
        pairs.append((_("Payment due date"), statement.due_date.isoformat()))
    story += [_summary(pairs), Spacer(1, 14)]
    if statement.has_lines:
        rows = [
            [
                _("Date"),
                _("Transaction number"),
                _("Description"),
                _("Amount"),
                _("Due date"),
                _("Status"),
            ]
        ]
        for line in lines:
            rows.append(
                [
                    line.date.isoformat(),
                    line.number,
                    Paragraph(
                        escape(bilingual_text(described(line), "description")),
                        getSampleStyleSheet()["BodyText"],
                    ),
                    money(line.amount),
                    line.due_date.isoformat() if line.due_date else "",
                    line.get_status_display(),
                ]
            )
        widths = [0.85 * inch, 1.3 * inch, 2.15 * inch, 1.05 * inch, 0.85 * inch, 0.9 * inch]
        story.append(_table(rows, widths, numeric=[3]))
    else:
        story.append(
            Paragraph(
                _("The transactions of this statement are not available in the portal."),
                getSampleStyleSheet()["BodyText"],
            )
        )
    buffer = io.BytesIO()
    _document(buffer, title).build(story)
    return buffer.getvalue()


def described(line):
    """A statement line issued before it carried French falls back to its transaction."""
    return line if line.description_fr or not line.transaction_id else line.transaction


def invoice_pdf(invoice) -> bytes:
    account = invoice.program_account
    title = _("CBSA invoice %(number)s") % {"number": invoice.number}
    story = _heading(account, title)
    story += [
        _summary(
            [
                (_("Invoice date"), invoice.date.isoformat()),
                (_("Due date"), invoice.due_date.isoformat()),
                (_("Status"), invoice.get_status_display()),
                (_("Total"), money(invoice.total)),
            ]
        ),
        Spacer(1, 14),
        Paragraph(
            escape(bilingual_text(invoice, "description")), getSampleStyleSheet()["BodyText"]
        ),
        Spacer(1, 8),
    ]
    rows = [[_("Line"), _("Description"), _("Quantity"), _("Unit price"), _("Amount")]]
    for line in invoice.lines.all():
        rows.append(
            [
                str(line.position),
                Paragraph(
                    escape(bilingual_text(line, "description")), getSampleStyleSheet()["BodyText"]
                ),
                f"{line.quantity.normalize():f}",
                money(line.unit_price),
                money(line.amount),
            ]
        )
    story.append(
        _table(rows, [0.5 * inch, 3.4 * inch, 0.8 * inch, 1.2 * inch, 1.2 * inch], [2, 3, 4])
    )
    buffer = io.BytesIO()
    _document(buffer, title).build(story)
    return buffer.getvalue()


def receipt_pdf(card, lines) -> bytes:
    """The receipt of a card payment the processor confirmed (FIN-6), in the page's
    language."""
    account = card.program_account
    title = _("Payment receipt %(number)s") % {"number": card.reference}
    story = _heading(account, title)
    paid_by = card.created_by.display_name
    if card.provider_id:
        paid_by = _("%(person)s, for the client, by %(provider)s") % {
            "person": paid_by,
            "provider": card.provider.legal_name,
        }
    story += [
        _summary(
            [
                (_("Receipt number"), card.reference),
                (
                    _("Date"),
                    card.answered_at.strftime("%Y-%m-%d %H:%M") if card.answered_at else "",
                ),
                (_("Amount"), money(card.amount)),
                (_("Payment method"), _("Credit or debit card")),
                (_("Processor's reference"), card.charge),
                (_("Paid by"), Paragraph(escape(paid_by), getSampleStyleSheet()["BodyText"])),
            ]
        ),
        Spacer(1, 14),
    ]
    rows = [[_("Transaction number"), _("Description"), _("Amount paid"), _("Status")]]
    for line in lines:
        rows.append(
            [
                line.transaction.number,
                Paragraph(
                    escape(bilingual_text(line.transaction, "description")),
                    getSampleStyleSheet()["BodyText"],
                ),
                money(line.amount),
                line.transaction.get_status_display(),
            ]
        )
    story.append(_table(rows, [1.4 * inch, 3.0 * inch, 1.3 * inch, 1.0 * inch], [2]))
    buffer = io.BytesIO()
    _document(buffer, title).build(story)
    return buffer.getvalue()
