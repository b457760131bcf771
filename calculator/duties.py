"""The arithmetic of SPEC CALC-6 (CBSA memoranda D13-2-3 and D13-2-5), in Decimal.

* value for duty (VFD) in CAD = foreign value × the Bank of Canada rate of the date of
  direct shipment (or of the last earlier day with a published rate);
* customs duty = the rate of the claimed treatment for the classification number;
* surtaxes, anti-dumping and countervailing duties, excise: dated data, separate lines;
* value for tax (VFT) = VFD + every duty and tax above; GST = 5% × VFT;
* every line is rounded half-up to the cent, as CBSA shows it, and the total is the sum
  of the rounded lines.

Worked example (CBSA): US$100 at 1.15 → VFD $115.00; duty 4% $4.60; VFT $119.60;
GST $5.98; total $10.58.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calculator import selectors
from calculator.models import ExchangeRate, TariffLine, TariffTreatment, TradeMeasure
from calculator.rates import (
    MEASURE_UNIT_NAMES,
    MEASURE_UNITS,
    Quantity,
    Rate,
    RateError,
    display_rate,
    parse_rate,
)
from carm_portal import formatting

CENT = Decimal("0.01")
GST_RATE = Decimal("5")
STALE_RATE_DAYS = 7


def cents(amount: Decimal) -> Decimal:
    """Round half-up to the cent (CBSA practice)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    """One line of the summary."""

    code: str  # vfd, customs_duty, surtax, anti_dumping, countervailing, excise_*, vft, gst
    label: object  # a lazy translation or a name in the active language
    amount: Decimal
    rate_text: str = ""  # the rate as published (verbatim)
    rate: Rate | None = None
    source: str = ""
    source_url: str = ""
    verified: bool = True
    is_tax_line: bool = True  # counts in the total


@dataclass
class Estimate:
    line: TariffLine
    treatment: TariffTreatment
    origin: str
    value: Decimal
    currency: str
    shipping_date: date
    exchange_rate: ExchangeRate | None  # None for CAD
    quantity: Quantity | None
    vfd: Decimal
    customs_duty: Line
    measures: list[Line] = field(default_factory=list)
    vft: Decimal = Decimal(0)
    gst: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    warnings: list[str] = field(default_factory=list)

    @property
    def rate_used(self) -> Decimal:
        return self.exchange_rate.cad_per_unit if self.exchange_rate else Decimal(1)

    @property
    def rate_date(self) -> date:
        return self.exchange_rate.date if self.exchange_rate else self.shipping_date

    def lines_of(self, *kinds: str) -> list[Line]:
        return [line for line in self.measures if line.code in kinds]


class EstimateError(Exception):
    """Field errors, as ``{field: [message, …]}``; ``__all__`` for the whole request."""

    def __init__(self, errors: dict[str, list]):
        self.errors = errors
        super().__init__(errors)


MEASURE_LABELS = {
    TradeMeasure.Kind.SURTAX: _("Surtax"),
    TradeMeasure.Kind.ANTI_DUMPING: _("Anti-dumping duty"),
    TradeMeasure.Kind.COUNTERVAILING: _("Countervailing duty"),
    TradeMeasure.Kind.EXCISE_DUTY: _("Excise duty"),
    TradeMeasure.Kind.EXCISE_TAX: _("Excise tax"),
}
CUSTOMS_DUTY = pgettext_lazy("calculator line", "Customs duty")


def quantity_unit(line: TariffLine):
    return MEASURE_UNITS.get(line.unit_of_measure)


def unit_name(line: TariffLine) -> str:
    return str(MEASURE_UNIT_NAMES.get(line.unit_of_measure, line.unit_of_measure or "—"))


def _french() -> bool:
    return formatting.language() == "fr"


def _shown(rate_text: str) -> str:
    return display_rate(rate_text, "fr" if _french() else "en")


def _needs_quantity_message(rate_text: str, line: TariffLine):
    rate_text = _shown(rate_text)
    unit = quantity_unit(line)
    if unit is None:
        return _(
            "The rate %(rate)s needs a quantity, but classification number %(number)s has no "
            "unit of measure to enter it in: this estimate cannot be made."
        ) % {"rate": rate_text, "number": line.number}
    return _("The rate %(rate)s is specific: enter the quantity in %(unit)s.") % {
        "rate": rate_text,
        "unit": unit_name(line),
    }


def _amount(rate: Rate, rate_text: str, line: TariffLine, vfd: Decimal, quantity):
    """The rounded amount, or EstimateError when the quantity cannot be expressed."""
    if rate.needs_quantity:
        if quantity is None:
            raise EstimateError({"quantity": [_needs_quantity_message(rate_text, line)]})
        for unit in rate.specific_units():
            if unit.dimension != quantity.unit.dimension:
                raise EstimateError(
                    {
                        "number": [
                            _(
                                "The rate %(rate)s is per %(unit)s, which cannot be worked "
                                "out from a quantity in %(measure)s: this estimate cannot "
                                "be made."
                            )
                            % {
                                "rate": _shown(rate_text),
                                "unit": unit.fr if _french() else unit.en,
                                "measure": unit_name(line),
                            }
                        ]
                    }
                )
    return cents(rate.amount(vfd, quantity))


