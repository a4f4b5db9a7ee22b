"""Does risk targeting work? Failure rates of risk-selected against randomly selected visits.

Pure arithmetic on counts. Each group's rate comes with a 95 % Wilson score interval (Wilson,
JASA 22:209, 1927), which behaves with small counts and rates near 0 or 1 where the textbook
normal interval does not; the difference ``risk − random`` comes with Newcombe's hybrid score
interval built from the two Wilson intervals (Newcombe, Statistics in Medicine 17:873, 1998,
method 10). If the interval of the difference lies above 0, risk-selected visits find failures
more often than random ones: targeting works. If it spans 0, the period does not tell yet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Two-sided 95 %.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Rate:
    visits: int
    failures: int
    #: None when there are no visits.
    rate: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Comparison:
    risk: Rate
    random: Rate
    #: ``risk.rate − random.rate`` and its 95 % interval; None unless both groups have visits.
    difference: float | None
    low: float | None
    high: float | None

    @property
    def verdict(self) -> str:
        """``better`` (risk finds more), ``worse``, ``unclear`` or ``no_data``."""
        if self.low is None or self.high is None:
            return "no_data"
        if self.low > 0:
            return "better"
        if self.high < 0:
            return "worse"
        return "unclear"


def wilson(failures: int, visits: int, z: float = Z95) -> Rate:
    """The failure rate with its Wilson score interval."""
    if visits < 0 or not 0 <= failures <= visits:
        raise ValueError(f"failures {failures} of {visits} visits")
    if visits == 0:
        return Rate(0, 0, None, None, None)
    p = failures / visits
    denominator = 1 + z * z / visits
    centre = (p + z * z / (2 * visits)) / denominator
    half = z * math.sqrt(p * (1 - p) / visits + z * z / (4 * visits * visits)) / denominator
    # At 0 and at 1 the bound is exactly 0 or 1 (floating point lands a hair inside).
    low = 0.0 if failures == 0 else max(0.0, centre - half)
    high = 1.0 if failures == visits else min(1.0, centre + half)
    return Rate(visits, failures, p, low, high)


def compare(
    risk_failures: int, risk_visits: int, random_failures: int, random_visits: int
) -> Comparison:
    """Risk against random: each rate, and the difference with Newcombe's interval."""
    risk, rnd = wilson(risk_failures, risk_visits), wilson(random_failures, random_visits)
    if risk.rate is None or rnd.rate is None:
        return Comparison(risk, rnd, None, None, None)
    assert risk.low is not None and risk.high is not None
    assert rnd.low is not None and rnd.high is not None
    d = risk.rate - rnd.rate
    low = d - math.sqrt((risk.rate - risk.low) ** 2 + (rnd.high - rnd.rate) ** 2)
    high = d + math.sqrt((risk.high - risk.rate) ** 2 + (rnd.rate - rnd.low) ** 2)
    return Comparison(risk, rnd, d, max(-1.0, low), min(1.0, high))
