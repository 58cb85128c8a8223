"""The survey's statistics, in plain math (no dependency: the few formulas below are
checked against published tables in tests/core/test_survey_stats.py).

- sample size for a proportion at a margin and 95 % confidence, with the finite
  population correction (Cochran): n0 = z² p (1-p) / e², n = n0 / (1 + (n0 - 1) / N);
- the margin achieved by n answers out of N (same formula, solved for e);
- Wilson's score interval for a proportion (good at small n and near 0 or 1);
- a mean's interval with Student's t (the quantile by the Cornish-Fisher expansion of
  Abramowitz & Stegun 26.7.5: within 0.001 of the tables from 4 degrees of freedom,
  and groups under 5 answers are never shown).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

CONFIDENCE = 0.95
Z95 = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)  # 1.959963…


def required_sample(population: int, margin: float, p: float = 0.5, z: float = Z95) -> int:
    """Answers needed for ± `margin` (0.05 = 5 points) on a proportion `p` (0.5: the
    worst case) among `population` people; never more than the population."""
    if population <= 0:
        return 0
    if not 0 < margin < 1:
        raise ValueError("margin must be between 0 and 1")
    n0 = z * z * p * (1 - p) / (margin * margin)
    n = n0 / (1 + (n0 - 1) / population)
    # The float division can land a hair above a whole number (277.0000001).
    return min(population, math.ceil(round(n, 9)))


def achieved_margin(answers: int, population: int, p: float = 0.5, z: float = Z95) -> float | None:
    """The margin (0.05 = ± 5 points) that `answers` out of `population` give a
    proportion; 0 when everyone answered, None without answers."""
    if answers <= 0 or population <= 0:
        return None
    if answers >= population:
        return 0.0
    fpc = (population - answers) / (population - 1) if population > 1 else 0.0
    return z * math.sqrt(p * (1 - p) / answers * fpc)


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    """Wilson score interval of successes / n (n > 0)."""
    if n <= 0:
        raise ValueError("no answers")
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half))


def t_quantile(probability: float, df: int) -> float:
    """Student's t quantile (Abramowitz & Stegun 26.7.5)."""
    if df <= 0:
        raise ValueError("df must be positive")
    x = NormalDist().inv_cdf(probability)
    g1 = (x**3 + x) / 4
    g2 = (5 * x**5 + 16 * x**3 + 3 * x) / 96
    g3 = (3 * x**7 + 19 * x**5 + 17 * x**3 - 15 * x) / 384
    g4 = (79 * x**9 + 776 * x**7 + 1482 * x**5 - 1920 * x**3 - 945 * x) / 92160
    return x + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def mean_interval(values: Sequence[float]) -> Interval:
    """The mean and its 95 % interval (Student's t); a single value has no spread."""
    n = len(values)
    if n == 0:
        raise ValueError("no answers")
    mean = math.fsum(values) / n
    if n == 1:
        return Interval(mean, mean, mean)
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = t_quantile(0.5 + CONFIDENCE / 2, n - 1) * math.sqrt(variance / n)
    return Interval(mean, mean - half, mean + half)


def mean_interval_from_counts(counts: Mapping[float, int]) -> Interval:
    """The same as `mean_interval`, from how many gave each value (a scale's levels)."""
    n = sum(counts.values())
    if n == 0:
        raise ValueError("no answers")
    mean = sum(level * c for level, c in counts.items()) / n
    if n == 1:
        return Interval(mean, mean, mean)
    variance = sum(c * (level - mean) ** 2 for level, c in counts.items()) / (n - 1)
    half = t_quantile(0.5 + CONFIDENCE / 2, n - 1) * math.sqrt(variance / n)
    return Interval(mean, mean - half, mean + half)


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Proportional allocation of `n` draws to strata of `sizes` (largest remainders;
    ties by stratum name, so the same input always gives the same split)."""
    total = sum(sizes.values())
    if total == 0 or n <= 0:
        return dict.fromkeys(sizes, 0)
    n = min(n, total)
    exact = {s: n * size / total for s, size in sizes.items()}
    shares = {s: min(sizes[s], math.floor(v)) for s, v in exact.items()}
    left = n - sum(shares.values())
    order = sorted(sizes, key=lambda s: (-(exact[s] - math.floor(exact[s])), s))
    while left > 0:
        moved = False
        for stratum in order:
            if left and shares[stratum] < sizes[stratum]:
                shares[stratum] += 1
                left -= 1
                moved = True
        if not moved:
            break
    return shares