def estimate(
    *,
    number: str,
    origin: str,
    treatment: str,
    value: Decimal,
    currency: str,
    shipping_date: date,
    quantity: Decimal | None = None,
) -> Estimate:
    """The duties and taxes of one good, or :class:`EstimateError` with field messages."""
    errors: dict[str, list] = {}
    line = selectors.tariff_line_get(number=number, on=shipping_date, with_path=False)
    if line is None:
        edition = selectors.edition_in_force(on=shipping_date)
        if edition is None:
            errors["shipping_date"] = [
                _("No edition of the Customs Tariff loaded here was in force on %(date)s.")
                % {"date": shipping_date.isoformat()}
            ]
        else:
            errors["number"] = [
                _("Classification number %(number)s is not in the Customs Tariff (%(edition)s).")
                % {"number": number, "edition": edition.code}
            ]
    exchange_rate = None
    if currency != "CAD":
        exchange_rate = selectors.exchange_rate_for(currency=currency, on=shipping_date)
        if exchange_rate is None:
            errors["currency"] = [
                _("No Bank of Canada rate for %(currency)s was published on or before %(date)s.")
                % {"currency": currency, "date": shipping_date.isoformat()}
            ]
    if errors:
        raise EstimateError(errors)

    open_treatments = {
        t.code: t for t in selectors.treatments_open_to(origin=origin, on=shipping_date, line=line)
    }
    if treatment not in open_treatments:
        offered = ", ".join(open_treatments) or "—"
        raise EstimateError(
            {
                "treatment": [
                    _(
                        "Tariff treatment %(treatment)s cannot be claimed for goods from this "
                        "origin with classification number %(number)s. Treatments open to "
                        "them: %(offered)s."
                    )
                    % {"treatment": treatment, "number": number, "offered": offered}
                ]
            }
        )
    rate_text = next(
        rate.rate_text for rate in selectors.rates_of(line) if rate.treatment_id == treatment
    )
    try:
        rate = parse_rate(rate_text)
    except RateError as error:
        raise EstimateError(
            {
                "treatment": [
                    _(
                        "The %(treatment)s rate of %(number)s, “%(rate)s”, is not a rate this "
                        "calculator can read (%(reason)s): it makes no estimate rather than "
                        "guess."
                    )
                    % {
                        "treatment": treatment,
                        "number": number,
                        "rate": rate_text,
                        "reason": error.reason,
                    }
                ]
            }
        ) from error
    if not rate.available:
        raise EstimateError(
            {
                "treatment": [
                    _("Tariff treatment %(treatment)s is not available (N/A) for %(number)s.")
                    % {"treatment": treatment, "number": number}
                ]
            }
        )

    unit = quantity_unit(line)
    amount_of = Quantity(quantity, unit) if quantity is not None and unit is not None else None

    vfd = cents(value * (exchange_rate.cad_per_unit if exchange_rate else Decimal(1)))
    duty = Line(
        code="customs_duty",
        label=CUSTOMS_DUTY,
        amount=_amount(rate, rate_text, line, vfd, amount_of),
        rate_text=rate_text,
        rate=rate,
        source=f"{line.edition.code}, {treatment}",
    )
    result = Estimate(
        line=line,
        treatment=open_treatments[treatment],
        origin=origin,
        value=value,
        currency=currency,
        shipping_date=shipping_date,
        exchange_rate=exchange_rate,
        quantity=amount_of,
        vfd=vfd,
        customs_duty=duty,
    )
    for measure in selectors.trade_measures_for(number=number, origin=origin, on=shipping_date):
        measure_rate = parse_rate(measure.rate_text)  # validated on save and on load
        result.measures.append(
            Line(
                code=measure.kind,
                label=measure,
                amount=_amount(measure_rate, measure.rate_text, line, vfd, amount_of),
                rate_text=measure.rate_text,
                rate=measure_rate,
                source=measure.source_title,
                source_url=measure.source_url,
                verified=measure.verified,
            )
        )
    duties = duty.amount + sum((m.amount for m in result.measures), Decimal(0))
    result.vft = vfd + duties
    result.gst = cents(result.vft * GST_RATE / 100)
    result.total = duties + result.gst
    if exchange_rate and (shipping_date - exchange_rate.date).days > STALE_RATE_DAYS:
        result.warnings.append(
            _(
                "The latest %(currency)s rate loaded here is of %(rate_date)s, %(days)s days "
                "before the date of direct shipment: ask an operator to load the Bank of "
                "Canada's recent rates."
            )
            % {
                "currency": currency,
                "rate_date": exchange_rate.date.isoformat(),
                "days": (shipping_date - exchange_rate.date).days,
            }
        )
    return result
