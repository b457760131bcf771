"""Pages of the duties and taxes calculator (SPEC CALC-1 … CALC-4): Douanes, then
Sommaire, and the Aide au classement. The two steps keep their state in the session;
going back loses nothing; every page works without JavaScript."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries

from calculator import duties, selectors
from calculator.forms import ClassificationSearchForm, CustomsForm, normalize_number
from carm_portal.session_state import SessionState

SESSION_KEY = "calculator"
CALCULATOR = SessionState(SESSION_KEY)
FIELDS = ("number", "origin", "shipping_date", "treatment", "value", "currency", "quantity")


def _state(request) -> dict:
    return CALCULATOR.get(request) or {"draft": {}, "valid": None}


def _save(request, state: dict) -> None:
    CALCULATOR.set(request, state)
    CALCULATOR.changed(request)


def _draft_from_post(request) -> dict:
    return {name: request.POST.get(name, "")[:200] for name in FIELDS}


def _initial(state: dict) -> dict:
    initial = {"shipping_date": timezone.localdate().isoformat(), "treatment": "MFN"}
    initial["currency"] = "USD"
    initial.update({k: v for k, v in (state.get("draft") or {}).items() if v not in (None, "")})
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def customs(request):
    """Step 1, Douanes: the customs details of one good (CALC-1, CALC-2)."""
    state = _state(request)
    if request.method == "POST":
        draft = _draft_from_post(request)
        if draft.get("number"):
            draft["number"] = normalize_number(draft["number"]) or draft["number"]
        state["draft"] = draft
        _save(request, state)
        if "classification_help" in request.POST:
            return HttpResponseRedirect(reverse("calculator:classification"))
        if "refresh" in request.POST:
            form = CustomsForm(initial=_initial(state))
            return render(request, "calculator/customs.html", _context(form, state, True))
        form = CustomsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            state["valid"] = {
                "number": data["number"],
                "origin": data["origin"],
                "shipping_date": data["shipping_date"].isoformat(),
                "treatment": data["treatment"],
                "value": str(data["value"]),
                "currency": data["currency"],
                "quantity": "" if data.get("quantity") is None else str(data["quantity"]),
            }
            state["draft"] = {**draft, "number": data["number"]}
            _save(request, state)
            return HttpResponseRedirect(reverse("calculator:summary"))
        state["valid"] = None
        _save(request, state)
        return render(request, "calculator/customs.html", _context(form, state, False))
    form = CustomsForm(initial=_initial(state))
    return render(request, "calculator/customs.html", _context(form, state, False))


def _context(form, state, refreshed):
    return {
        "form": form,
        "step": "customs",
        "has_summary": bool(state.get("valid")),
        "refreshed": refreshed,
        "line": form.line,
    }


def _estimate_from(valid: dict) -> duties.Estimate:
    return duties.estimate(
        number=valid["number"],
        origin=valid["origin"],
        treatment=valid["treatment"],
        value=Decimal(valid["value"]),
        currency=valid["currency"],
        shipping_date=date.fromisoformat(valid["shipping_date"]),
        quantity=Decimal(valid["quantity"]) if valid.get("quantity") else None,
    )


@login_required
@require_GET
def summary(request):
    """Step 2, Sommaire: every line with its rate and source, GST and total (CALC-4)."""
    state = _state(request)
    valid = state.get("valid")
    if not valid:
        return HttpResponseRedirect(reverse("calculator:customs"))
    try:
        estimate = _estimate_from(valid)
    except duties.EstimateError:
        # The reference data changed since the Douanes step: show that step's errors.
        state["valid"] = None
        _save(request, state)
        return HttpResponseRedirect(reverse("calculator:customs"))
    language = translation.get_language() or "en"
    return render(
        request,
        "calculator/summary.html",
        {
            "estimate": estimate,
            "step": "summary",
            "has_summary": True,
            "origin_name": countries.name(estimate.origin),
            "treatment_name": estimate.treatment.name(language),
            "treatment_name_is_english": language == "fr" and not estimate.treatment.name_fr,
            "unit_name": duties.unit_name(estimate.line),
            "measure_rows": _measure_rows(estimate, language),
            "gst_rate": "5%",
            "zero": Decimal(0),
        },
    )


MEASURE_ROWS = [
    (("surtax",), _("Surtax"), True),
    (("anti_dumping",), _("Anti-dumping duty"), True),
    (("countervailing",), _("Countervailing duty"), False),
    (("excise_duty", "excise_tax"), _("Excise duty and tax"), True),
]


def _measure_rows(estimate: duties.Estimate, language: str) -> list[dict]:
    """Surtax, anti-dumping and excise always have a row (none applies: $0.00)."""
    rows = []
    for kinds, label, always in MEASURE_ROWS:
        lines = estimate.lines_of(*kinds)
        for line in lines:
            rows.append(
                {
                    "kind_label": duties.MEASURE_LABELS[line.code],
                    "name": line.label.name(language),
                    "line": line,
                }
            )
        if not lines and always:
            rows.append({"kind_label": label, "line": None})
    return rows


@login_required
@require_POST
def start_over(request):
    CALCULATOR.clear(request)
    return HttpResponseRedirect(reverse("calculator:customs"))


@login_required
@require_GET
def classification(request):
    """Aide au classement: find a number from words in English or French (CALC-3)."""
    on = _draft_date(request)
    form = ClassificationSearchForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = selectors.tariff_search(query=form.cleaned_data["q"], on=on)
    return render(
        request,
        "calculator/classification.html",
        {"form": form, "result": result, "step": "customs", "on": on},
    )


def _draft_date(request) -> date:
    text = (_state(request).get("draft") or {}).get("shipping_date") or ""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return timezone.localdate()


@login_required
@require_POST
def choose(request):
    """Choosing a result fills the classification number of the Douanes step."""
    number = normalize_number(request.POST.get("number", ""))
    state = _state(request)
    if number:
        state["draft"] = {**(state.get("draft") or {}), "number": number}
        state["valid"] = None
        _save(request, state)
    return HttpResponseRedirect(reverse("calculator:customs"))


@login_required
@require_GET
def browse(request, code: str = ""):
    """Browse the tariff: chapter → heading → subheading → tariff item → numbers."""
    on = _draft_date(request)
    edition = selectors.edition_in_force(on=on)
    if edition is None:
        raise Http404
    context = {"edition": edition, "step": "customs", "on": on}
    if not code:
        context["chapters"] = selectors.tariff_chapters(edition=edition)
        return render(request, "calculator/browse.html", context)
    node = selectors.tariff_node_get(edition=edition, code=code)
    if node is None:
        raise Http404
    ancestors = []
    parent = node.parent
    while parent is not None:
        ancestors.insert(0, parent)
        parent = parent.parent
    context.update(
        node=node,
        ancestors=ancestors,
        children=selectors.tariff_node_children(node=node),
        lines=selectors.tariff_item_lines(node=node) if node.level == "item" else [],
    )
    return render(request, "calculator/browse.html", context)
