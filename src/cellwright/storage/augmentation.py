"""Keeping a fading plant at its contracted energy: augmentation and replacement.

The plant's battery is a set of cohorts: the initial build (with any overbuild) and every
later addition. A cohort installed at the start of year m holds ``U_c S(n - m)`` usable kWh
at the start of year n, where S(age) is the cells' relative capacity from the aging model
under the plant's duty (every cohort is assumed to see the same relative duty). Strategies
[reopt-jl-electric-storage, nrel-sam; docs/storage-and-lcos.md §3]:

``none``
    Nothing is added; the energy delivered falls once usable energy drops below what a cycle
    needs. An initial overbuild (the project's ``[augmentation] overbuild``, extra energy built
    at the start) is the margin; it combines with any strategy.
``periodic``
    Every ``interval_years`` the battery is topped up to its beginning-of-life usable energy.
``threshold``
    In any year whose end would otherwise fall below ``threshold`` x the rated energy, the
    battery is topped up to its beginning-of-life usable energy (just-in-time augmentation).
``replace``
    When the usable energy falls below ``threshold`` x its beginning-of-life value, every
    cohort is retired and the DC block rebuilt (as SAM's capacity-based replacement).

Added energy is bought as DC block (cells and DC hardware) at the project's DC-block price per
kWh of nameplate, falling by ``cost_decline_per_yr`` a year in real terms (REopt's default
5 %/yr, a scenario value, not a forecast).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SpecError

STRATEGIES = ("none", "periodic", "threshold", "replace")


@dataclass(frozen=True)
class Strategy:
    name: str = "none"
    interval_years: int = 5
    threshold: float = 1.0
    cost_decline_per_yr: float = 0.05

    def __post_init__(self):
        if self.name not in STRATEGIES:
            raise SpecError("augmentation.strategy", self.name, "one of " + ", ".join(STRATEGIES))
        if self.interval_years < 1:
            raise SpecError("augmentation.interval_years", self.interval_years, "a whole number of years >= 1")
        if not 0.0 < self.threshold <= 1.5:
            raise SpecError("augmentation.threshold", self.threshold, "a fraction within (0, 1.5]")
        if not 0.0 <= self.cost_decline_per_yr < 1.0:
            raise SpecError("augmentation.cost_decline_per_yr", self.cost_decline_per_yr, "a fraction within [0, 1)")


@dataclass
class Plan:
    """Usable energy and additions per operating year 1..Y, arrays (Y, N).

    usable_start_kWh, usable_end_kWh: usable energy at the start (after that year's addition)
    and at the end of each year [kWh at the plant's usable boundary]; added_kWh: usable energy
    bought at the start of the year; cost_usd: its price (real, undiscounted).
    """

    usable_start_kWh: np.ndarray
    usable_end_kWh: np.ndarray
    added_kWh: np.ndarray
    cost_usd: np.ndarray

    @property
    def usable_mean_kWh(self) -> np.ndarray:
        return 0.5 * (self.usable_start_kWh + self.usable_end_kWh)


def plan(soh: np.ndarray, usable0_kWh, rated_kWh, price_usd_per_usable_kWh, strategy: Strategy) -> Plan:
    """Cohort bookkeeping for N projects over Y years.

    ``soh`` (Y + 1, N): relative capacity of a cohort at ages 0..Y years. ``usable0_kWh``:
    usable energy at beginning of life; ``rated_kWh``: what a cycle must deliver (same
    boundary); ``price_usd_per_usable_kWh``: year-1 price of added usable energy.
    """
    soh = np.asarray(soh, float)
    years, n = soh.shape[0] - 1, soh.shape[1]
    u0 = np.broadcast_to(np.asarray(usable0_kWh, float), (n,))
    rated = np.broadcast_to(np.asarray(rated_kWh, float), (n,))
    price = np.broadcast_to(np.asarray(price_usd_per_usable_kWh, float), (n,))
    cohorts = np.zeros((years, n))  # usable kWh installed at the start of year m (index m - 1)
    cohorts[0] = u0
    start, end, added, cost = (np.zeros((years, n)) for _ in range(4))
    cols = np.arange(n)

    def capacity(m: int, age_offset: int) -> np.ndarray:
        """Usable energy of all cohorts installed up to year m, at the start of year m + age_offset."""
        ages = (m - 1 + age_offset) - np.arange(m)  # age of each cohort, in years
        return (cohorts[:m] * soh[ages][:, cols]).sum(axis=0) if m else np.zeros(n)

    for m in range(1, years + 1):
        now, next_ = capacity(m, 0), capacity(m, 1)
        add = np.zeros(n)
        if m > 1 and strategy.name == "periodic" and (m - 1) % strategy.interval_years == 0:
            add = np.maximum(u0 - now, 0.0)
        elif m > 1 and strategy.name == "threshold":
            add = np.where(next_ < strategy.threshold * rated, np.maximum(u0 - now, 0.0), 0.0)
        elif m > 1 and strategy.name == "replace":
            retire = now < strategy.threshold * u0
            cohorts[: m - 1, retire] = 0.0
            add = np.where(retire, u0, 0.0)
        cohorts[m - 1] += add
        added[m - 1] = add
        cost[m - 1] = add * price * (1.0 - strategy.cost_decline_per_yr) ** (m - 1)
        start[m - 1], end[m - 1] = capacity(m, 0), capacity(m, 1)
    return Plan(start, end, added, cost)
