"""Values that look like personal data: Belgian national register numbers, e-mail
addresses, phone numbers.

A column is flagged when 30% of its values are e-mail addresses or phone numbers, or
when one value is a valid national register number (its check digits leave little
doubt, and one is already too many). It is a warning for the publisher to judge: a
school's phone number is public, a citizen's is not.
"""

from __future__ import annotations

import re

__all__ = ["KINDS", "SHARE", "kind_of"]

KINDS = ("national_register_number", "email", "phone")
SHARE = 0.3  # of a column's filled values, for e-mail addresses and phone numbers

# YY.MM.DD-XXX.CC, the punctuation optional.
_NRN = re.compile(r"([0-9]{2})\.?([0-9]{2})\.?([0-9]{2})-?([0-9]{3})\.?([0-9]{2})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
# Belgian (+32 or 0, 8 or 9 digits after) and French (0X XX XX XX XX) numbers, once
# their spaces, dots, slashes and dashes are removed.
_PHONE = re.compile(r"(?:\+|00)(?:32|33)[1-9][0-9]{7,8}|0[1-9][0-9]{7,8}")
_PHONE_PUNCTUATION = str.maketrans("", "", " ./-()\u00a0")
_ENTERPRISE_NUMBER = re.compile(r"0[0-9]{3}\.[0-9]{3}\.[0-9]{3}")  # a company's, not a person's


def kind_of(value: str) -> str | None:
    """Which kind of personal data a (stripped) value is, if any."""
    if "@" in value:
        return "email" if _EMAIL.fullmatch(value) else None
    if not 9 <= len(value) <= 20 or not (value[0].isdigit() or value[0] == "+"):
        return None  # cheap: most cells stop here
    match = _NRN.fullmatch(value)
    if match is not None:
        return "national_register_number" if _valid_nrn(match) else None
    if _ENTERPRISE_NUMBER.fullmatch(value):
        return None
    return "phone" if _PHONE.fullmatch(value.translate(_PHONE_PUNCTUATION)) else None


def _valid_nrn(match: re.Match[str]) -> bool:
    """A birth date that may be one (month + 20 or + 40 for BIS numbers, 00 when
    unknown) and the check digits: 97 minus the first nine digits modulo 97, with
    2 prefixed to them for people born from 2000."""
    month, day = int(match[2]), int(match[3])
    if month % 20 > 12 or month > 52 or day > 31:
        return False
    first9 = int(match[1] + match[2] + match[3] + match[4])
    check = int(match[5])
    return check in (97 - first9 % 97, 97 - (2_000_000_000 + first9) % 97)
