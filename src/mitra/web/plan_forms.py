"""The Plan page's form: weekly goals typed as people say them, the clinician, words, contacts."""

from __future__ import annotations

from typing import Any

from django import forms

from mitra.journal.errors import EntryInvalid
from mitra.plan import GOAL_KINDS, Goal, GoalInvalid, goal_example, goal_text, parse_goal

from .forms import JournalForm

CONTACTS = 3


def goal_initial(goal: Goal) -> str:
    """A saved goal as its field shows it: "70 min", "2 sessions", "7.5"."""
    if goal.unit == "hours":
        return f"{goal.amount:g}"
    return goal_text(goal).removesuffix(" a week")


class PlanForm(JournalForm):
    clinician_name = forms.CharField(label="Clinician's name", required=False, max_length=120)
    clinician_contact = forms.CharField(
        label="How to reach them",
        required=False,
        max_length=200,
        help_text="A phone number, an e-mail or a clinic's address.",
    )
    reasons = forms.CharField(
        label="My reasons for this plan",
        required=False,
        help_text="In your own words: what you want this plan to give you.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    warning_signs = forms.CharField(
        label="My warning signs",
        required=False,
        help_text="In your own words: what tells you things are getting worse.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in GOAL_KINDS.items():
            if kind == "sleep":
                self.fields["goal_sleep"] = forms.CharField(
                    label="Sleep target (hours a night)",
                    required=False,
                    help_text=f"Write it like {goal_example(kind)}. "
                    "Leave empty for no sleep target.",
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "8"}),
                )
                continue
            # The same forms the refusal of a goal it cannot read gives.
            self.fields[f"goal_{kind}"] = forms.CharField(
                label=f"{label}, weekly goal",
                required=False,
                help_text=f"Write it like {goal_example(kind)}. Leave empty for no goal.",
                widget=forms.TextInput(attrs={"size": "12", "autocomplete": "off"}),
            )
        for n in range(1, CONTACTS + 1):
            self.fields[f"contact_{n}_name"] = forms.CharField(
                label=f"Contact {n}: name", required=False
            )
            self.fields[f"contact_{n}_phone"] = forms.CharField(
                label=f"Contact {n}: phone",
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            )

    def goal_fields(self) -> list[forms.BoundField]:
        return [self[f"goal_{kind}"] for kind in GOAL_KINDS if kind != "sleep"]

    def contact_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"contact_{n}_name"], self[f"contact_{n}_phone"]) for n in range(1, CONTACTS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        goals: list[Goal] = []
        for kind in GOAL_KINDS:
            text = (data.get(f"goal_{kind}") or "").strip()
            if not text:
                continue
            try:
                goals.append(parse_goal(kind, text))
            except GoalInvalid as exc:
                message = str(exc)
                self.add_error(f"goal_{kind}", f"{message[:1].upper()}{message[1:]}.")
        data["goals"] = goals
        return data

    def payload(self) -> dict[str, Any]:
        """The plan as the journal takes it; of a form with refusals, the fields it read (a
        field it refused is left out, so the journal checks only the others)."""
        data = self.cleaned_data
        contacts = [
            {"name": data.get(f"contact_{n}_name", ""), "phone": data.get(f"contact_{n}_phone", "")}
            for n in range(1, CONTACTS + 1)
            if data.get(f"contact_{n}_name") or data.get(f"contact_{n}_phone")
        ]
        words = ("clinician_name", "clinician_contact", "reasons", "warning_signs")
        return {
            **{name: data[name] for name in words if name in data},
            "crisis_contacts": contacts,
            "goals": [
                {"kind": g.kind, "amount": g.amount, "unit": g.unit} for g in data.get("goals", [])
            ],
        }

    def add_error(self, field: str | None, error: Any) -> None:
        # A field the form refused itself keeps that one message: the journal, checking the
        # form's other fields, may refuse the same field again in its own words.
        if field is not None and field in self.errors:
            return
        super().add_error(field, error)

    def show_errors(self, exc: EntryInvalid) -> None:
        # "crisis_contacts.0.phone" belongs beside the first contact's phone, "goals.1.amount"
        # beside the second goal given.
        rows = [
            n
            for n in range(1, CONTACTS + 1)
            if self.cleaned_data.get(f"contact_{n}_name")
            or self.cleaned_data.get(f"contact_{n}_phone")
        ]
        goals = [g.kind for g in self.cleaned_data.get("goals", [])]
        for name in list(exc.errors):
            parts = name.split(".")
            if parts[0] == "crisis_contacts" and len(parts) == 3 and parts[1].isdigit():
                field = f"contact_{rows[int(parts[1])]}_{parts[2]}"
                self.add_error(field, f"{self.fields[field].label} {exc.errors.pop(name)}.")
            elif parts[0] == "goals" and len(parts) >= 2 and parts[1].isdigit():
                field = f"goal_{goals[int(parts[1])]}"
                self.add_error(field, f"{self.fields[field].label} {exc.errors.pop(name)}.")
        super().show_errors(exc)
