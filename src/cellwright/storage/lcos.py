r"""Levelized cost of storage (LCOS) with every convention an explicit switch.

The numeric core follows Schmidt et al. (2019) [1]_:

.. math::

    \mathrm{LCOS} = \frac{\mathrm{CAPEX}
        + \sum_{n=1}^{N} \frac{\mathrm{O\&M}_n + \mathrm{CHARGE}_n + \mathrm{REP}_n}{(1+r)^{n+T_c-1}}
        + \frac{\mathrm{EOL}}{(1+r)^{N+T_c}}}
        {\sum_{n=1}^{N} \frac{E_{\mathrm{out},n}}{(1+r)^{n+T_c-1}}},
    \qquad
    \mathrm{CAPEX} = \sum_{t=1}^{T_c} \frac{C_\mathrm{inv}/T_c}{(1+r)^{t-1}}

with :math:`n` the operation year, :math:`T_c` the construction time [yr] (``T_c = 1``: the
investment is paid at t = 0 and year 1 of operation is discounted by one year), REP the
replacement or augmentation capex events, EOL the end-of-life cost (negative = salvage).
All discharged energy is in the denominator and is discounted.

NREL SAM computes the same quantity in ssc ``common_financial.cpp::lcos_calc`` (ssc PR #530,
which cites [1]_ as its main reference) [2]_. What that code does (read from ssc's source and
checked against PySAM 7.1.1, see ``tests/fixtures/storage/README.md``):

* numerator = year-0 battery investment + :math:`\sum_{n=1}^{N} C_n/(1+r_\mathrm{nom})^n`
  with :math:`C_n` SAM's *nominal* (as-spent) yearly costs: grid and system charging, the
  battery's fixed, capacity and production O&M, replacement costs, and the salvage value in
  year N;
* ``lcos_nom`` = numerator / :math:`\sum E_n/(1+r_\mathrm{nom})^n`;
  ``lcos_real`` = the same numerator / :math:`\sum E_n/(1+r_\mathrm{real})^n`, with
  :math:`1+r_\mathrm{nom} = (1+r_\mathrm{real})(1+i)` (Fisher).

Because nominal flows discounted at the nominal rate equal real flows discounted at the real
rate, SAM's "mixed" ``lcos_real`` *is* the ordinary real LCOS, in year-0 dollars, provided the
flows are nominal; it is wrong only if someone feeds constant-dollar flows to it. Here
``dollars="sam"`` does SAM's arithmetic literally and therefore insists on nominal flows.
Two ssc behaviours to know: the salvage value is *subtracted from a cash flow in which costs
are negative*, so in SAM a salvage value raises the LCOS (to reproduce SAM pass its salvage
as a positive ``end_of_life_usd`` in the last year); and its salvage sits in year N, not N+1.

Units: USD, MWh, USD/MWh, rates per year as fractions. Yearly flows are arrays shaped
``(N, years)`` (or ``(years,)`` / scalars, broadcast), column ``j`` = operation year ``j+1``.

References
----------
.. [1] O. Schmidt, S. Melchior, A. Hawkes, I. Staffell (2019). Projecting the future levelized
   cost of electricity storage technologies. Joule 3(1), 81-100.
   doi:10.1016/j.joule.2018.12.008 [schmidt2019]
.. [2] NREL System Advisor Model, ssc ``common_financial.cpp::lcos_calc``, PR #530 (2021)
   [nrel-ssc-lcos]
.. [3] PyPSA ``pypsa/costs.py::annuity`` [pypsa-annuity]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import SpecError

TERMS = ("capex", "om", "charging", "replacement", "end_of_life")
"""Names of the cost terms in :attr:`LcosResult.breakdown`, in summation order."""

_DOLLARS = ("real", "nominal", "sam")
_CASH_FLOWS = ("real", "nominal")
_END_OF_LIFE = ("after_last_year", "in_last_year", "exclude")
_ENERGY = ("gross", "net")

SOURCES = ("schmidt2019", "nrel-ssc-lcos")


@dataclass(frozen=True)
class LcosConventions:
    """The conventions an LCOS depends on; each is a switch with a documented default.

    Parameters
    ----------
    dollars : {"real", "nominal", "sam"}, default "real"
        ``"real"``: costs and energy discounted at the real rate; the LCOS is in constant
        year-0 dollars (Schmidt [1]_). ``"nominal"``: nominal costs and energy discounted at
        the nominal rate; a levelized nominal price (SAM ``lcos_nom``). ``"sam"``: SAM's
        ``lcos_real`` literally: the given (nominal) flows discounted at the nominal rate over
        energy discounted at the real rate; requires ``cash_flows="nominal"``; with nominal
        flows it equals ``"real"`` exactly (Fisher).
    cash_flows : {"real", "nominal"}, default "real"
        What the yearly USD flows passed to :func:`lcos` are: constant year-0 dollars
        (``"real"``) or as-spent dollars (``"nominal"``). Converted with
        :math:`C_\\mathrm{nom}(t) = C_\\mathrm{real}(t)\\,(1+i)^t`, t = years from year 0.
    discount_rate : float, default 0.08
        *Real* discount rate r [1/yr]; must be > -1. 8 %/yr is the base value
        docs/storage-and-lcos.md §1.1 attributes to Schmidt et al. 2019 (not checked against
        the paper's table).
    inflation_rate : float, default 0.0
        Inflation i [1/yr], > -1. Nominal rate :math:`(1+r)(1+i)-1` (Fisher).
    include_charging : bool, default True
        Whether the cost of charging energy is in the numerator.
    construction_years : int, default 1
        Schmidt's T_c >= 1: the investment is spread evenly over T_c years at t = 0 ... T_c-1
        and operation year n is discounted by n + T_c - 1 years.
    end_of_life : {"after_last_year", "in_last_year", "exclude"}, default "after_last_year"
        When the end-of-life cost (negative = salvage) is paid: at t = N + T_c (Schmidt), at
        t = N + T_c - 1 together with the last operating year (SAM), or not at all.
    discharged_energy : {"gross", "net"}, default "gross"
        Denominator: all discharged energy (Schmidt, SAM after SAM issue #532), or
        discharged energy minus the auxiliary energy passed as ``auxiliary_MWh`` (station
        service drawn outside the stated boundary). Net of *charging* energy is not offered:
        it is negative for grid-charged storage (SAM #532).
    energy_boundary : str, default "unstated"
        A label for where the energies passed in are measured (e.g. "DC block", "AC at POI");
        it changes no number and is recorded in the result.
    """

    dollars: str = "real"
    cash_flows: str = "real"
    discount_rate: float = 0.08
    inflation_rate: float = 0.0
    include_charging: bool = True
    construction_years: int = 1
    end_of_life: str = "after_last_year"
    discharged_energy: str = "gross"
    energy_boundary: str = "unstated"

    def __post_init__(self):
        for name, allowed in (
            ("dollars", _DOLLARS),
            ("cash_flows", _CASH_FLOWS),
            ("end_of_life", _END_OF_LIFE),
            ("discharged_energy", _ENERGY),
        ):
            if getattr(self, name) not in allowed:
                raise SpecError(f"conventions.{name}", getattr(self, name), f"one of {', '.join(allowed)}")
        for name in ("discount_rate", "inflation_rate"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float, np.floating, np.integer))
                or not np.isfinite(value)
                or value <= -1
            ):
                raise SpecError(f"conventions.{name}", value, "a finite number > -1 (a fraction per year)")
        tc = self.construction_years
        if isinstance(tc, bool) or not isinstance(tc, (int, np.integer)) or tc < 1:
            raise SpecError("conventions.construction_years", tc, "an integer >= 1 (years)")
        if not isinstance(self.include_charging, (bool, np.bool_)):
            raise SpecError("conventions.include_charging", self.include_charging, "True or False")
        if not isinstance(self.energy_boundary, str) or not self.energy_boundary.strip():
            raise SpecError("conventions.energy_boundary", self.energy_boundary, "a non-empty label")
        if self.dollars == "sam" and self.cash_flows != "nominal":
            raise SpecError(
                "conventions.cash_flows",
                self.cash_flows,
                'dollars="sam" discounts the given flows at the nominal rate, as ssc does: '
                'pass nominal (as-spent) flows and set cash_flows="nominal"',
            )

    @property
    def nominal_discount_rate(self) -> float:
        """Nominal discount rate (1 + r)(1 + i) - 1 [1/yr] (Fisher)."""
        return (1.0 + self.discount_rate) * (1.0 + self.inflation_rate) - 1.0


@dataclass(frozen=True)
class LcosResult:
    """Result of :func:`lcos` for N projects.

    Attributes
    ----------
    lcos_usd_per_MWh : ndarray (N,)
        Levelized cost of storage [USD/MWh]; the exact sum of ``breakdown`` over :data:`TERMS`.
    breakdown : dict[str, ndarray (N,)]
        Contribution of each term (capex, om, charging, replacement, end_of_life) [USD/MWh].
    pv_cost_usd : ndarray (N,)
        Discounted costs, the numerator [USD, year-0 value in the chosen dollars].
    pv_cost_by_term_usd : dict[str, ndarray (N,)]
        The numerator by term [USD].
    pv_energy_MWh : ndarray (N,)
        Discounted discharged energy, the denominator [MWh].
    conventions : LcosConventions
        The conventions used.
    energy_boundary : str
        Where the energies were measured (from the conventions).
    sources : tuple of str
        Citation keys of the method.
    """

    lcos_usd_per_MWh: np.ndarray
    breakdown: dict
    pv_cost_usd: np.ndarray
    pv_cost_by_term_usd: dict
    pv_energy_MWh: np.ndarray
    conventions: LcosConventions
    energy_boundary: str
    sources: tuple = field(default=SOURCES)


def annuity(r, n):
    r"""Capital recovery factor :math:`r / (1 - (1+r)^{-n})`, as PyPSA's ``annuity`` [3]_.

    Parameters
    ----------
    r : float or array
        Discount rate [1/yr], > -1. ``r = 0`` gives ``1/n``.
    n : float or array
        Lifetime [yr], > 0. ``n = inf`` gives ``r`` (``r > 0``).

    Returns
    -------
    ndarray or float
        Annual payment per unit of present value [1/yr], broadcast over ``r`` and ``n``.
    """
    r_arr = np.asarray(r, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    if np.any(~np.isfinite(r_arr)) or np.any(r_arr <= -1):
        raise SpecError("r", r, "finite discount rates > -1 (fractions per year)")
    if np.any(np.isnan(n_arr)) or np.any(n_arr <= 0):
        raise SpecError("n", n, "lifetimes > 0 years (inf allowed)")
    r_b, n_b = np.broadcast_arrays(r_arr, n_arr)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = r_b / (1.0 - (1.0 + r_b) ** (-n_b))
    zero = r_b == 0
    out = np.where(zero, 1.0 / n_b, out)
    out = np.where(np.isinf(n_b) & ~zero, np.maximum(r_b, 0.0), out)
    if np.any(np.isinf(n_b) & (r_b <= 0)):
        raise SpecError("r", r, "> 0 when n is infinite")
    return out[()] if out.ndim == 0 else out


# ----------------------------------------------------------------------------- input checks


def _per_project(name, value, allow_negative=True):
    arr = np.asarray(value, dtype=float)
    if arr.ndim > 1:
        raise SpecError(name, f"array of shape {arr.shape}", "a number or an array shaped (N,)")
    if not np.all(np.isfinite(arr)):
        raise SpecError(name, value, "finite numbers")
    if not allow_negative and np.any(arr < 0):
        raise SpecError(name, value, "numbers >= 0")
    return np.atleast_1d(arr)


def _yearly(name, value, allow_negative=True):
    arr = np.asarray(value, dtype=float)
    if arr.ndim > 2:
        raise SpecError(name, f"array of shape {arr.shape}", "a number or an array shaped (years,) or (N, years)")
    if not np.all(np.isfinite(arr)):
        raise SpecError(name, "non-finite entries", "finite numbers")
    if not allow_negative and np.any(arr < 0):
        raise SpecError(name, "negative entries", "numbers >= 0")
    if arr.ndim == 0:
        return arr.reshape(1, 1)
    if arr.ndim == 1:
        return arr.reshape(1, -1)
    return arr


def _common(sizes: dict, what: str) -> int:
    """One size out of the sizes of several inputs: each must be 1 or the common size."""
    big = {k: s for k, s in sizes.items() if s != 1}
    n = max(big.values(), default=1)
    for name, s in big.items():
        if s != n:
            others = ", ".join(f"{k}: {v}" for k, v in big.items())
            raise SpecError(name, f"{what} {s}", f"the same {what} as the other inputs or 1 ({others})")
    return n


# ----------------------------------------------------------------------------- LCOS


def lcos(
    *,
    capex_usd,
    om_usd,
    discharged_MWh,
    charging_MWh=None,
    charging_price_usd_per_MWh=None,
    charging_cost_usd=None,
    replacement_usd=0.0,
    end_of_life_usd=0.0,
    years=None,
    auxiliary_MWh=None,
    conventions: LcosConventions | None = None,
) -> LcosResult:
    r"""Levelized cost of storage of N projects (Schmidt et al. 2019 [1]_; SAM [2]_ switches).

    Parameters
    ----------
    capex_usd : float or array (N,)
        Investment [USD] (excluding replacements), spread over ``construction_years``.
    om_usd : float or array (years,) or (N, years)
        Operation and maintenance per operation year [USD/yr].
    discharged_MWh : float or array (years,) or (N, years)
        Energy discharged per operation year at the stated boundary [MWh/yr], >= 0.
    charging_MWh, charging_price_usd_per_MWh : float or arrays, optional
        Energy charged [MWh/yr] (>= 0) and its price [USD/MWh] (any sign); their product is the
        charging cost. Give either these two or ``charging_cost_usd``.
    charging_cost_usd : float or array, optional
        Charging cost per operation year [USD/yr].
    replacement_usd : float or array (years,) or (N, years), default 0
        Replacement or augmentation capex events per operation year [USD/yr].
    end_of_life_usd : float or array (N,), default 0
        Decommissioning cost [USD]; negative = salvage value. Timing per
        ``conventions.end_of_life``.
    years : int or array (N,) of int, optional
        Operation years of each project, 1 ... number of columns (default: all columns).
        Entries after a project's last year are ignored.
    auxiliary_MWh : float or array, optional
        Auxiliary energy per year [MWh/yr] subtracted from discharged energy when
        ``conventions.discharged_energy == "net"`` (required then).
    conventions : LcosConventions, optional
        Defaults to ``LcosConventions()``.

    Returns
    -------
    LcosResult
        ``lcos_usd_per_MWh`` (N,), ``breakdown`` by term in USD/MWh, discounted totals.

    Notes
    -----
    Discount exponents: investment tranche k (k = 0 ... T_c-1) at t = k; operation year n at
    t = n + T_c - 1; end of life at t = N + T_c (or N + T_c - 1, see the conventions).
    Numerator: real flows at the real rate r, nominal flows at the nominal rate (equivalent
    by Fisher). Denominator: real rate for ``"real"`` and ``"sam"``, nominal rate for
    ``"nominal"``. The LCOS is in year-0 dollars for ``"real"``/``"sam"``, a levelized
    nominal price for ``"nominal"``.
    """
    conv = LcosConventions() if conventions is None else conventions
    if not isinstance(conv, LcosConventions):
        raise SpecError("conventions", type(conv).__name__, "an LcosConventions")

    capex = _per_project("capex_usd", capex_usd, allow_negative=False)
    eol = _per_project("end_of_life_usd", end_of_life_usd)
    energy = _yearly("discharged_MWh", discharged_MWh, allow_negative=False)
    om = _yearly("om_usd", om_usd)
    repl = _yearly("replacement_usd", replacement_usd)

    if charging_cost_usd is not None and (charging_MWh is not None or charging_price_usd_per_MWh is not None):
        raise SpecError(
            "charging_cost_usd",
            "given with charging_MWh/charging_price_usd_per_MWh",
            "either charging_cost_usd or charging_MWh with charging_price_usd_per_MWh, not both",
        )
    yearly_in = {"discharged_MWh": energy, "om_usd": om, "replacement_usd": repl}
    if charging_cost_usd is not None:
        yearly_in["charging_cost_usd"] = _yearly("charging_cost_usd", charging_cost_usd)
    elif charging_MWh is not None or charging_price_usd_per_MWh is not None:
        if charging_MWh is None or charging_price_usd_per_MWh is None:
            missing = "charging_MWh" if charging_MWh is None else "charging_price_usd_per_MWh"
            raise SpecError(missing, None, "give both charging_MWh and charging_price_usd_per_MWh")
        yearly_in["charging_MWh"] = _yearly("charging_MWh", charging_MWh, allow_negative=False)
        yearly_in["charging_price_usd_per_MWh"] = _yearly("charging_price_usd_per_MWh", charging_price_usd_per_MWh)
    elif conv.include_charging:
        raise SpecError(
            "charging_cost_usd",
            None,
            "give charging_cost_usd, or charging_MWh with charging_price_usd_per_MWh, "
            "or set conventions.include_charging=False",
        )
    if conv.discharged_energy == "net":
        if auxiliary_MWh is None:
            raise SpecError("auxiliary_MWh", None, 'yearly auxiliary energy [MWh] when discharged_energy="net"')
        yearly_in["auxiliary_MWh"] = _yearly("auxiliary_MWh", auxiliary_MWh, allow_negative=False)

    n_years = _common({k: v.shape[1] for k, v in yearly_in.items()}, "number of years")
    per_project = {"capex_usd": capex.shape[0], "end_of_life_usd": eol.shape[0]}
    per_project.update({k: v.shape[0] for k, v in yearly_in.items()})
    if years is not None:
        yrs_raw = np.asarray(years)
        if yrs_raw.ndim > 1:
            raise SpecError("years", years, "an integer or an array shaped (N,)")
        per_project["years"] = np.atleast_1d(yrs_raw).shape[0]
    n = _common(per_project, "number of projects")

    shape = (n, n_years)
    flows = {k: np.broadcast_to(v, shape) for k, v in yearly_in.items()}
    capex = np.broadcast_to(capex, (n,))
    eol = np.broadcast_to(eol, (n,))

    if years is None:
        yrs = np.full(n, n_years)
    else:
        yrs_f = np.atleast_1d(np.asarray(years, dtype=float))
        if (
            np.any(~np.isfinite(yrs_f))
            or np.any(yrs_f != np.round(yrs_f))
            or np.any(yrs_f < 1)
            or np.any(yrs_f > n_years)
        ):
            raise SpecError(
                "years", years, f"whole numbers of operation years from 1 to {n_years} (the number of yearly columns)"
            )
        yrs = np.broadcast_to(yrs_f.astype(int), (n,))

    active = np.arange(1, n_years + 1)[None, :] <= yrs[:, None]  # (n, years)

    tc = int(conv.construction_years)
    r_real = float(conv.discount_rate)
    r_nom = conv.nominal_discount_rate
    r_cost = r_nom if conv.cash_flows == "nominal" else r_real
    r_energy = r_nom if conv.dollars == "nominal" else r_real

    t_op = np.arange(1, n_years + 1) + tc - 1  # discount exponent of operation year n
    d_cost = (1.0 + r_cost) ** (-t_op.astype(float))
    d_energy = (1.0 + r_energy) ** (-t_op.astype(float))

    # investment: Schmidt spreads it over T_c years; it is a year-0..T_c-1 amount in the
    # flows' own dollars, discounted like any other flow
    d_capex = np.sum((1.0 + r_cost) ** (-np.arange(tc, dtype=float))) / tc
    pv = {"capex": capex * d_capex}
    pv["om"] = np.sum(np.where(active, flows["om_usd"], 0.0) * d_cost, axis=1)
    if not conv.include_charging:
        charging = np.zeros(shape)
    elif "charging_cost_usd" in flows:
        charging = flows["charging_cost_usd"]
    elif "charging_MWh" in flows:
        charging = flows["charging_MWh"] * flows["charging_price_usd_per_MWh"]
    else:  # include_charging with no charging input is refused above
        charging = np.zeros(shape)
    pv["charging"] = np.sum(np.where(active, charging, 0.0) * d_cost, axis=1)
    pv["replacement"] = np.sum(np.where(active, flows["replacement_usd"], 0.0) * d_cost, axis=1)
    if conv.end_of_life == "exclude":
        pv["end_of_life"] = np.zeros(n)
    else:
        t_eol = yrs + tc - (1 if conv.end_of_life == "in_last_year" else 0)
        pv["end_of_life"] = eol * (1.0 + r_cost) ** (-t_eol.astype(float))

    e = flows["discharged_MWh"]
    if conv.discharged_energy == "net":
        e = e - flows["auxiliary_MWh"]
    pv_energy = np.sum(np.where(active, e, 0.0) * d_energy, axis=1)
    if np.any(pv_energy <= 0):
        bad = np.flatnonzero(pv_energy <= 0)
        raise SpecError(
            "discharged_MWh",
            f"discounted energy {pv_energy[bad].tolist()} for project(s) {bad.tolist()}",
            "a positive discounted discharged energy (net of auxiliaries)",
        )

    breakdown = {k: pv[k] / pv_energy for k in TERMS}
    total = np.zeros(n)
    pv_total = np.zeros(n)
    for k in TERMS:
        total = total + breakdown[k]
        pv_total = pv_total + pv[k]
    return LcosResult(
        lcos_usd_per_MWh=total,
        breakdown=breakdown,
        pv_cost_usd=pv_total,
        pv_cost_by_term_usd=pv,
        pv_energy_MWh=pv_energy,
        conventions=conv,
        energy_boundary=conv.energy_boundary,
    )


# ----------------------------------------------------------------------------- Schmidt inputs


def schmidt_cash_flows(
    *,
    power_MW,
    energy_MWh,
    capex_usd_per_kW,
    capex_usd_per_kWh,
    rte,
    cycles_per_year,
    calendar_life_years,
    om_usd_per_kW_yr=0.0,
    om_usd_per_MWh=0.0,
    self_discharge=0.0,
    dod=1.0,
    cycle_life=np.inf,
    calendar_fade_per_year=0.0,
    eol_threshold=0.8,
    charging_price_usd_per_MWh=0.0,
    replacement_usd_per_kWh=0.0,
    replacement_interval_years=np.inf,
    eol_usd_per_kW=0.0,
    eol_usd_per_kWh=0.0,
) -> dict:
    r"""Schmidt et al. (2019) [1]_ parameterised inputs -> the yearly flows :func:`lcos` takes.

    All parameters are numbers or arrays shaped (N,).

    .. math::

        N = \min(\text{calendar life}, \lfloor \text{cycle life} / \text{cycles} \rfloor)

        \mathrm{Deg}_c = 1 - \mathrm{EoL}^{1/\text{cycle life}}

        E_{\mathrm{in},n} = E_\mathrm{nom}\,\mathrm{DoD}\,\text{cycles}/\eta_{RT}
            \,(1-\mathrm{Deg}_c)^{(n-1)\,\text{cycles}}\,(1-\mathrm{Deg}_t)^{n-1}

        E_{\mathrm{out},n} = \eta_{RT}\,(1-\eta_\mathrm{self})\,E_{\mathrm{in},n}

        \mathrm{O\&M}_n = P_\mathrm{nom} C_{P,om} + C_{E,om} E_{\mathrm{out},n}

    Parameters
    ----------
    power_MW, energy_MWh : P_nom [MW], E_nom [MWh], > 0.
    capex_usd_per_kW, capex_usd_per_kWh : C_P,inv [USD/kW], C_E,inv [USD/kWh].
    rte : η_RT, round-trip efficiency, 0 < rte <= 1.
    cycles_per_year : full cycles per year, > 0.
    calendar_life_years : shelf life [yr], >= 1.
    om_usd_per_kW_yr : C_P,om [USD/kW-yr].
    om_usd_per_MWh : C_E,om [USD/MWh], applied to *discharged* energy (a public MATLAB
        re-implementation applies it to charged energy; pass ``om_usd_per_MWh / rte`` to get that).
    self_discharge : η_self, fraction of charged energy lost before discharge, 0 <= x < 1.
    dod : depth of discharge, 0 < dod <= 1.
    cycle_life : cycles to ``eol_threshold`` (inf = no cycle fade, N from calendar life).
    calendar_fade_per_year : Deg_t [1/yr], 0 <= x < 1.
    eol_threshold : EoL, remaining capacity at the rated cycle life, 0 < x < 1.
    charging_price_usd_per_MWh : P_el [USD/MWh].
    replacement_usd_per_kWh, replacement_interval_years : C_rep [USD/kWh of E_nom] paid every
        interval years while the project operates (operation years k·interval < N).
    eol_usd_per_kW, eol_usd_per_kWh : C_P,eol, C_E,eol; EOL = P C_P,eol + E C_E,eol (negative =
        salvage). Schmidt's remaining-capacity factor on the energy part is not applied.

    Returns
    -------
    dict
        Keyword arguments for :func:`lcos`: ``capex_usd`` (N,), ``om_usd``, ``discharged_MWh``,
        ``charging_MWh``, ``charging_price_usd_per_MWh``, ``replacement_usd`` (N, years),
        ``end_of_life_usd`` (N,), ``years`` (N,). The construction time T_c is a convention
        (:attr:`LcosConventions.construction_years`). Real (constant) dollars.
    """
    args = {
        "power_MW": power_MW,
        "energy_MWh": energy_MWh,
        "capex_usd_per_kW": capex_usd_per_kW,
        "capex_usd_per_kWh": capex_usd_per_kWh,
        "rte": rte,
        "cycles_per_year": cycles_per_year,
        "calendar_life_years": calendar_life_years,
        "om_usd_per_kW_yr": om_usd_per_kW_yr,
        "om_usd_per_MWh": om_usd_per_MWh,
        "self_discharge": self_discharge,
        "dod": dod,
        "cycle_life": cycle_life,
        "calendar_fade_per_year": calendar_fade_per_year,
        "eol_threshold": eol_threshold,
        "charging_price_usd_per_MWh": charging_price_usd_per_MWh,
        "replacement_usd_per_kWh": replacement_usd_per_kWh,
        "replacement_interval_years": replacement_interval_years,
        "eol_usd_per_kW": eol_usd_per_kW,
        "eol_usd_per_kWh": eol_usd_per_kWh,
    }
    a = {}
    for name, value in args.items():
        arr = np.atleast_1d(np.asarray(value, dtype=float))
        if arr.ndim != 1:
            raise SpecError(name, value, "a number or an array shaped (N,)")
        if np.any(np.isnan(arr)):
            raise SpecError(name, value, "numbers, not NaN")
        a[name] = arr
    n = _common({k: v.shape[0] for k, v in a.items()}, "number of projects")
    a = {k: np.broadcast_to(v, (n,)) for k, v in a.items()}

    def check(name, ok, allowed):
        if not np.all(ok):
            raise SpecError(name, args[name], allowed)

    finite = {k for k in a if k not in ("cycle_life", "replacement_interval_years", "calendar_life_years")}
    for k in finite:
        check(k, np.isfinite(a[k]), "finite numbers")
    check("power_MW", a["power_MW"] >= 0, ">= 0 MW")
    check("energy_MWh", a["energy_MWh"] > 0, "> 0 MWh")
    check("rte", (a["rte"] > 0) & (a["rte"] <= 1), "a round-trip efficiency in (0, 1]")
    check("cycles_per_year", a["cycles_per_year"] > 0, "> 0 cycles per year")
    check(
        "calendar_life_years",
        np.isfinite(a["calendar_life_years"]) & (a["calendar_life_years"] >= 1),
        "a finite life >= 1 year",
    )
    check("self_discharge", (a["self_discharge"] >= 0) & (a["self_discharge"] < 1), "a fraction in [0, 1)")
    check("dod", (a["dod"] > 0) & (a["dod"] <= 1), "a depth of discharge in (0, 1]")
    check("cycle_life", a["cycle_life"] > 0, "> 0 cycles (inf = no cycle fade)")
    check(
        "calendar_fade_per_year",
        (a["calendar_fade_per_year"] >= 0) & (a["calendar_fade_per_year"] < 1),
        "a fraction per year in [0, 1)",
    )
    check("eol_threshold", (a["eol_threshold"] > 0) & (a["eol_threshold"] < 1), "a fraction in (0, 1)")
    check("replacement_interval_years", a["replacement_interval_years"] > 0, "> 0 years (inf = none)")
    check("capex_usd_per_kW", a["capex_usd_per_kW"] >= 0, ">= 0 USD/kW")
    check("capex_usd_per_kWh", a["capex_usd_per_kWh"] >= 0, ">= 0 USD/kWh")

    life_cycles = np.floor(a["cycle_life"] / a["cycles_per_year"])
    years = np.minimum(np.floor(a["calendar_life_years"]), life_cycles)
    if np.any(years < 1):
        check("cycle_life", years >= 1, "at least one year of cycles (cycle_life >= cycles_per_year)")
    years = years.astype(int)
    n_years = int(years.max())

    yr = np.arange(1, n_years + 1, dtype=float)[None, :]  # operation year n
    active = yr <= years[:, None]
    col = lambda x: x[:, None]  # noqa: E731
    deg_c = np.where(np.isinf(a["cycle_life"]), 0.0, 1.0 - a["eol_threshold"] ** (1.0 / a["cycle_life"]))
    fade = (1.0 - col(deg_c)) ** ((yr - 1.0) * col(a["cycles_per_year"])) * (
        1.0 - col(a["calendar_fade_per_year"])
    ) ** (yr - 1.0)
    e_in = col(a["energy_MWh"] * a["dod"] * a["cycles_per_year"] / a["rte"]) * fade
    e_out = col(a["rte"] * (1.0 - a["self_discharge"])) * e_in
    e_in = np.where(active, e_in, 0.0)
    e_out = np.where(active, e_out, 0.0)

    kw, kwh = a["power_MW"] * 1e3, a["energy_MWh"] * 1e3
    om = np.where(active, col(kw * a["om_usd_per_kW_yr"]) + col(a["om_usd_per_MWh"]) * e_out, 0.0)
    interval = col(a["replacement_interval_years"])
    with np.errstate(invalid="ignore"):
        due = (
            np.isfinite(interval)
            & (np.mod(yr, np.where(np.isfinite(interval), interval, 1.0)) == 0)
            & (yr < col(years.astype(float)))
        )
    repl = np.where(due, col(kwh * a["replacement_usd_per_kWh"]), 0.0)
    return {
        "capex_usd": kw * a["capex_usd_per_kW"] + kwh * a["capex_usd_per_kWh"],
        "om_usd": om,
        "discharged_MWh": e_out,
        "charging_MWh": e_in,
        "charging_price_usd_per_MWh": np.broadcast_to(col(a["charging_price_usd_per_MWh"]), e_in.shape).copy(),
        "replacement_usd": repl,
        "end_of_life_usd": kw * a["eol_usd_per_kW"] + kwh * a["eol_usd_per_kWh"],
        "years": years,
    }
