"""How a web form refuses a value: in mitra's words, naming the field and what to do.

Django's own wording ("This field is required.", "Ensure this value is less than or equal to
720.", "Select a valid choice.") names no field and reads unlike every other refusal mitra
gives. `InMitrasWords` gives each field of a form mitra's wording for every refusal it can
make, where the field's declaration did not already give its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

__all__ = ["InMitrasWords", "django_default_messages", "in_mitras_words"]

#: Words a label may start with that already say which one ("your time zone", "how to
#: reach them"): no "the" goes before them.
_DETERMINERS = frozenset(
    {"a", "an", "the", "your", "my", "their", "this", "these", "how", "what", "who", "when"}
)


def _label(name: str, field: forms.Field) -> str:
    """The field's label as the page shows it ("Time taken"), else its name in words."""
    label = str(field.label or name.replace("_", " ")).strip().rstrip(":")
    return label[:1].upper() + label[1:]


def _noun(label: str) -> str:
    """The label as the object of a sentence: "Time taken" -> "the time taken", "Your time
    zone" -> "your time zone"; a first word in capitals (GAD-7, OH) keeps them."""
    first, _, rest = label.removesuffix(" (optional)").partition(" ")
    if first[1:] == first[1:].lower():
        first = first.lower()
    text = f"{first} {rest}".strip()
    return text if first in _DETERMINERS else f"the {text}"


def _validator_codes(field: forms.Field) -> set[str]:
    return {str(code) for v in field.validators if (code := getattr(v, "code", None))}


def _words(name: str, field: forms.Field) -> dict[str, str]:
    """mitra's refusal for each code `field` can refuse with."""
    label = _label(name, field)
    noun = _noun(label)
    said: dict[str, str] = {}
    if isinstance(field, forms.BooleanField):
        said["required"] = f"Tick {noun} to go on."
    elif isinstance(field, forms.FileField | forms.ChoiceField):
        said["required"] = f"Choose {noun}."
    else:
        said["required"] = f"Enter {noun}."
    if isinstance(field, forms.ChoiceField):
        said["invalid_choice"] = f"{label}: choose one of those offered."
        said["invalid_list"] = f"{label}: choose from those offered."
    # FloatField and DecimalField are kinds of IntegerField: asked first.
    if isinstance(field, forms.FloatField | forms.DecimalField):
        said["invalid"] = f"{label} must be a number, such as 2.5."
    elif isinstance(field, forms.IntegerField):
        said["invalid"] = f"{label} must be a whole number, such as 30."
    elif isinstance(field, forms.DateTimeField):
        said["invalid"] = f"{label} must be a date and a time of day."
    elif isinstance(field, forms.DateField):
        said["invalid"] = f"{label} must be a date."
    elif isinstance(field, forms.TimeField):
        said["invalid"] = f"{label} must be a time of day, such as 08:30."
    if isinstance(field, forms.FileField):
        said |= {
            "invalid": f"{label} did not arrive as a file: choose it again.",
            "missing": f"{label} did not arrive: choose it again.",
            "empty": f"{label} is empty: choose the file the app exported.",
            "contradiction": f"Either choose {noun} or clear it, not both.",
            "max_length": f"{label} has a name of %(length)d characters; "
            "rename it to at most %(max)d.",
        }
    said |= {
        "min_value": f"{label} must be at least %(limit_value)s.",
        "max_value": f"{label} must be at most %(limit_value)s.",
        "step_size": f"{label} must be a multiple of %(limit_value)s.",
        "min_length": (
            f"{label} is too short (at least %(limit_value)s characters; it has %(show_value)s)."
        ),
        "null_characters_not_allowed": f"{label} holds a character that cannot be saved "
        "(a NUL): remove it.",
    }
    if not isinstance(field, forms.FileField):
        # As the journal's services say it ("is too long (at most 120 characters)").
        said["max_length"] = (
            f"{label} is too long (at most %(limit_value)s characters; it has %(show_value)s)."
        )
    codes = set(field.error_messages) | _validator_codes(field)
    return {code: text for code, text in said.items() if code in codes}


def django_default_messages(field: forms.Field) -> dict[str, str]:
    """Django's own wording for each code `field` can refuse with (its class's defaults and
    its validators')."""
    found: dict[str, str] = {}
    for kind in reversed(type(field).__mro__):
        found |= {k: str(v) for k, v in getattr(kind, "default_error_messages", {}).items()}
    for validator in field.validators:
        code, message = getattr(validator, "code", None), getattr(validator, "message", None)
        if code and message is not None:
            found.setdefault(str(code), str(message))
    return found


def in_mitras_words(fields: Mapping[str, forms.Field]) -> None:
    """Give every refusal of `fields` mitra's wording, unless its declaration gave its own."""
    for name, field in fields.items():
        defaults = django_default_messages(field)
        for code, text in _words(name, field).items():
            given = field.error_messages.get(code)
            if given is None or str(given) == defaults.get(code):
                field.error_messages[code] = text


class InMitrasWords:
    """A form mixin: each field's refusals in mitra's words, fields added in `__init__` too."""

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        in_mitras_words(self.fields)
        super().full_clean()  # type: ignore[misc]
