"""The finance pages (FIN-1 … FIN-5, financial security): thin views over selectors and
services, each acting on the current program account (``request.acting.account``)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import reauth
from carm_portal import formatting
from carm_portal.audit import AuditContext, audit_record
from carm_portal.exports import csv_response
from carm_portal.forms import parse_pk
from carm_portal.templatetags.portal import bilingual_text
from delegation.access import Perm, requires
from finance import crypto, pdf, processor, selectors, services
from finance.forms import (
    PAGE_SIZES,
    ApplyCreditsForm,
    ArrangementForm,
    PadForm,
    PaymentForm,
    SecurityChangeForm,
    TransactionFilterForm,
)
from finance.models import CardPayment, CreditApplication, Invoice, Statement, Transaction

# Column headers: the codes in English, their French names on French pages (SPEC X-1).
CSV_COLUMNS = [
    pgettext_lazy("CSV column", "date"),
    pgettext_lazy("CSV column", "transaction_number"),
    pgettext_lazy("CSV column", "description"),
    pgettext_lazy("CSV column", "kind"),
    pgettext_lazy("CSV column", "amount"),
    pgettext_lazy("CSV column", "due_date"),
    pgettext_lazy("CSV column", "status"),
    pgettext_lazy("CSV column", "account_balance"),
]
STATEMENT_CSV_COLUMNS = [CSV_COLUMNS[i] for i in (0, 1, 2, 4, 5, 6)]


def _today() -> str:
    return timezone.localdate().isoformat()


# --- FIN-1: transaction history ---------------------------------------------------------


@require_GET
@never_cache
@requires(Perm.VIEW_TRANSACTIONS)
def transactions(request):
    """Filters, sorting and database pagination: a count, the page's ids, its rows, and
    the two balances, whatever the number of transactions."""
    account = request.acting.account
    form = TransactionFilterForm.from_query(request.GET)
    page, query = None, {}
    if form.is_valid():
        rows = selectors.transaction_list(account=account, **form.search())
        paginator = selectors.CappedPaginator(
            rows, form.cleaned_data.get("per_page") or PAGE_SIZES[0]
        )
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = selectors.transaction_page_rows(page.object_list)
        query = form.query()
    return render(
        request,
        "finance/transactions.html",
        {
            "account": account,
            "form": form,
            "page": page,
            "balances": selectors.balances(account=account),
            "query": urlencode(query),
            "filters": query,
            "can_apply_credits": request.acting.can(Perm.EDIT_TRANSACTIONS),
            "can_pay": request.acting.can(Perm.EDIT_TRANSACTIONS),
        },
    )


@require_GET
@requires(Perm.VIEW_TRANSACTIONS)
def transactions_csv(request):
    """FIN-5: the selected rows, or every row the filters match, as CSV (ISO dates,
    amounts with a point, status codes: for spreadsheets and programs alike)."""
    account = request.acting.account
    if request.GET.get("export") == "selected":
        numbers = request.GET.getlist("selected")
        if not numbers:
            messages.error(request, _("Select at least one transaction to export."))
            back = {k: v for k, v in request.GET.items() if k in TransactionFilterForm.PARAMETERS}
            return redirect(reverse("finance:transactions") + "?" + urlencode(back))
        rows = selectors.transactions_selected(account=account, numbers=numbers)
    else:
        form = TransactionFilterForm.from_query(request.GET)
        if not form.is_valid():
            return redirect("finance:transactions")
        rows = selectors.transaction_list(account=account, **form.search())

    columns = ("date", "number", "description", "description_fr", "amount", "due_date", "status")
    credit, debit = Transaction.Kind.CREDIT.value, Transaction.Kind.DEBIT.value

    def lines():
        yield [str(column) for column in CSV_COLUMNS]
        french = formatting.language() == "fr"  # descriptions in the page's language
        # Tuples, not model instances: the export's rate is rows per second (FIN-5).
        for day, number, english, french_text, amount, due, status, balance in rows.values_list(
            *columns, "running_balance"
        ).iterator(chunk_size=2000):
            yield [
                day.isoformat(),
                number,
                (french_text or english) if french else english,
                credit if amount < 0 else debit,
                f"{amount:.2f}",
                due.isoformat() if due else "",
                status,
                "" if balance is None else f"{balance:.2f}",
            ]

    return csv_response(lines(), f"transactions-{account.full_reference}-{_today()}.csv")


# --- FIN-2, FIN-5: statements of account ------------------------------------------------


@require_GET
@requires(Perm.VIEW_TRANSACTIONS)
def statements(request):
    account = request.acting.account
    # FIN-2: every statement, a page of 24 (two years) at a time.
    page = Paginator(selectors.statement_list(account=account), 24).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "finance/statements.html",
        {"account": account, "statements": page.object_list, "page": page},
    )


def _statement(request, pk: int) -> Statement:
    return request.acting.object


@require_GET
@requires(Perm.VIEW_TRANSACTIONS, model=Statement)
def statement(request, pk: int):
    statement = _statement(request, pk)
    lines = statement.lines.select_related("transaction").order_by("date", "number")
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/statement_detail.html",
        {"account": request.acting.account, "statement": statement, "page": page},
    )


@require_GET
@requires(Perm.VIEW_TRANSACTIONS, model=Statement)
def statement_pdf(request, pk: int):
    statement = _statement(request, pk)
    body = pdf.statement_pdf(
        statement, statement.lines.select_related("transaction").order_by("date", "number")
    )
    response = HttpResponse(body, content_type="application/pdf")
    name = f"statement-{statement.program_account.full_reference}-{statement.date}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@requires(Perm.VIEW_TRANSACTIONS, model=Statement)
def statement_csv(request, pk: int):
    statement = _statement(request, pk)

    def lines():
        yield [str(column) for column in STATEMENT_CSV_COLUMNS]
        lines_ = statement.lines.select_related("transaction").order_by("date", "number")
        for line in lines_.iterator(chunk_size=2000):
            yield [
                line.date.isoformat(),
                line.number,
                bilingual_text(pdf.described(line), "description"),
                f"{line.amount:.2f}",
                line.due_date.isoformat() if line.due_date else "",
                line.status,
            ]

    name = f"statement-{statement.program_account.full_reference}-{statement.date}.csv"
    return csv_response(lines(), name)


# --- FIN-2: CBSA invoices ---------------------------------------------------------------


@require_GET
@requires(Perm.VIEW_TRANSACTIONS)
def invoices(request):
    account = request.acting.account
    page = Paginator(selectors.invoice_list(account=account), 25).get_page(request.GET.get("page"))
    return render(request, "finance/invoices.html", {"account": account, "page": page})


def _invoice(request, pk: int) -> Invoice:
    return selectors.invoice_for(account=request.acting.account, invoice_id=pk)


@require_GET
@requires(Perm.VIEW_TRANSACTIONS, model=Invoice)
def invoice(request, pk: int):
    return render(
        request,
        "finance/invoice_detail.html",
        {"account": request.acting.account, "invoice": _invoice(request, pk)},
    )


@require_GET
@requires(Perm.VIEW_TRANSACTIONS, model=Invoice)
def invoice_pdf(request, pk: int):
    invoice = _invoice(request, pk)
    response = HttpResponse(pdf.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}.pdf"'
    return response


# --- FIN-3: apply credits as payment ----------------------------------------------------


# The open debits listed at once, those due soonest first; the next ones appear as these
# are settled (the page says so).
OPEN_DEBITS_SHOWN = 100


def _open_debits(account) -> tuple[list, bool]:
    rows = list(selectors.open_debits(account=account)[: OPEN_DEBITS_SHOWN + 1])
    return rows[:OPEN_DEBITS_SHOWN], len(rows) > OPEN_DEBITS_SHOWN


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.EDIT_TRANSACTIONS)
def apply_credits(request):
    """Step 1 chooses open debits; step 2 confirms (the plan); the confirmation applies
    them once (the form's key), or says clearly why nothing was applied."""
    account = request.acting.account
    debits, more = _open_debits(account)
    balances = selectors.balances(account=account)
    context = {"account": account, "balances": balances, "debits": debits, "more_debits": more}
    if request.method == "GET":
        form = ApplyCreditsForm(initial={"key": uuid.uuid4()}, debits=debits)
        return render(request, "finance/apply_credits.html", {**context, "form": form})
    # The chosen debits settled meanwhile stay choosable, to say so clearly.
    chosen = [pk for pk in map(parse_pk, request.POST.getlist("debits")) if pk is not None]
    chosen = chosen[:OPEN_DEBITS_SHOWN]
    settled = selectors.debits_settled(account=account, ids=chosen)
    form = ApplyCreditsForm(request.POST, debits=debits + settled)
    if not form.is_valid():
        return render(request, "finance/apply_credits.html", {**context, "form": form})
    done = CreditApplication.objects.filter(
        program_account=account, idempotency_key=form.cleaned_data["key"]
    ).first()
    if done is not None:  # the same form again (back button, second click)
        return redirect("finance:apply_credits_done", pk=done.pk)
    plan = services.credits_plan(program_account=account, debit_ids=form.debit_ids())
    if plan.settled:
        form.add_error("debits", services.settled_meanwhile_message(plan.settled[0].number))
        return render(request, "finance/apply_credits.html", {**context, "form": form})
    if not plan.covered:
        form.add_error("debits", services.insufficient_credit_message(plan.available, plan.needed))
        return render(request, "finance/apply_credits.html", {**context, "form": form})
    if "confirm" not in request.POST:
        return render(
            request, "finance/apply_credits_confirm.html", {**context, "form": form, "plan": plan}
        )
    try:
        application = services.credits_apply(
            program_account=account,
            debit_ids=form.debit_ids(),
            idempotency_key=form.cleaned_data["key"],
            actor=request.user,
            audit=request.audit,
        )
    except services.CreditApplicationError as error:
        fresh, more = _open_debits(account)
        form = ApplyCreditsForm(initial={"key": uuid.uuid4()}, debits=fresh)
        form.is_bound = False
        return render(
            request,
            "finance/apply_credits.html",
            {
                **context,
                "debits": fresh,
                "more_debits": more,
                "balances": selectors.balances(account=account),
                "form": form,
                "refused": str(error),
            },
        )
    return redirect("finance:apply_credits_done", pk=application.pk)


@require_GET
@requires(Perm.VIEW_TRANSACTIONS, model=CreditApplication)
def apply_credits_done(request, pk: int):
    account = request.acting.account
    application = request.acting.object
    lines = list(application.lines.select_related("transaction"))
    return render(
        request,
        "finance/apply_credits_done.html",
        {
            "account": account,
            "application": application,
            "settled": [line for line in lines if line.amount > 0],
            "credits": [line for line in lines if line.amount < 0],
            "balances": selectors.balances(account=account),
        },
    )


# --- FIN-4: pre-authorized debit --------------------------------------------------------


@require_GET
@never_cache
@requires(Perm.MANAGE_PAD)
def pad(request):
    account = request.acting.account
    agreement = selectors.pad_for(account=account)
    details = crypto.decrypt_bank_details(agreement.bank_details) if agreement else None
    if details is not None:
        _audit_bank_details_shown(request, agreement)
    return render(
        request,
        "finance/pad.html",
        {"account": account, "agreement": agreement, "details": details},
    )


def _audit_bank_details_shown(request, agreement) -> None:
    """SEC-9: who saw a pre-authorized debit's bank details, when, from where."""
    audit_record(
        action="pad.bank_details_shown",
        audit=request.audit,
        changes={"agreement": agreement.pk, "program_account": request.acting.account.pk},
    )


def _pad_values(form) -> dict:
    data = form.cleaned_data
    return {
        "institution": data["institution"],
        "transit": data["transit"],
        "account": data["account"],
        "holder_name": data["holder_name"],
        "withdrawal_day": data["withdrawal_day"],
    }


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.MANAGE_PAD)
@reauth.required  # SEC-4: both factors proven in the last 10 minutes
def pad_create(request):
    account = request.acting.account
    if selectors.pad_for(account=account):
        return redirect("finance:pad")
    form = PadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pad_create(
                program_account=account,
                actor=request.user,
                audit=request.audit,
                **_pad_values(form),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your pre-authorized debit agreement is in place."))
            return redirect("finance:pad")
    return render(
        request, "finance/pad_form.html", {"account": account, "form": form, "creating": True}
    )


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.MANAGE_PAD)
@reauth.required  # SEC-4: both factors proven in the last 10 minutes
def pad_change(request):
    """The account number is typed again, never shown in the form (only its last
    digits are ever displayed)."""
    account = request.acting.account
    agreement = selectors.pad_for(account=account)
    if agreement is None:
        return redirect("finance:pad")
    if request.method == "POST":
        form = PadForm(request.POST)
        if form.is_valid():
            services.pad_change(
                agreement=agreement, actor=request.user, audit=request.audit, **_pad_values(form)
            )
            messages.success(request, _("Your pre-authorized debit agreement was changed."))
            return redirect("finance:pad")
    else:
        details = crypto.decrypt_bank_details(agreement.bank_details)
        _audit_bank_details_shown(request, agreement)
        form = PadForm(
            initial={
                "institution": details["institution"],
                "transit": details["transit"],
                "holder_name": agreement.holder_name,
                "withdrawal_day": agreement.withdrawal_day,
            }
        )
    return render(
        request,
        "finance/pad_form.html",
        {"account": account, "form": form, "agreement": agreement, "creating": False},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.MANAGE_PAD)
