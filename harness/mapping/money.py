"""Money: integer minor units (cents, fils, yen) ↔ a decimal amount in major units.

Exact in both directions: only ``int`` and ``decimal.Decimal`` arithmetic on digit tuples, never
float and never a rounding context. An amount with more decimal places than the currency has
(``12.345`` USD) is an error, not a rounding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from harness.mapping.errors import TransformError, show, show_got
from harness.mapping.options import Options, suggest

# ISO 4217 minor-unit exponents of common currencies; anything else takes `exponent: N`.
CURRENCY_EXPONENTS: Mapping[str, int] = MappingProxyType(
    {
        **dict.fromkeys(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"], 0),
        **dict.fromkeys(["RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"], 0),
        **dict.fromkeys(["AED", "AUD", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR"], 2),
        **dict.fromkeys(["GBP", "HKD", "HUF", "IDR", "ILS", "INR", "MXN", "MYR", "NOK"], 2),
        **dict.fromkeys(["NZD", "PHP", "PLN", "RON", "SAR", "SEK", "SGD", "THB", "TRY"], 2),
        **dict.fromkeys(["TWD", "USD", "ZAR"], 2),
        **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
        **dict.fromkeys(["CLF", "UYW"], 4),
    }
)
_AMOUNT_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


class MoneyUnit(StrEnum):
    """Which unit *ours* holds; theirs holds the other one."""

    MINOR = "minor"
    MAJOR = "major"


@dataclass(frozen=True, slots=True, kw_only=True)
class Money:
    """Minor units ↔ major amount with ``exponent`` decimal places. Exact.

    ``ours_unit: minor`` (default): ours ``1234`` ↔ theirs ``"12.34"`` (USD); forward renders
    text with exactly ``exponent`` places, backward accepts text, Decimal or int.
    ``ours_unit: major``: ours ``Decimal("12.34")`` (or text, int) ↔ theirs ``1234``; backward
    returns a Decimal with exactly ``exponent`` places.
    """

    name: str = "money"
    lossy: bool = False
    exponent: int
    currency: str = ""
    ours_unit: MoneyUnit = MoneyUnit.MINOR

    def forward(self, value: Any) -> Any:
        if self.ours_unit is MoneyUnit.MINOR:
            return format(self._to_major(value), "f")
        return self._to_minor(value)

    def backward(self, value: Any) -> Any:
        if self.ours_unit is MoneyUnit.MINOR:
            return self._to_minor(value)
        return self._to_major(value)

    def _to_major(self, minor: Any) -> Decimal:
        if not isinstance(minor, int) or isinstance(minor, bool):
            raise TransformError(
                self.name, f"expected an integer amount of minor units, got {show_got(minor)}"
            )
        sign, digits, _ = Decimal(minor).as_tuple()
        return Decimal((sign, digits, -self.exponent))

    def _to_minor(self, amount: Any) -> int:
        sign, digits, exponent = self._parse_amount(amount).as_tuple()
        assert isinstance(exponent, int)  # _parse_amount admits finite amounts only
        magnitude = int("".join(map(str, digits)))
        shift = exponent + self.exponent
        scale: int = 10 ** abs(shift)
        if shift < 0:
            magnitude, dropped = divmod(magnitude, scale)
            if dropped:
                raise TransformError(
                    self.name,
                    f"{show(amount)} has more decimal places than {self._unit_name()} "
                    f"allows ({self.exponent})",
                )
        else:
            magnitude *= scale
        return -magnitude if sign else magnitude

    def _parse_amount(self, amount: Any) -> Decimal:
        if isinstance(amount, Decimal) and amount.is_finite():
            return amount
        if isinstance(amount, int) and not isinstance(amount, bool):
            return Decimal(amount)
        if isinstance(amount, str) and _AMOUNT_TEXT.fullmatch(amount):
            return Decimal(amount)
        if isinstance(amount, float):
            raise TransformError(
                self.name,
                f"{amount!r} is a float, which cannot hold money exactly; send text or a Decimal "
                "(parse JSON with parse_float=decimal.Decimal)",
            )
        raise TransformError(
            self.name, f"expected a decimal amount such as '12.34', got {show_got(amount)}"
        )

    def _unit_name(self) -> str:
        return self.currency or f"exponent {self.exponent}"


def build_money(opts: Options) -> Money:
    """``currency: USD`` (exponent from ISO 4217) and/or ``exponent: N`` (wins), ``ours_unit``."""
    currency = opts.get("currency", str, "").upper()
    exponent = opts.find("exponent", int)
    if exponent is None:
        exponent = _currency_exponent(opts, currency)
    elif exponent < 0:
        raise opts.error(f"expected a non-negative integer, got {exponent}", option="exponent")
    unit_text = opts.get("ours_unit", str, MoneyUnit.MINOR.value)
    if unit_text not in set(MoneyUnit):
        raise opts.error(f"expected 'minor' or 'major', got {unit_text!r}", option="ours_unit")
    return Money(exponent=exponent, currency=currency, ours_unit=MoneyUnit(unit_text))


def _currency_exponent(opts: Options, currency: str) -> int:
    if not currency:
        raise opts.error(
            "needs 'currency' (an ISO 4217 code such as USD) or 'exponent' (decimal places)"
        )
    if currency not in CURRENCY_EXPONENTS:
        raise opts.error(
            f"unknown currency {currency!r} (for one missing from the table, give exponent: N)",
            option="currency",
            hint=suggest(currency, CURRENCY_EXPONENTS),
        )
    return CURRENCY_EXPONENTS[currency]
