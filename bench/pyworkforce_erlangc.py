# ruff: noqa
# mypy: ignore-errors
"""The reference for bench/workforce_bench.py: `pyworkforce.queuing.ErlangC`, copied verbatim (class body) from
pyworkforce (https://github.com/rodrigo-arenas/pyworkforce, commit ca4892502d2d92cc996c9fde96293ff90b560426,
pyworkforce/queuing/erlang.py), MIT License, Copyright (c) 2021 Rodrigo Arenas.

Used only when the `pyworkforce` package itself is not installed (it is not a TelQC dependency). The input
checks it imports from pyworkforce.utils are replaced by no-ops: they do not change any result.
"""

from math import ceil, exp, floor


class BaseWorkforce:
    pass


def check_positive_float(name, value):
    return True


def check_in_range(name, value, low, high, include_low=True, include_high=True):
    return True


class ErlangC(BaseWorkforce):
    """
    Computes the number of positions required to handle transactions in an
    Erlang C (M/M/c) queue system. Implementation inspired by:
    https://lucidmanager.org/data-science/call-centre-workforce-planning-erlang-c-in-r/

    The model assumes Poisson arrivals, exponential handling times, an infinite
    queue and no customer abandonment. If customers may hang up before being
    served, see :class:`pyworkforce.queuing.ErlangA`.

    Parameters
    ----------
    transactions: float,
        Total number of transactions arriving in the interval.
    aht: float,
        Average handling time of a transaction (minutes).
    asa: float,
        The required average speed of answer (minutes).
    interval: int,
        Interval length, in minutes.
    shrinkage: float, default=0.0
        Fraction of time that an operator unit is not available, in ``[0, 1)``.

    Attributes
    ----------
    intensity: float,
        Traffic intensity in Erlangs (``transactions / interval * aht``).

    Examples
    --------
    >>> from pyworkforce.queuing import ErlangC
    >>> erlang = ErlangC(transactions=100, asa=20 / 60, aht=3, interval=30, shrinkage=0.3)
    >>> result = erlang.required_positions(service_level=0.8, max_occupancy=0.85)
    >>> result["positions"]
    20
    """

    def __init__(self, transactions: float, aht: float, asa: float,
                 interval: int, shrinkage: float = 0.0):

        check_positive_float("transactions", transactions)
        check_positive_float("aht", aht)
        check_positive_float("asa", asa)
        check_positive_float("interval", interval)
        check_in_range("shrinkage", shrinkage, 0, 1, include_high=False)

        self.transactions = transactions
        self.aht = aht
        self.asa = asa
        self.interval = interval
        self.shrinkage = shrinkage
        self.intensity = (self.transactions / self.interval) * self.aht

    # Backwards-compatible alias for the traffic volume.
    @property
    def n_transactions(self):
        return self.transactions

    def _productive_positions(self, positions: int, scale_positions: bool = False):
        if scale_positions:
            productive_positions = floor((1 - self.shrinkage) * positions)
        else:
            productive_positions = positions

        if productive_positions <= 0:
            raise ValueError("productive positions must be greater than 0")

        if productive_positions <= self.intensity:
            raise ValueError("positions must be greater than traffic intensity")

        return productive_positions

    def waiting_probability(self, positions: int, scale_positions: bool = False):
        """
        Returns the probability that a transaction waits in queue.

        Parameters
        ----------
        positions: int,
            The number of positions available to handle transactions.
            Productive positions must be greater than traffic intensity.
        scale_positions: bool, default=False
            Set to True when ``positions`` includes shrinkage.

        """

        productive_positions = self._productive_positions(positions, scale_positions)

        erlang_b_inverse = 1
        for position in range(1, productive_positions + 1):
            erlang_b_inverse = 1 + (erlang_b_inverse * position / self.intensity)

        erlang_b = 1 / erlang_b_inverse
        return productive_positions * erlang_b / (productive_positions - self.intensity * (1 - erlang_b))

    def service_level(self, positions: int, scale_positions: bool = False):
        """
        Returns the expected service level for a number of positions.

        Parameters
        ----------

        positions: int,
            The number of positions available to handle transactions.
            Productive positions must be greater than traffic intensity.
        scale_positions: bool, default = False
            Set to True when ``positions`` includes shrinkage.

        """
        productive_positions = self._productive_positions(positions, scale_positions)

        probability_wait = self.waiting_probability(productive_positions, scale_positions=False)
        exponential = exp(-(productive_positions - self.intensity) * (self.asa / self.aht))
        return max(0, 1 - (probability_wait * exponential))

    def achieved_occupancy(self, positions: int, scale_positions: bool = False):
        """
        Returns the expected occupancy of positions.

        Parameters
        ----------

        positions: int,
            The number of raw positions.
            Productive positions must be greater than traffic intensity.
        scale_positions: bool, default=False
            Set to True when ``positions`` includes shrinkage.

        """
        productive_positions = self._productive_positions(positions, scale_positions)

        return self.intensity / productive_positions

    def required_positions(self, service_level: float, max_occupancy: float = 1.0):
        """
        Computes the required positions for a target service level.

        Parameters
        ----------

        service_level: float,
            Target service level, in ``[0, 1]``.
        max_occupancy: float,
            The maximum fraction of time that a transaction can occupy a position.
            Must be greater than 0 and less than or equal to 1.

        Returns
        -------

        raw_positions: int,
            Required positions before applying shrinkage.
        positions: int,
            Positions needed after applying shrinkage.
        service_level: float,
            Fraction of transactions expected to reach a position before the target ASA.
        occupancy: float,
            Expected occupancy of positions.
        waiting_probability: float,
            Probability that a transaction waits in queue.
        """

        check_in_range("service_level", service_level, 0, 1)
        check_in_range("max_occupancy", max_occupancy, 0, 1, include_low=False)

        positions = round(self.intensity + 1)
        achieved_service_level = self.service_level(positions, scale_positions=False)
        while achieved_service_level < service_level:
            positions += 1
            achieved_service_level = self.service_level(positions, scale_positions=False)

        achieved_occupancy = self.achieved_occupancy(positions, scale_positions=False)

        raw_positions = ceil(positions)

        if achieved_occupancy > max_occupancy:
            raw_positions = ceil(self.intensity / max_occupancy)
            achieved_occupancy = self.achieved_occupancy(raw_positions)
            achieved_service_level = self.service_level(raw_positions)

        waiting_probability = self.waiting_probability(positions=raw_positions)
        positions = ceil(raw_positions / (1 - self.shrinkage))

        return {"raw_positions": raw_positions,
                "positions": positions,
                "service_level": achieved_service_level,
                "occupancy": achieved_occupancy,
                "waiting_probability": waiting_probability}
