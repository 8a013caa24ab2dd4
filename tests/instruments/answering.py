"""Build answer lists for tests: a form adding up to a chosen total."""

from __future__ import annotations

from mitra.instruments import instrument


def answers_with_total(code: str, total: int, *, avoid: tuple[int, ...] = ()) -> list[int]:
    """Answers (item 1 first) summing to `total`, filling items in order, skipping `avoid`."""
    inst = instrument(code)
    answers = [0] * len(inst.items)
    left = total
    for number in range(1, len(inst.items) + 1):
        if number in avoid:
            continue
        answers[number - 1] = min(left, inst.item_range(number)[1])
        left -= answers[number - 1]
    if left:
        raise ValueError(f"{code} cannot reach {total} while avoiding items {avoid}")
    return answers
