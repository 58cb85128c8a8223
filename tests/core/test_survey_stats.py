"""The survey's statistics against published values: the sample sizes of Krejcie &
Morgan's table (Cochran's formula with the finite-population correction), Wilson's
intervals of Newcombe (1998, table I), Student's t of the usual tables."""

from __future__ import annotations

import pytest

from bippop_desk.registry.survey_stats import (
    achieved_margin,
    allocate,
    mean_interval,
    mean_interval_from_counts,
    required_sample,
    t_quantile,
    wilson,
)


@pytest.mark.parametrize(
    ("population", "needed"),
    [(1_000, 278), (100, 80), (10_000, 370), (350, 184), (1_000_000, 384), (20, 20), (1, 1)],
)
def test_the_sample_size_for_five_points_is_the_published_one(population: int, needed: int) -> None:
    assert required_sample(population, 0.05) == needed


def test_a_smaller_margin_needs_more_answers_and_never_more_than_everyone() -> None:
    assert required_sample(1_000, 0.03) == 517
    assert required_sample(300, 0.01) == 291
    assert required_sample(50, 0.01) == 50
    assert required_sample(0, 0.05) == 0


def test_the_margin_achieved_by_the_needed_answers_is_the_target() -> None:
    margin = achieved_margin(278, 1_000)
    assert margin is not None and 0.0495 < margin <= 0.05
    assert achieved_margin(1_000, 1_000) == 0.0
    assert achieved_margin(0, 1_000) is None


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
     (1, 29, 0.0061, 0.1718)],
)  # fmt: skip
def test_wilson_intervals_are_newcombes(successes: int, n: int, low: float, high: float) -> None:
    interval = wilson(successes, n)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(
    ("df", "value"), [(4, 2.776), (5, 2.571), (10, 2.228), (29, 2.045), (100, 1.984)]
)
def test_student_quantiles_are_the_tables(df: int, value: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(value, abs=1.5e-3)


def test_a_mean_interval_from_values_and_from_counts_agree() -> None:
    values = [1, 2, 2, 3, 3, 3, 4, 4, 5, 5]
    direct = mean_interval([float(v) for v in values])
    counted = mean_interval_from_counts({1.0: 1, 2.0: 2, 3.0: 3, 4.0: 2, 5.0: 2})
    assert direct.estimate == pytest.approx(3.2)
    assert counted.low == pytest.approx(direct.low) and counted.high == pytest.approx(direct.high)
    # s = √(15.6 / 9) = 1.3166, t(9) = 2.262 (table): 3.2 ± 0.9418
    assert direct.high - direct.estimate == pytest.approx(2.262 * 1.3166 / 10**0.5, abs=1e-3)


def test_proportional_allocation_sums_to_the_sample_and_respects_each_stratum() -> None:
    shares = allocate({"Centre": 500, "Nord": 300, "Sud": 195, "Bois": 5}, 278)
    assert sum(shares.values()) == 278
    # 139 + 83.4 + 54.2 + 1.4: the one seat left goes to the largest remainder (Nord).
    assert shares == {"Centre": 139, "Nord": 84, "Sud": 54, "Bois": 1}
    assert allocate({"A": 2, "B": 10}, 12) == {"A": 2, "B": 10}


def test_counted_medians_and_means_are_those_of_the_values() -> None:
    import random
    import statistics
    from collections import Counter

    from bippop_desk.registry.services.survey_results import _median

    rng = random.Random(7)
    for size in (1, 2, 5, 6, 101):
        values = [float(rng.randint(0, 12)) for _ in range(size)]
        counts = Counter(values)
        assert _median(dict(counts), size) == statistics.median(values)
        if size > 1:
            direct, counted = mean_interval(values), mean_interval_from_counts(counts)
            assert counted.low == pytest.approx(direct.low)
