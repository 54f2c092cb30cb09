"""Reading numbers written by people: thousands separators and the decimal comma."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_GROUPED = {
    ",": re.compile(r"^\d{1,3}(,\d{3})+$"),
    ".": re.compile(r"^\d{1,3}(\.\d{3}){2,}$"),
}
_PLAIN = re.compile(r"^\d+([.,]\d+)?$")


def parse_number(text: str) -> Decimal | None:
    """Parse ``100000``, ``100,000``, ``100 000``, ``2,5``, ``1.234,5`` or ``-3``; else None.

    A lone comma followed by exactly three digits is a thousands separator (``100,000``);
    any other lone comma is a decimal comma (``2,5``). With both signs, the last one is the
    decimal separator.
    """
    value = re.sub(r"[\s\u00a0\u202f\u2009']", "", text.strip())
    sign = ""
    if value and value[0] in "+-\u2212":
        sign, value = ("-" if value[0] != "+" else ""), value[1:]
    if not value or len(value) > 40:
        return None
    if "," in value and "." in value:
        decimal_sign = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_sign == "," else ","
        whole, _, fraction = value.rpartition(decimal_sign)
        if not re.fullmatch(r"\d{1,3}(" + re.escape(thousands) + r"\d{3})*", whole):
            return None
        value = whole.replace(thousands, "") + "." + fraction
    elif _GROUPED[","].match(value) or _GROUPED["."].match(value):
        value = value.replace(",", "").replace(".", "")
    elif _PLAIN.match(value):
        value = value.replace(",", ".")
    else:
        return None
    if not re.fullmatch(r"\d+(\.\d+)?", value):
        return None
    try:
        return Decimal(sign + value)
    except InvalidOperation:
        return None
