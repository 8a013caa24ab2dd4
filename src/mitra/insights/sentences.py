"""The insight cards' sentences, each built from the very figure the card shows.

A sentence's words follow the sign of its estimate ("higher" for a positive one, "lower" for a
negative one, "about the same" when it rounds to zero), its unit is said in plain words ("for
each extra hour of sleep"), and figures go through `mitra.wording` so none reads "-0.0".
Where relief of withdrawal can explain a finding about kratom, that caveat comes first: a dose
that eases the anxiety of the gap since the last one can look calming while it keeps the cycle
going (withdrawal includes anxiety and restlessness, singh2014; it follows how often people dose,
rogers2024).
"""

from __future__ import annotations

from mitra.wording import figure, places, plural, signed

__all__ = [
    "WITHDRAWAL_RELIEF",
    "concentration_sentence",
    "direction",
    "dose_response_sentence",
    "factor_sentence",
    "hours_sentence",
    "tolerance_sentence",
]

#: Leads every finding about kratom and anxiety, before the finding itself.
WITHDRAWAL_RELIEF = (
    "Read this first: relief of withdrawal can explain it. When part of your anxiety comes from "
    "the time since your last dose, a dose eases it for a while, so kratom can look calming "
    "while it keeps that cycle going. This is not a reason to take more or larger doses."
)


def direction(value: float, digits: int, up: str = "higher", down: str = "lower") -> str:
    """ "0.4 points higher" or "0.4 points lower" from a signed figure, or "about the same"."""
    size = figure(abs(value), digits)
    if float(size) == 0.0:
        return "about the same"
    return f"{size} points {up if value > 0 else down}"


def _end(value: float, shown: int) -> str:
    if value != 0.0 and float(figure(value, shown)) == 0.0:  # smaller than the places show
        return f"{'-' if value < 0 else '+'}less than {figure(10.0**-shown, shown)}"
    return signed(value, shown)


def _interval(low: float, high: float, digits: int, what: str = "") -> str:
    """ "95% interval -0.5 to -0.2"; an end that is not zero never reads as "0.0": it gets
    the places it needs (up to three more), so an interval that leaves out zero says so."""
    shown = places(digits, low, high)
    return f"95% interval {_end(low, shown)} to {_end(high, shown)}{what}"


def factor_sentence(
    factor: str, lag: int, *, est: float, low: float, high: float, n: int, hit: bool
) -> str:
    """A practice's, sleep's or diet's association with anxiety, on the 0-10 scale.

    Sleep and caffeine are per unit (an extra hour, an extra cup); practices and regular meals
    are yes or no (days with against days without).
    """
    # An interval that leaves out zero: the estimate shown to the places that make it not
    # zero too, never "about the same" beside it.
    size = direction(est, places(1, est) if (low > 0 or high < 0) else 1)
    interval = f"({_interval(low, high, 1, ' points')}, {plural(n, 'day')})"
    when = "that day's" if lag == 0 else "the next day's"
    if factor == "sleep":
        night = (
            "each extra hour of sleep" if lag == 0 else "each extra hour of sleep the night before"
        )
        head = f"For {night}, {when} anxiety (0-10) was {size} {interval}."
    elif factor == "caffeine":
        head = f"For each extra cup of caffeine, {when} anxiety (0-10) was {size} {interval}."
    else:
        what = "regular meals" if factor == "meals" else f"any {factor} logged"
        days = "On days with" if lag == 0 else "On the day after a day with"
        other = "on days without" if lag == 0 else "after days without"
        head = f"{days} {what}, anxiety (0-10) was {size} on average than {other} {interval}."
    if hit:
        tail = " It stands out after allowing for every factor tested. This is an association."
    elif low > 0 or high < 0:
        # Its own interval leaves out zero, but the false discovery rate over every factor
        # tested at once does not let it through: say both, not "not clearly different".
        tail = (
            " Its interval leaves out no difference, but with every factor tested at once a "
            "difference this size could still be chance, so it does not stand out yet."
        )
    else:
        tail = " It is not clearly different from no difference yet."
    return head + tail


def hours_sentence(
    est: float, low: float, high: float, *, hours: float, ratings: int, days: int, hit: bool
) -> str:
    """Anxiety against hours since the last dose; `est` is points per `hours` hours."""
    step = figure(hours, 0)
    finding = (
        f"Within a day, for every {step} hours since your last logged dose, anxiety (0-10) was "
        f"{direction(est, 1)} ({_interval(low, high, 1)}; "
        f"{plural(ratings, 'rating')} on {plural(days, 'day')}). "
    )
    verdict = (
        "Anxiety rising as time since a dose grows is the pattern interdose withdrawal is "
        "associated with."
        if hit
        else "No clear rise with time since a dose: the interdose-withdrawal pattern is not seen."
    )
    return f"{WITHDRAWAL_RELIEF} {finding}{verdict}"


def concentration_sentence(est: float, low: float, high: float, *, nm: float, hit: bool) -> str:
    """Anxiety against the estimated concentration; `est` is points per `nm` nmol/L higher."""
    step = figure(nm, 0)
    finding = (
        f"Within a day, for each {step} nmol/L more estimated mitragynine in the body, anxiety "
        f"(0-10) was {direction(est, 1)} ({_interval(low, high, 1)} points per {step} nmol/L). "
    )
    verdict = (
        "Anxiety rising as the concentration falls is associated with interdose withdrawal."
        if hit
        else "No clear link between concentration and anxiety within a day."
    )
    return f"{WITHDRAWAL_RELIEF} {finding}{verdict}"


def dose_response_sentence(
    est: float, low: float, high: float, *, mg: float, ratings: int, hit: bool
) -> str:
    """Anxiety 0.5-6 hours after a dose against its size; `est` is points per extra `mg` mg."""
    step = figure(mg, 0)
    finding = (
        f"In the hours after a dose, for each extra {step} mg of estimated mitragynine, anxiety "
        f"(0-10) was {direction(est, 1)} ({_interval(low, high, 1)}; "
        f"{plural(ratings, 'rating')}). "
    )
    if hit:
        return finding + (
            "Larger doses were associated with more anxiety: too much kratom can exacerbate "
            "anxiety."
        )
    # Anything short of "more anxiety after larger doses" could read as an invitation.
    return (
        f"{WITHDRAWAL_RELIEF} {finding}Larger doses did not clearly go with more anxiety; any "
        "ease after a larger dose may be withdrawal relief, and larger doses carry more risk."
    )


def tolerance_sentence(
    slope: float, est: float, low: float, high: float, *, nm: float, days: int, hit: bool
) -> str:
    """The day-level association with concentration (`slope`, points per `nm` nmol/L) and its
    change per year (`est`)."""
    step = figure(nm, 0)
    change = direction(est, 2)
    each_year = (
        "about the same each year" if change == "about the same" else f"about {change} each year"
    )
    finding = (
        f"On average, on days with {step} nmol/L more estimated mitragynine, anxiety (0-10) was "
        f"{direction(slope, 2)}. That difference came out {each_year} ("
        f"{_interval(low, high, 2)} points a year; {plural(days, 'day')}). "
    )
    verdict = (
        "The association is shrinking over the months, the pattern tolerance is associated with."
        if hit
        else "It is not clearly shrinking."
    )
    return f"{WITHDRAWAL_RELIEF} {finding}{verdict}"
