"""Linking to a business (LINK-1 … LINK-4), the home page and the profiles (HOME-1 … HOME-5)."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import lockout
from accounts.views import too_many_requests
from business import selectors, services
from business.forms import (
    CHANGE_FORMS,
    AccessRequestForm,
    EmployerSearchForm,
    RegisterBusinessForm,
    RegisterIdentifiersForm,
    RegisterQuestionsForm,
)
from business.models import ChangeRequest, Person, ProgramAccount
from business.navigation import (
    ACCOUNT_ORDER,
    CURRENT_ACCOUNT_KEY,
    remember_account,
)
from carm_portal import guides
from carm_portal.audit import AuditContext, audit_record
from carm_portal.forms import parse_pk
from carm_portal.ratelimit import over_limit, too_many
from carm_portal.session_state import SessionState
from carm_portal.templatetags.portal import bilingual_text
from delegation.access import Perm, access_for, requires
from delegation.models import Employment

# --- LINK-2: request access to my employer ---------------------------------------------------


@login_required
def request_access(request):
    if request.method == "POST" and "request" in request.POST:
        # SEC-6 anti-automation: each request notifies and emails the managers
        wait = over_limit(
            "access-request",
            request.user.pk,
            limit=settings.ACCESS_REQUESTS_PER_HOUR,
            window=60 * 60,
        )
        if wait:
            audit_record(action="access_request.rate_limited", request=request)
            return too_many(
                request,
                wait,
                _("You sent too many access requests. Please wait an hour, then try again."),
            )
    search = EmployerSearchForm(request.POST or request.GET or None)
    business = None
    if search.is_bound:
        # SEC-3: the guide shows whether the business is registered (its name, or an
        # error): searching many times is limited per person and per address.
        wait = lockout.lookup_over_limit(request, "request_access")
        if wait:
            return too_many_requests(request, wait)
    form = AccessRequestForm(request.POST if "request" in request.POST else None)
    if search.is_bound and search.is_valid():
        business = selectors.registered_business(bn9=search.cleaned_data["bn9"])
        if business is None:
            search.add_error(
                "bn9",
                _(
                    "No business with this number is registered on the portal. Check the number, "
                    "or ask the business to register first."
                ),
            )
    if business and "request" in request.POST and form.is_valid():
        if selectors.has_open_employment(user=request.user, business=business):
            messages.info(request, _("You already have a request or access for this business."))
            return redirect("accounts:first_setup")
        try:
            services.access_request_create(
                user=request.user,
                business=business,
                comment=form.cleaned_data["comment"],
                audit=AuditContext.from_request(request),
            )
        except services.TooManyOpenRequests as refused:
            form.add_error(None, str(refused))
            return render(
                request,
                "business/request_access.html",
                {"search": search, "business": business, "form": form},
            )
        messages.success(
            request,
            _("Your request was sent to the managers of %(name)s. It is pending their answer.")
            % {"name": business.display_name},
        )
        return redirect("accounts:first_setup")
    return render(
        request,
        "business/request_access.html",
        {"search": search, "business": business, "form": form},
    )


@login_required
@require_POST
def cancel_request(request, pk: int):
    employment = get_object_or_404(
        Employment, pk=pk, user=request.user, status=Employment.Status.PENDING
    )
    services.access_request_cancel(employment=employment, audit=AuditContext.from_request(request))
    messages.info(request, _("Your access request was cancelled."))
    return redirect("accounts:first_setup")


# --- LINK-3 / LINK-4: register my business ---------------------------------------------------

STATE_KEY = "business_registration"
REGISTRATION = SessionState(STATE_KEY)


def _locked_page(request):
    return render(request, "business/register_locked.html", status=403)


def _fail(request, *, bn9: str, step: str, form, field: str | None, message: str):
    """Count a failed validation, show the message and how many attempts are left."""
    try:
        left = services.registration_failure(
            user=request.user, bn9=bn9, step=step, audit=AuditContext.from_request(request)
        )
    except services.RegistrationLocked:
        REGISTRATION.clear(request)
        return _locked_page(request)
    form.add_error(field, message)
    form.add_error(
        None,
        _(
            "For your security, registration is locked after 10 failed attempts. Attempts left: %(left)s."
        )
        % {"left": left},
    )
    return None


@login_required
def register(request):
    """Step 1: business number, importer program account, attestation."""
    state = REGISTRATION.get(request)
    form = RegisterIdentifiersForm(
        request.POST or None,
        initial={
            "bn9": state.get("bn9", ""),
            "program_reference": state.get("program_reference", ""),
        },
        person_name=request.user.display_name,
    )
    if request.method == "POST":
        # SEC-3: the guide's errors tell whether a business exists or is registered:
        # trying many numbers is limited per person and per address.
        wait = lockout.lookup_over_limit(request, "register_business")
        if wait:
            return too_many_requests(request, wait)
    if request.method == "POST" and form.is_valid():
        bn9, reference = form.cleaned_data["bn9"], form.cleaned_data["program_reference"]
        try:
            services.registration_check_locked(user=request.user, bn9=bn9)
        except services.RegistrationLocked:
            return _locked_page(request)
        account = selectors.importer_account(bn9=bn9, reference=reference)
        if account and account.business.is_registered:
            messages.info(
                request,
                _(
                    "This business is already registered on the portal. Ask its Business "
                    "Account Manager for access instead."
                ),
            )
            return redirect(f"{reverse('business:request_access')}?bn9={bn9}")
        if account is None:
            page = _fail(
                request,
                bn9=bn9,
                step="identifiers",
                form=form,
                field=None,
                message=_(
                    "The business number and the program reference number do not match the "
                    "records of the Canada Revenue Agency."
                ),
            )
            if page:
                return page
        else:
            REGISTRATION.set(
                request,
                {
                    "bn9": bn9,
                    "program_reference": reference,
                    "account": account.pk,
                    "pick": secrets.randbelow(5),
                },
            )
            return redirect("business:register_business")
    return render(request, "business/register_identifiers.html", {"form": form, "step": 1})


def _registration_account(request) -> ProgramAccount | None:
    state = REGISTRATION.get(request)
    if "account" not in state:
        return None
    return selectors.program_account_with_business(pk=state["account"])


@login_required
def register_business(request):
    """Step 2: legal name and one of the addresses on file."""
    account = _registration_account(request)
    if account is None:
        return redirect("business:register")
    state = REGISTRATION.get(request)
    form = RegisterBusinessForm(request.POST or None, initial=state.get("business_form", {}))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        state["business_form"] = data
        REGISTRATION.changed(request)
        name_ok = services.legal_name_matches(
            business=account.business, legal_name=data["legal_name"]
        )
        address_ok = services.address_matches(
            business=account.business,
            line1=data["line1"],
            line2=data["line2"],
            po_box=data["po_box"],
            country=data["country"],
        )
        if name_ok and address_ok:
            state["business_ok"] = True
            return redirect("business:register_questions")
        page = _fail(
            request,
            bn9=account.business.bn9,
            step="business",
            form=form,
            field=None
            if not name_ok and not address_ok
            else ("legal_name" if not name_ok else "line1"),
            message=(
                _(
                    "The legal name and the address do not match the records of the Canada Revenue Agency."
                )
                if not name_ok and not address_ok
                else _(
                    "The legal name does not match the records of the Canada Revenue Agency exactly, punctuation included."
                )
                if not name_ok
                else _(
                    "The address does not match any of the addresses the Canada Revenue Agency has on file."
                )
            ),
        )
        if page:
            return page
    return render(
        request,
        "business/register_business.html",
        {"form": form, "step": 2, "bn9": account.business.bn9},
    )


@login_required
def register_questions(request):
    """Step 3: the transaction questions; then the business is registered (LINK-4)."""
    account = _registration_account(request)
    state = REGISTRATION.get(request)
    if account is None or not state.get("business_ok"):
        return redirect("business:register")
    questions = services.registration_questions(account=account, pick=state["pick"])
    if questions.count < 2:
        return render(request, "business/register_no_questions.html")
    form = RegisterQuestionsForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        if services.answers_match(account=account, questions=questions, answers=form.cleaned_data):
            try:
                services.business_register(
                    user=request.user,
                    business=account.business,
                    audit=AuditContext.from_request(request),
                )
            except services.AlreadyRegistered:
                REGISTRATION.clear(request)
                messages.info(
                    request,
                    _(
                        "This business was registered on the portal by someone else meanwhile. "
                        "Ask its Business Account Manager for access instead."
                    ),
                )
                return redirect(f"{reverse('business:request_access')}?bn9={account.business.bn9}")
            REGISTRATION.clear(request)
            request.session[CURRENT_ACCOUNT_KEY] = account.pk
            messages.success(
                request,
                _(
                    "%(name)s is registered on the portal and you are its Business Account Manager. "
                    "We recommend that you name a second Business Account Manager, so that the "
                    "business never loses access."
                )
                % {"name": account.business.display_name},
            )
            return redirect("business:home")
        page = _fail(
            request,
            bn9=account.business.bn9,
            step="questions",
            form=form,
            field=None,
            message=_(
                "One or more answers do not match the records of the CBSA. Check your latest daily notice or statement of account."
            ),
        )
        if page:
            return page
    return render(
        request,
        "business/register_questions.html",
        {"form": form, "step": 3, "questions": questions},
    )


# --- HOME ------------------------------------------------------------------------------


@login_required
def home(request):
    """HOME-2, HOME-3: the tiles, recent transactions and the most requested links."""
    account = request.nav.account
    if account is None:
        return redirect("accounts:first_setup")
    grant = access_for(request).grant(account.business_id)
    transactions = (
        selectors.recent_transactions(program_account=account)
        if grant.allows(Perm.VIEW_TRANSACTIONS, account.pk)
        else []
    )
    return render(
        request,
        "business/home.html",
        {"tiles": request.nav.tiles, "transactions": transactions, "account": account},
    )


@login_required
@require_POST
def switch_account(request):
    """The header's switcher: another business or program account of the person."""
    chosen = parse_pk(request.POST.get("account"))
    account = (
        access_for(request).program_accounts().filter(pk=chosen).first()
        if chosen is not None
        else None
    )
    if account is None:
        raise Http404
    remember_account(request.session, account.pk)
    audit_record(action="current_account.switched", request=request, business=account.business)
    return redirect("business:home")


