"""The rate grammar of the Customs Tariff (SPEC CALC-6), parsed into a structure.

Forms read (English schedule, and the French conventions of the French schedule):

* ``Free`` / ``En fr.``; ``N/A`` / ``S/O`` (no preference);
* ad valorem ``6.5%`` / ``6,5 %``;
* specific ``2.84¢/kg``, ``$98.60/tonne``, ``35.2¢/litre``, ``$36.67/hl``,
  ``4.92¢/litre of absolute ethyl alcohol`` (French ``36,67 $/hl``, ``4,92 ¢/litre d'alcool
  éthylique absolu``);
* compound ``$98.60/tonne plus 4%``;
* a floor ``256% but not less than $36.67/hl`` (``mais pas moins de``) and a ceiling
  ``… but not more than …`` (``mais pas plus de``).

A text this grammar does not describe raises :class:`RateError`: the calculation stops
with that message, it never guesses (e.g. the published ``13.5%/pair``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _


class RateError(ValueError):
    """A rate text the grammar does not describe."""

    def __init__(self, text: str, reason: str):
        self.text = text
        self.reason = reason
        super().__init__(f"{text!r}: {reason}")


@dataclass(frozen=True)
class Unit:
    """A unit of a specific rate or of a quantity, with its dimension and size."""

    code: str
    dimension: str
    factor: Decimal  # size in the dimension's base unit
    en: str
    fr: str


UNITS = {
    unit.code: unit
    for unit in (
        Unit("kg", "mass", Decimal(1), "kg", "kg"),
        Unit("tonne", "mass", Decimal(1000), "tonne", "tonne"),
        Unit("litre", "volume", Decimal(1), "litre", "litre"),
        Unit("hl", "volume", Decimal(100), "hl", "hl"),
        Unit(
            "laa",
            "alcohol",
            Decimal(1),
            "litre of absolute ethyl alcohol",
            "litre d'alcool éthylique absolu",
        ),
        Unit("unit", "count", Decimal(1), "unit", "unité"),
        Unit("dozen", "count", Decimal(12), "dozen", "douzaine"),
        Unit("pair", "pairs", Decimal(1), "pair", "paire"),
        Unit("m2", "area", Decimal(1), "m²", "m²"),
    )
}

# Unit phrases after "/", longest first, in both languages.
_UNIT_PHRASES = sorted(
    [
        ("litre of absolute ethyl alcohol", "laa"),
        ("litre d'alcool éthylique absolu", "laa"),
        ("litre d’alcool éthylique absolu", "laa"),
        ("kg", "kg"),
        ("tonne", "tonne"),
        ("litre", "litre"),
        ("hl", "hl"),
        ("unit", "unit"),
        ("unité", "unit"),
        ("dozen", "dozen"),
        ("douzaine", "dozen"),
        ("pair", "pair"),
        ("paire", "pair"),
        ("m²", "m2"),
        ("m2", "m2"),
    ],
    key=lambda item: -len(item[0]),
)

# Units of measure of the tariff (column "Unit of Meas.") as quantities of a dimension.
MEASURE_UNITS = {
    "KGM": UNITS["kg"],
    "TNE": UNITS["tonne"],
    "LTR": UNITS["litre"],
    "HLT": UNITS["hl"],
    "LPA": UNITS["laa"],
    "NMB": UNITS["unit"],
    "DZN": UNITS["dozen"],
    "PAR": UNITS["pair"],
    "MTK": UNITS["m2"],
}

MEASURE_UNIT_NAMES = {
    "KGM": _("kilograms (KGM)"),
    "TNE": _("tonnes (TNE)"),
    "LTR": _("litres (LTR)"),
    "HLT": _("hectolitres (HLT)"),
    "LPA": _("litres of absolute ethyl alcohol (LPA)"),
    "NMB": _("number of units (NMB)"),
    "DZN": _("dozens (DZN)"),
    "PAR": _("pairs (PAR)"),
    "MTK": _("square metres (MTK)"),
}


@dataclass(frozen=True)
class Quantity:
    amount: Decimal
    unit: Unit

    def to(self, unit: Unit) -> Decimal:
        if unit.dimension != self.unit.dimension:
            raise ValueError(f"cannot express {self.unit.code} in {unit.code}")
        return self.amount * self.unit.factor / unit.factor


@dataclass(frozen=True)
class AdValorem:
    percent: Decimal

    def amount(self, value: Decimal, quantity: Quantity | None) -> Decimal:
        return value * self.percent / 100


@dataclass(frozen=True)
class Specific:
    number: Decimal  # as written: cents when ``in_cents`` (2.84¢/kg), else dollars
    unit: Unit
    in_cents: bool = False

    @property
    def dollars(self) -> Decimal:
        """Dollars per unit."""
        return self.number / 100 if self.in_cents else self.number

    def amount(self, value: Decimal, quantity: Quantity | None) -> Decimal:
        if quantity is None:
            raise ValueError("a specific rate needs a quantity")
        return self.dollars * quantity.to(self.unit)


Component = AdValorem | Specific


@dataclass(frozen=True)
class Rate:
    """A parsed rate: the sum of ``parts``, at least ``minimum``, at most ``maximum``."""

    parts: tuple[Component, ...] = ()
    minimum: tuple[Component, ...] = ()
    maximum: tuple[Component, ...] = ()
    available: bool = True

    @property
    def kind(self) -> str:
        if not self.available:
            return "not_available"
        if not self.parts:
            return "free"
        if self.minimum:
            return "floor"
        if self.maximum:
            return "ceiling"
        if len(self.parts) > 1:
            return "compound"
        return "ad_valorem" if isinstance(self.parts[0], AdValorem) else "specific"

    def specific_units(self) -> list[Unit]:
        return [
            part.unit
            for part in (*self.parts, *self.minimum, *self.maximum)
            if isinstance(part, Specific)
        ]

    @property
    def needs_quantity(self) -> bool:
        return bool(self.specific_units())

    def amount(self, value: Decimal, quantity: Quantity | None = None) -> Decimal:
        """The unrounded amount on ``value`` (CAD) and ``quantity``."""
        if not self.available:
            raise ValueError("this treatment has no rate for this item")
        total = sum((part.amount(value, quantity) for part in self.parts), Decimal(0))
        if self.minimum:
            floor = sum((part.amount(value, quantity) for part in self.minimum), Decimal(0))
            total = max(total, floor)
        if self.maximum:
            ceiling = sum((part.amount(value, quantity) for part in self.maximum), Decimal(0))
            total = min(total, ceiling)
        return total


FREE = Rate()
NOT_AVAILABLE = Rate(available=False)

_FREE_WORDS = {"free", "en fr.", "en fr", "en franchise"}
_NA_WORDS = {"n/a", "s/o"}
_FLOOR = ("but not less than", "mais pas moins de")
_CEILING = ("but not more than", "and not more than", "mais pas plus de")
_PLUS = ("plus",)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _clean(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
    return " ".join(text.split())


class _Parser:
    def __init__(self, text: str):
        self.original = text
        self.text = _clean(text)
        self.lower = self.text.lower()
        self.pos = 0

    def fail(self, reason: str):
        raise RateError(self.original, reason)

    def skip_spaces(self):
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def at_end(self) -> bool:
        self.skip_spaces()
        return self.pos >= len(self.text)

    def take(self, words: tuple[str, ...]) -> bool:
        self.skip_spaces()
        for word in words:
            end = self.pos + len(word)
            if self.lower.startswith(word, self.pos) and (
                end >= len(self.text) or self.text[end] == " "
            ):
                self.pos = end
                return True
        return False

    def take_char(self, char: str) -> bool:
        self.skip_spaces()
        if self.text.startswith(char, self.pos):
            self.pos += len(char)
            return True
        return False

    def number(self) -> Decimal:
        self.skip_spaces()
        match = _NUMBER.match(self.text, self.pos)
        if not match:
            self.fail(f"a number was expected at {self.text[self.pos :]!r}")
        raw = match.group()
        if re.fullmatch(r"\d{1,3},\d{3}", raw):
            self.fail(f"{raw!r} could be a thousands separator or a decimal comma")
        self.pos = match.end()
        try:
            return Decimal(raw.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the regex admits only numbers
            self.fail(f"{raw!r} is not a number")

    def unit(self) -> Unit:
        self.skip_spaces()
        for phrase, code in _UNIT_PHRASES:
            end = self.pos + len(phrase)
            if self.lower.startswith(phrase, self.pos) and (
                end >= len(self.text) or self.text[end] == " "
            ):
                self.pos = end
                return UNITS[code]
        self.fail(f"unknown unit {self.text[self.pos :]!r}")

    def term(self) -> Component:
        if self.take_char("$"):
            dollars = self.number()
            if not self.take_char("/"):
                self.fail("a specific rate needs a unit, such as /kg")
            return Specific(dollars, self.unit())
        amount = self.number()
        if self.take_char("%"):
            self.skip_spaces()
            if self.text.startswith("/", self.pos):
                self.fail(f"a percentage per unit ({self.text[self.pos :]!r}) is not a rate")
            return AdValorem(amount)
        if self.take_char("¢"):
            if not self.take_char("/"):
                self.fail("a specific rate needs a unit, such as /kg")
            return Specific(amount, self.unit(), in_cents=True)
        if self.take_char("$"):
            if not self.take_char("/"):
                self.fail("a specific rate needs a unit, such as /kg")
            return Specific(amount, self.unit())
        self.fail(f"%, ¢ or $ was expected after {amount}")

    def expression(self) -> tuple[Component, ...]:
        parts = [self.term()]
        while self.take(_PLUS):
            parts.append(self.term())
        return tuple(parts)

    def rate(self) -> Rate:
        if self.lower in _FREE_WORDS:
            return FREE
        if self.lower in _NA_WORDS:
            return NOT_AVAILABLE
        if not self.text:
            self.fail("the rate is empty")
        parts = self.expression()
        minimum: tuple[Component, ...] = ()
        maximum: tuple[Component, ...] = ()
        if self.take(_FLOOR):
            minimum = self.expression()
        if self.take(_CEILING):
            maximum = self.expression()
        if not self.at_end():
            self.fail(f"unexpected {self.text[self.pos :]!r}")
        return Rate(parts=parts, minimum=minimum, maximum=maximum)


def parse_rate(text: str) -> Rate:
    """Parse a rate text of the schedule; raise :class:`RateError` if it is not one."""
    if not isinstance(text, str):
        raise RateError(repr(text), "a rate is text")
    return _Parser(text).rate()


def _number(value: Decimal, language: str) -> str:
    text = format(value, "f")
    return text.replace(".", ",") if language == "fr" else text


def _component(part: Component, language: str) -> str:
    if isinstance(part, AdValorem):
        number = _number(part.percent, language)
        return f"{number} %" if language == "fr" else f"{number}%"
    unit = part.unit.fr if language == "fr" else part.unit.en
    if part.in_cents:
        cents = _number(part.number, language)
        return f"{cents} ¢/{unit}" if language == "fr" else f"{cents}¢/{unit}"
    dollars = _number(part.number, language)
    return f"{dollars} $/{unit}" if language == "fr" else f"${dollars}/{unit}"


def render_rate(rate: Rate, language: str = "en") -> str:
    """The rate written as the schedule of that language writes it."""
    if not rate.available:
        return "S/O" if language == "fr" else "N/A"
    if not rate.parts:
        return "En fr." if language == "fr" else "Free"

    def expression(parts):
        return " plus ".join(_component(part, language) for part in parts)

    text = expression(rate.parts)
    if rate.minimum:
        text += (" mais pas moins de " if language == "fr" else " but not less than ") + (
            expression(rate.minimum)
        )
    if rate.maximum:
        text += (" mais pas plus de " if language == "fr" else " but not more than ") + (
            expression(rate.maximum)
        )
    return text


def display_rate(text: str, language: str) -> str:
    """A rate text for a person reading ``language``; a text the grammar does not
    describe is shown verbatim."""
    try:
        return render_rate(parse_rate(text), language)
    except RateError:
        return text


_PREFERENCE_ENTRY = re.compile(r"([A-Z]{2,6})\s*:?\s+")


def parse_preferences(text: str) -> dict[str, str]:
    """Split an "Applicable Preferential Tariffs" cell into ``{code: rate text}``.

    Grammar: ``CODE, CODE, …: Free[ CODE rate(, CODE rate)*]`` or ``CODE rate, …``.
    The rate texts are kept verbatim (they are parsed when used).
    """
    text = _clean(text or "")
    result: dict[str, str] = {}
    if not text:
        return result
    rest = text
    head = re.match(r"^((?:[A-Z]{2,6}\s*,\s*)*[A-Z]{2,6})\s*:\s*(Free|En fr\.?)(?=\s|$)", rest)
    if head:
        for code in re.split(r"\s*,\s*", head.group(1)):
            if code in result:
                raise RateError(text, f"{code} appears twice")
            result[code] = "Free" if head.group(2) == "Free" else "En fr."
        rest = rest[head.end() :].strip()
    if not rest:
        return result
    # The remainder: "CODE rate, CODE rate" where a rate itself never contains ", CODE ".
    pieces = re.split(r",\s*(?=[A-Z]{2,6}\s*:?\s)", rest)
    for piece in pieces:
        match = _PREFERENCE_ENTRY.match(piece.strip())
        if not match:
            raise RateError(text, f"cannot read {piece!r}")
        code = match.group(1)
        if code in result:
            raise RateError(text, f"{code} appears twice")
        result[code] = piece.strip()[match.end() :].strip()
        if not result[code]:
            raise RateError(text, f"{code} has no rate")
    return result
