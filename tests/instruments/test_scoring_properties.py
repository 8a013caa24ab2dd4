"""Properties over generated forms: totals stay in range, bands rise with the total."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mitra.instruments import change, instrument, known_codes, score

codes = st.sampled_from(known_codes())


def answers_for(code: str) -> st.SearchStrategy[list[int]]:
    """A complete, valid set of answers for one instrument."""
    inst = instrument(code)
    return st.tuples(
        *(st.integers(*inst.item_range(n)) for n in range(1, len(inst.items) + 1))
    ).map(list)


@st.composite
def forms(draw: st.DrawFn) -> tuple[str, list[int]]:
    """An instrument code and a complete, valid set of answers for it."""
    code = draw(codes)
    return code, draw(answers_for(code))


@st.composite
def form_pairs(draw: st.DrawFn) -> tuple[str, list[int], list[int]]:
    """Two complete forms of the same instrument."""
    code = draw(codes)
    return code, draw(answers_for(code)), draw(answers_for(code))


@given(forms())
def test_the_total_is_the_sum_of_answers_and_stays_in_range(form: tuple[str, list[int]]) -> None:
    code, answers = form
    result = score(code, answers)
    assert result.total == sum(answers)
    assert 0 <= result.total <= result.maximum == instrument(code).maximum


@given(forms())
def test_a_banded_total_always_lands_in_exactly_one_band(form: tuple[str, list[int]]) -> None:
    code, answers = form
    result = score(code, answers)
    bands = instrument(code).bands
    if bands:
        assert result.band is not None
        assert sum(b.min <= result.total <= b.max for b in bands) == 1
    else:
        assert result.band is None


@given(form_pairs())
def test_bands_never_fall_as_the_total_rises(pair: tuple[str, list[int], list[int]]) -> None:
    code, first, second = pair
    order = [band.id for band in instrument(code).bands]
    low, high = sorted((score(code, first), score(code, second)), key=lambda s: s.total)
    if order:
        assert low.band is not None
        assert high.band is not None
        assert order.index(low.band.id) <= order.index(high.band.id)


@given(forms())
def test_raising_any_one_answer_never_lowers_band_screening_or_flags(
    form: tuple[str, list[int]],
) -> None:
    code, answers = form
    inst = instrument(code)
    order = [band.id for band in inst.bands]
    before = score(code, answers)
    for number in range(1, len(answers) + 1):
        if answers[number - 1] == inst.item_range(number)[1]:
            continue
        raised = [*answers]
        raised[number - 1] += 1
        after = score(code, raised)
        assert after.total == before.total + 1
        if before.band is not None and after.band is not None:
            assert order.index(after.band.id) >= order.index(before.band.id)
        if before.screening is not None and after.screening is not None:
            assert after.screening.positive >= before.screening.positive
        assert {f.id for f in before.flags} <= {f.id for f in after.flags}


@given(codes, st.data())
def test_change_is_antisymmetric_and_thresholds_depend_only_on_its_size(
    code: str, data: st.DataObject
) -> None:
    maximum = instrument(code).maximum
    a = data.draw(st.integers(0, maximum))
    b = data.draw(st.integers(0, maximum))
    forward, back = change(code, a, b), change(code, b, a)
    assert forward.difference == -back.difference == b - a
    assert forward.meets_mcid == back.meets_mcid
    assert forward.meets_reliable_change == back.meets_reliable_change
    if a != b:
        assert {forward.direction, back.direction} == {"improvement", "deterioration"}
