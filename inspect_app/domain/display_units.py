"""Capacities as a shopper reads them on a stall: ``15 kg``, ``40 g``, ``e = 5 g``.

Masses are stored in grams (the register's unit). For reading, a mass of 1000 g or more is
shown in kilograms and anything smaller in grams; trailing zeros go, no exponent ever appears
(``15000`` → ``15 kg``, ``1500`` → ``1.5 kg``, ``0.5`` → ``0.5 g``). Optical instruments carry
their measuring range in dioptres (``D``).
"""

from __future__ import annotations

from decimal import Decimal

_GRAMS_PER_KG = Decimal(1000)


def plain(value: Decimal) -> str:
    """``value`` without trailing zeros or exponent (``Decimal("1.50E+4")`` → ``15000``)."""
    return format(value.normalize(), "f")


def mass(grams: Decimal) -> str:
    """A mass given in grams, in kg from 1000 g up, else in g."""
    if abs(grams) >= _GRAMS_PER_KG:
        return f"{plain(grams / _GRAMS_PER_KG)} kg"
    return f"{plain(grams)} g"


def dioptres(value: Decimal) -> str:
    return f"{plain(value)} D"