ACCOUNT_SEARCH_PAGE = 25


@login_required
def account_search(request):
    """The switcher as a page of its own (HOME-1, DELEG-4): every program account the
    person may work in, searched by name, business number or reference, paged in the
    database; a plain form per account, so it works without JavaScript. The header lists
    only the recent and own accounts of a broker with thousands of clients."""
    # NUL bytes cannot reach PostgreSQL (SEC-5: no input gives a 500)
    words = " ".join(request.GET.get("q", "").replace("\x00", "").split())[:100]
    access = access_for(request)
    if not words and request.nav.many_accounts:
        # More accounts than the header lists (a broker with thousands of clients): the
        # recent and own ones, as the header, and the search. Sorting thousands of
        # accounts by name for a list nobody pages through cost five minimal pages.
        rows = [
            (account, access.is_client(account.business_id)) for account in request.nav.accounts
        ]
        return render(
            request,
            "business/account_search.html",
            {"rows": rows, "recent": True, "q": "", "current": request.nav.account},
        )
    accounts = access.program_accounts().order_by(*ACCOUNT_ORDER)
    if words:
        compact = words.replace(" ", "")
        condition = Q(business__legal_name__icontains=words) | Q(
            business__operating_name__icontains=words
        )
        if compact.isalnum() and len(compact) <= 9:
            condition |= Q(business__bn9__startswith=compact) | Q(reference_number=compact)
        elif compact.isalnum():  # a full program account number: 123456789RM0001
            number = Q(business__bn9=compact[:9], program_identifier__iexact=compact[9:11])
            if len(compact) > 11:
                number &= Q(reference_number=compact[11:])
            condition |= number
        accounts = accounts.filter(condition)
        if not (compact.isdigit() and len(compact) == 4):
            # The same search, first on the businesses (trigram and business-number
            # indexes): a semi-join the planner starts from, instead of reading every
            # account of a broker's thousands of clients (bench/pages.py). A reference
            # number (4 digits) matches accounts of any business: not narrowed.
            found = selectors.businesses_matching(words=words, compact=compact)
            accounts = accounts.filter(business_id__in=found)
    paginator = Paginator(accounts, ACCOUNT_SEARCH_PAGE)
    if words and request.GET.get("page") in (None, "", "1"):
        # A search mostly finds less than a page: then the first page is the count.
        first = list(accounts[: ACCOUNT_SEARCH_PAGE + 1])
        if len(first) <= ACCOUNT_SEARCH_PAGE:
            paginator = Paginator(first, ACCOUNT_SEARCH_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [(account, access.is_client(account.business_id)) for account in page.object_list]
    return render(
        request,
        "business/account_search.html",
        {
            "page": page,
            "rows": rows,
            "q": words,
            "query": urlencode({"q": words}) if words else "",
            "current": request.nav.account,
        },
    )


@login_required
def area(request, key: str):
    """The landing page of one tile (HOME-4, HOME-5): its services."""
    tile = next((t for t in request.nav.tiles if t.key == key), None)
    if tile is None:
        raise Http404
    slug = guides.TILE_GUIDES.get(key)
    guide = {"slug": slug, "title": guides.GUIDES[slug]} if slug else None
    return render(request, "business/landing.html", {"tile": tile, "guide": guide})


@requires(Perm.VIEW_BUSINESS_PROFILE, business="pk")
def business_profile(request, pk: int):
    business = request.acting.business
    return render(
        request,
        "business/business_profile.html",
        {
            "business": business,
            "addresses": selectors.business_addresses(business=business),
            **selectors.business_people(business=business),
            # FIN-9: the requests waiting for the CBSA, and the link to ask for one.
            "pending": selectors.pending_change_requests(business=business),
            "can_request_change": request.acting.can(Perm.CHANGE_BUSINESS_PROFILE),
        },
    )


@requires(Perm.VIEW_PROGRAM_LIST)
def program_accounts(request):
    """The program accounts of the business acted for, within the person's scope."""
    accounts = (
        access_for(request)
        .program_accounts(Perm.VIEW_PROGRAM_ACCOUNT)
        .filter(business=request.acting.business)
        .order_by("program_identifier", "reference_number")
    )
    return render(request, "business/program_accounts.html", {"accounts": accounts})


@requires(Perm.VIEW_PROGRAM_ACCOUNT, account="pk")
def program_account_profile(request, pk: int):
    account = request.acting.account
    business = selectors.business_with_profile(pk=account.business_id)
    # HOME-5: the program account's own contacts and owners, as on file for it.
    people = selectors.program_account_people(account=account)
    return render(
        request,
        "business/program_account_profile.html",
        {
            "account": account,
            "business": business,
            "contacts": [p for p in people if p.kind == Person.Kind.CONTACT],
            "owners": [p for p in people if p.kind == Person.Kind.OWNER],
            "pending": selectors.pending_change_requests(
                business=business, program_account=account
            ),
            "can_request_change": request.acting.can(Perm.CHANGE_PROGRAM_ACCOUNT),
            "sub_programs": [
                s.strip() for s in bilingual_text(account, "sub_programs").split(",") if s.strip()
            ],
        },
    )


# --- FIN-9: change requests ---------------------------------------------------------------


def _change_request_page(request, *, business, account, kinds, contacts, back):
    kind = request.POST.get("kind") or request.GET.get("kind") or kinds[0]
    if kind not in kinds:
        kind = kinds[0]
    form_class = CHANGE_FORMS[kind]
    extra = {"contacts": contacts} if kind == ChangeRequest.Kind.CONTACT else {}
    form = form_class(request.POST if request.method == "POST" else None, **extra)
    if request.method == "POST" and form.is_valid():
        services.change_request_create(
            business=business,
            program_account=account,
            kind=kind,
            changes=form.changes(),
            actor=request.user,
            audit=request.audit,
        )
        messages.success(
            request,
            _("Your request was sent to the CBSA. It shows on this page until it is answered."),
        )
        return redirect(back)
    return render(
        request,
        "business/change_request.html",
        {
            "business": business,
            "account": account,
            "form": form,
            "kind": kind,
            "kinds": [(k, ChangeRequest.Kind(k).label) for k in kinds],
            "back": back,
        },
    )


@require_http_methods(["GET", "POST"])
@requires(Perm.CHANGE_BUSINESS_PROFILE, business="pk")
def request_change(request, pk: int):
    """FIN-9: a change of the business's address, contact or mailing preference."""
    business = request.acting.business
    return _change_request_page(
        request,
        business=business,
        account=None,
        kinds=list(ChangeRequest.Kind.values),
        contacts=selectors.business_people(business=business)["contacts"],
        back=reverse("business:business_profile", args=[business.pk]),
    )


@require_http_methods(["GET", "POST"])
@requires(Perm.CHANGE_PROGRAM_ACCOUNT, account="pk")
def request_account_change(request, pk: int):
    """FIN-9: a change of the program account's own contacts (its addresses and mailing
    preference are the business's)."""
    account = request.acting.account
    people = selectors.program_account_people(account=account)
    return _change_request_page(
        request,
        business=account.business,
        account=account,
        kinds=[ChangeRequest.Kind.CONTACT.value],
        contacts=[p for p in people if p.kind == Person.Kind.CONTACT],
        back=reverse("business:program_account_profile", args=[account.pk]),
    )