@reauth.required  # SEC-4: both factors proven in the last 10 minutes
def pad_cancel(request):
    account = request.acting.account
    agreement = selectors.pad_for(account=account)
    if agreement is None:
        return redirect("finance:pad")
    if request.method == "POST":
        services.pad_cancel(agreement=agreement, actor=request.user, audit=request.audit)
        messages.success(request, _("Your pre-authorized debit agreement was cancelled."))
        return redirect("finance:pad")
    return render(request, "finance/pad_cancel.html", {"account": account, "agreement": agreement})


# --- Financial security -----------------------------------------------------------------


@require_GET
@requires(Perm.VIEW_FINANCIAL_SECURITY)
def security(request):
    account = request.acting.account
    return render(
        request,
        "finance/security.html",
        {
            "account": account,
            "summary": selectors.security_summary(account=account, today=timezone.localdate()),
            "can_change": request.acting.can(Perm.CHANGE_FINANCIAL_SECURITY),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(Perm.CHANGE_FINANCIAL_SECURITY)
def security_change(request):
    account = request.acting.account
    form = SecurityChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.security_change_request_create(
            program_account=account,
            actor=request.user,
            audit=request.audit,
            **form.cleaned_data,
        )
        messages.success(
            request, _("Your request was sent to the CBSA. Its answer will appear on this page.")
        )
        return redirect("finance:security")
    return render(request, "finance/security_change.html", {"account": account, "form": form})


# --- FIN-6: make a payment ----------------------------------------------------------------


def _pay_context(account) -> dict:
    debits, more = _open_debits(account)
    balances = selectors.balances(account=account)
    return {
        "account": account,
        "debits": debits,
        "more_debits": more,
        "owed": balances.open_debits,  # what the open debits owe (the service checks again)
        "balances": balances,
    }


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.EDIT_TRANSACTIONS)
def pay(request):
    """Step 1 chooses open debits or types an amount; step 2 shows the total and what it
    settles; confirming starts the card payment (once per form: its key) and sends the
    person to the processor's hosted page (FIN-6)."""
    account = request.acting.account
    context = _pay_context(account)
    debits = context["debits"]
    if request.method == "GET":
        # The transactions ticked in the history ("Pay the selected transactions").
        wanted = set(request.GET.getlist("selected")[:OPEN_DEBITS_SHOWN])
        form = PaymentForm(
            initial={
                "key": uuid.uuid4(),
                "debits": [str(d.pk) for d in debits if d.number in wanted],
            },
            debits=debits,
            owed=context["owed"],
        )
        return render(request, "finance/pay.html", {**context, "form": form})
    chosen = [pk for pk in map(parse_pk, request.POST.getlist("debits")) if pk is not None]
    settled = selectors.debits_settled(account=account, ids=chosen[:OPEN_DEBITS_SHOWN])
    form = PaymentForm(request.POST, debits=debits + settled, owed=context["owed"])
    if form.is_valid() and settled:
        form.add_error(
            "debits",
            _("Transaction %(number)s was settled in the meantime: choose again.")
            % {"number": settled[0].number},
        )
    if not form.is_valid():
        return render(request, "finance/pay.html", {**context, "form": form})
    done = selectors.card_payment_by_key(account=account, key=form.cleaned_data["key"])
    if done is not None:  # the same form again (back button, second click)
        return redirect("finance:card_payment", pk=done.pk)
    ids = form.debit_ids()
    amount = form.cleaned_data["amount"]
    if amount is None:
        amount = sum((d.outstanding for d in debits if d.pk in ids), services.ZERO)
    if "confirm" not in request.POST:
        plan = services.payment_plan(program_account=account, amount=amount, debit_ids=ids)
        return processor.allow_forms_to_processor(
            render(
                request,
                "finance/pay_confirm.html",
                {**context, "form": form, "plan": plan, "amount": amount, "debit_ids": ids},
            )
        )
    try:
        card = services.card_payment_start(
            program_account=account,
            amount=amount,
            debit_ids=ids,
            idempotency_key=form.cleaned_data["key"],
            actor=request.user,
            audit=request.audit,
        )
    except services.PaymentError as error:
        form.add_error(None, str(error))
        return render(request, "finance/pay.html", {**context, "form": form})
    return redirect(
        processor.hosted_page_url(
            intent=str(card.intent),
            amount=card.amount,
            currency=card.currency,
            return_url=request.build_absolute_uri(
                reverse("finance:card_payment_return", args=[card.pk])
            ),
            notify_url=request.build_absolute_uri(reverse("processor:webhook")),
            lang=formatting.language(),
        )
    )


@require_GET
@requires(Perm.VIEW_TRANSACTIONS)
def pay_other(request):
    """Online banking bill payment and wire transfer: the instructions and the reference
    to quote, the program account number (FIN-6)."""
    account = request.acting.account
    return render(
        request,
        "finance/pay_other.html",
        {
            "account": account,
            "balances": selectors.balances(account=account),
            "can_pay": request.acting.can(Perm.EDIT_TRANSACTIONS),
        },
    )


@require_GET
@never_cache
@requires(Perm.VIEW_TRANSACTIONS, model=CardPayment)
def card_payment(request, pk: int):
    """The payment's state: pending until the processor's webhook, then its receipt."""
    card = selectors.card_payment_receipt(pk=request.acting.object.pk)
    return render(
        request,
        "finance/card_payment.html",
        {
            "account": request.acting.account,
            "card": card,
            "lines": selectors.card_payment_lines(card=card),
            "balances": selectors.balances(account=request.acting.account),
            "can_pay": request.acting.can(Perm.EDIT_TRANSACTIONS),
        },
    )


@require_GET
@requires(Perm.VIEW_TRANSACTIONS, model=CardPayment)
def card_payment_pdf(request, pk: int):
    card = selectors.card_payment_receipt(pk=request.acting.object.pk)
    if card.status != CardPayment.Status.PAID:
        raise Http404
    body = pdf.receipt_pdf(card, selectors.card_payment_lines(card=card))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{card.reference}.pdf"'
    return response


@require_GET
@requires(Perm.VIEW_TRANSACTIONS, model=CardPayment)
def card_payment_return(request, pk: int):
    """The person back from the hosted page with the processor's signed result. It only
    says what to tell them: the payment changes with the webhook alone."""
    card = request.acting.object
    try:
        result = processor.verify_result(dict(request.GET.items()))
        if result.get("intent") != str(card.intent):
            raise processor.ProtocolError("mismatch", "intent")
    except processor.ProtocolError as error:
        audit_record(
            action="finance.processor_result_refused",
            audit=request.audit,
            subject=card.reference,
            changes={"reason": error.reason},
        )
        messages.error(
            request,
            _(
                "The payment processor's answer could not be verified. The status below "
                "is the one the processor confirmed to the CBSA."
            ),
        )
    return redirect("finance:card_payment", pk=card.pk)


# The processor's webhook answers: a refusal says why, in the status code.
WEBHOOK_REFUSALS = {
    "signature": 400,
    "malformed": 400,
    "replay": 409,
    "unknown_intent": 404,
    "mismatch": 422,
}


@csrf_exempt
@require_POST
def processor_webhook(request):
    """The payment processor's signed confirmation: the source of truth (FIN-6)."""
    audit = AuditContext.from_request(request)
    try:
        event = processor.verify_webhook(
            request.body, request.headers.get(processor.WEBHOOK_HEADER, "")
        )
        card = services.card_payment_webhook(event=event, audit=audit)
    except processor.ProtocolError as error:
        audit_record(
            action="finance.processor_webhook_refused",
            audit=audit,
            changes={"reason": error.reason, "detail": str(error)[:200]},
        )
        return JsonResponse(
            {"accepted": False, "reason": error.reason},
            status=WEBHOOK_REFUSALS.get(error.reason, 400),
        )
    return JsonResponse({"accepted": True, "status": card.status})


# --- FIN-7: payment arrangements --------------------------------------------------------


@require_GET
@never_cache
@requires(Perm.VIEW_COLLECTIONS)
def arrangements(request):
    """The account's arrangements, each with its schedule (paid, due or missed)."""
    account = request.acting.account
    today = timezone.localdate()
    items = list(selectors.arrangement_list(account=account)[:20])
    current = selectors.open_arrangement(account=account)
    return render(
        request,
        "finance/arrangements.html",
        {
            "account": account,
            "arrangements": [
                (item, selectors.arrangement_schedule(item, today=today)) for item in items
            ],
            "overdue": selectors.overdue_balance(account=account, today=today),
            "can_propose": request.acting.can(Perm.PROPOSE_PAYMENT_ARRANGEMENT) and current is None,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@requires(Perm.PROPOSE_PAYMENT_ARRANGEMENT)
def arrangement_propose(request):
    """The form, then its schedule to review ("preview"), then the proposal; a rule
    broken is said next to its field, nothing typed is lost."""
    account = request.acting.account
    today = timezone.localdate()
    overdue = selectors.overdue_balance(account=account, today=today)
    current = selectors.open_arrangement(account=account)
    form = ArrangementForm(request.POST or None)
    plan = []
    if request.method == "POST" and current is None and form.is_valid():
        try:
            if "preview" in request.POST:
                plan = services.arrangement_check(total=overdue, today=today, **form.cleaned_data)
            else:
                services.arrangement_propose(
                    program_account=account,
                    actor=request.user,
                    audit=request.audit,
                    today=today,
                    **form.cleaned_data,
                )
                messages.success(
                    request,
                    _("Your proposal was sent to the CBSA. Its answer will appear on this page."),
                )
                return redirect("finance:arrangements")
        except services.ArrangementError as error:
            form.add_error(error.code if error.code in form.fields else None, error.messages[0])
    return render(
        request,
        "finance/arrangement_propose.html",
        {
            "account": account,
            "form": form,
            "overdue": overdue,
            "current": current,
            "plan": plan,
            "max_months": settings.PAYMENT_ARRANGEMENT_MAX_MONTHS,
            "start_within": services.ARRANGEMENT_START_WITHIN_DAYS,
        },
    )


# --- FIN-8: collections -----------------------------------------------------------------


@require_GET
@never_cache
@requires(Perm.VIEW_COLLECTIONS)
def collections(request):
    """The overdue amounts, days overdue, notices sent and any arrangement (paginated in
    the database)."""
    account = request.acting.account
    today = timezone.localdate()
    count, overdue = selectors.overdue_summary(account=account, today=today)
    paginator = Paginator(selectors.collection_rows(account=account, today=today), 25)
    paginator.count = count  # known already: the summary counted them
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        {
            "debit": debit,
            "days": (today - debit.due).days,
            "notices": list(debit.collection_notices.all()),
            "arrangement": next(iter(debit.arrangements.all()), None),
        }
        for debit in page.object_list
    ]
    return render(
        request,
        "finance/collections.html",
        {
            "account": account,
            "page": page,
            "rows": rows,
            "overdue": overdue,
            "can_propose": request.acting.can(Perm.PROPOSE_PAYMENT_ARRANGEMENT),
        },
    )
