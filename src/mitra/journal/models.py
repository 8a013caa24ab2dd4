"""The journal's tables. Only `mitra.journal` reads or writes them; others call its services."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from mitra import vocabulary


class Person(models.Model):
    """The person whose journal this is; their time zone and the hour at which their day starts."""

    name = models.CharField(max_length=100, blank=True)
    time_zone = models.CharField(max_length=64)
    day_boundary_hour = models.PositiveSmallIntegerField(default=4)
    # How often a GAD-7 is due, in days (every two weeks by default, as in measurement-based care).
    gad7_every_days = models.PositiveSmallIntegerField(default=14)
    # The person's own people to call in a crisis: [{"name": ..., "phone": ...}].
    crisis_contacts = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The journal's version: every write, undo, delete and import raises it (journal.version),
    # so a read cached under one version can never be served after the journal changed.
    version = models.PositiveBigIntegerField(default=0)
    # The version the stored alerts are known to reflect (journal.alerts): a change whose alert
    # refresh never ended (the process killed, stopped or failed there) leaves it behind the
    # journal's, and the next refresh then runs every rule, so no change goes unchecked.
    alerts_version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name or f"person {self.pk}"


def _deleted_index(name: str) -> models.Index:
    """The entries of a kind deleted, by person and when: the list of recently deleted entries
    reads these few rows, not the whole journal (only deleted rows are in it)."""
    return models.Index(
        fields=["person", "deleted_at"],
        name=f"{name}_deleted_idx",
        condition=models.Q(deleted_at__isnull=False),
    )


class Entry(models.Model):
    """Fields every journal entry has: its owner, a replay token, and soft deletion for undo."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    # The form's one-time token: a replayed submission (double click, retry) is stored once.
    token = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 - NULL: no token
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def _token_unique(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["person", "token"], condition=Q(token__isnull=False), name=name
    )


class Named(models.Model):
    """A product's or a substance's name, and where it sorts in a list as it is read
    (vocabulary.name_order), kept with it on every save."""

    name = models.CharField(max_length=120)
    name_order = models.CharField(max_length=480, blank=True, default="", editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_order = vocabulary.name_order(self.name)
        fields = kwargs.get("update_fields")
        if fields is not None and "name" in fields:
            kwargs["update_fields"] = {*fields, "name_order"}
        super().save(*args, **kwargs)


class Product(Entry, Named):
    """A kratom product the person owns, with its lab figures when known."""

    vendor = models.CharField(max_length=120, blank=True)
    strain = models.CharField(max_length=80, blank=True)
    vein = models.CharField(
        max_length=16, choices=vocabulary.choices(vocabulary.VEINS), default="unknown"
    )
    form = models.CharField(
        max_length=16, choices=vocabulary.choices(vocabulary.PRODUCT_FORMS), default="powder"
    )
    unit = models.CharField(
        max_length=16, choices=vocabulary.choices(vocabulary.PRODUCT_UNITS), default="g"
    )
    grams_per_unit = models.FloatField(null=True, blank=True)
    mitragynine_mg_per_g = models.FloatField(null=True, blank=True)
    hydroxy_mg_per_g = models.FloatField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [_token_unique("product_token_unique")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Dose(Entry):
    """A dose of a product: what was logged, and its normalisation to grams."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="doses")
    taken_at = models.DateTimeField(db_index=True)
    amount = models.FloatField()
    unit = models.CharField(max_length=16)
    grams = models.FloatField()
    mg_mitragynine = models.FloatField(null=True, blank=True)
    mg_7oh = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [_token_unique("dose_token_unique")]
        indexes = [models.Index(fields=["person", "taken_at"]), _deleted_index("dose")]
        ordering = ["-taken_at"]

    def __str__(self) -> str:
        return f"{self.amount:g} {self.unit} of {self.product}"


class CheckIn(Entry):
    """A check-in: anxiety now, mood, last night's sleep, symptoms and a note."""

    at = models.DateTimeField(db_index=True)
    # Empty when a check-in records only mood, sleep or a note (imported journals often do):
    # no rating is ever made up.
    anxiety = models.PositiveSmallIntegerField(null=True, blank=True)
    mood = models.PositiveSmallIntegerField(null=True, blank=True)
    sleep_hours = models.FloatField(null=True, blank=True)
    sleep_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    symptoms = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    # Diet, for the plan and the insights: regular meals today (NULL: not said), cups of coffee
    # or other caffeinated drinks today.
    regular_meals = models.BooleanField(null=True, blank=True)
    caffeine_cups = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [_token_unique("checkin_token_unique")]
        indexes = [models.Index(fields=["person", "at"]), _deleted_index("checkin")]
        ordering = ["-at"]

    def __str__(self) -> str:
        rating = "no anxiety rating" if self.anxiety is None else f"anxiety {self.anxiety}/10"
        return f"{rating} at {self.at:%Y-%m-%d %H:%M}"


class Practice(Entry):
    """A practice of the plan (mindfulness, exercise, therapy, ...) with its minutes."""

    checkin = models.ForeignKey(
        CheckIn, on_delete=models.CASCADE, null=True, blank=True, related_name="practices"
    )
    kind = models.CharField(max_length=24, choices=vocabulary.choices(vocabulary.PRACTICE_KINDS))
    minutes = models.PositiveIntegerField()
    at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [_token_unique("practice_token_unique")]
        indexes = [models.Index(fields=["person", "at"]), _deleted_index("practice")]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.minutes} min"


class Substance(Entry, Named):
    """A medication or other substance the person takes, as they name it."""

    # The knowledge base's id once the name is resolved (brand names and synonyms included).
    knowledge_id = models.CharField(max_length=64, blank=True)
    dose_text = models.CharField(max_length=120, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [_token_unique("substance_token_unique")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Intake(Entry):
    """One use of a substance (for example a benzodiazepine tablet, or two drinks)."""

    substance = models.ForeignKey(Substance, on_delete=models.PROTECT, related_name="intakes")
    taken_at = models.DateTimeField(db_index=True)
    amount = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=24, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [_token_unique("intake_token_unique")]
        indexes = [models.Index(fields=["person", "taken_at"]), _deleted_index("intake")]
        ordering = ["-taken_at"]

    def __str__(self) -> str:
        return f"{self.substance} at {self.taken_at:%Y-%m-%d %H:%M}"


class Response(Entry):
    """A questionnaire response, scored when it was given (total, band and safety flags)."""

    instrument = models.CharField(max_length=16)
    at = models.DateTimeField(db_index=True)
    answers = models.JSONField()
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=32, blank=True)
    flags = models.JSONField(default=list, blank=True)
    # A crisis answer (PHQ-9 item 9 above 0): kept as a column so the open card is one query.
    crisis = models.BooleanField(default=False)
    # When the person dismissed the crisis card this response raised (NULL: still shown).
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [_token_unique("response_token_unique")]
        indexes = [models.Index(fields=["person", "instrument", "at"])]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total} at {self.at:%Y-%m-%d %H:%M}"


class Alert(models.Model):
    """A safety rule's finding, kept with its evidence and sources; once per piece of evidence."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    rule = models.CharField(max_length=40)
    severity = models.CharField(
        max_length=8, choices=vocabulary.choices(vocabulary.SEVERITY_LABELS)
    )
    # Sortable severity (0 = danger): the banner lists the most severe first.
    rank = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    advice = models.TextField()
    sources = models.JSONField(default=list)
    evidence = models.JSONField(default=dict)
    evidence_grade = models.CharField(max_length=32, blank=True)
    # The same evidence gives the same key, so a rule never fires twice for it.
    evidence_key = models.CharField(max_length=200)
    at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # Set when the entry behind the alert was deleted or corrected: it leaves the banner.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "rule", "evidence_key"], name="alert_once")
        ]
        indexes = [models.Index(fields=["person", "acknowledged_at", "rank"])]
        ordering = ["rank", "-at"]

    def __str__(self) -> str:
        return f"{self.severity}: {self.title}"


class Taper(models.Model):
    """A saved taper: its schedule as the planner made it (a JSON document), and when it ended.

    The schedule is stored whole rather than re-planned, so a later change to the knowledge base
    never moves the steps a person agreed to. At most one taper is active (ended_at is null).
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tapers")
    schedule = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # As an entry's: a replayed request (a retry, a double click) saves the taper once.
    token = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 - NULL: no token
    # What was asked for (target, pace, start, first day, as reads.taper normalises them): a
    # replayed token with another ask is refused, not answered as if it were saved.
    asked = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [_token_unique("taper_token_unique")]

    def __str__(self) -> str:
        return f"taper from {self.schedule.get('starts', '?')} ({self.schedule.get('pace', '?')})"


class TaperChoice(models.Model):
    """A choice the person made about their taper on a local day: hold, resume or go back a step."""

    ACTIONS = (("hold", "Hold this step"), ("resume", "Resume"), ("back", "Back one step"))

    taper = models.ForeignKey(Taper, on_delete=models.CASCADE, related_name="choices")
    day = models.DateField()
    action = models.CharField(max_length=10, choices=ACTIONS)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.action} on {self.day}"


class Plan(models.Model):
    """The person's plan in their words: their clinician, their reasons and their warning signs.

    The crisis contacts stay on `Person` (the crisis page reads them there) but are edited here.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="plan")
    clinician_name = models.CharField(max_length=120, blank=True)
    clinician_contact = models.CharField(max_length=200, blank=True)
    reasons = models.TextField(blank=True)
    warning_signs = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"plan of {self.person}"


class Goal(models.Model):
    """A weekly goal: minutes or sessions of a practice a week, or hours of sleep a night."""

    UNITS = (("minutes", "minutes a week"), ("sessions", "sessions a week"), ("hours", "hours"))

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="goals")
    kind = models.CharField(max_length=24, choices=vocabulary.choices(vocabulary.GOAL_KINDS))
    amount = models.FloatField()
    unit = models.CharField(max_length=10, choices=UNITS)
    # When the goal was first set (a change of amount keeps it): weeks before it had no goal.
    # None for a goal set before mitra kept this: it is measured in every week, as it was.
    created_at = models.DateTimeField(null=True, default=timezone.now)
    # The targets it had before its current one, oldest first: {"until": the moment it was
    # changed (ISO 8601), "amount", "unit"}; each past week is measured against its own.
    earlier = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="goal_once")]
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.amount:g} {self.unit}"


class ResearchConsent(models.Model):
    """The person's consent to research use: whether they take part and which kinds of data.

    Nobody takes part by default: a person without a row, or with `opted_in` false, is never
    exported. Every change is kept as a `ConsentEvent`.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="consent")
    opted_in = models.BooleanField(default=False)
    # Keys of vocabulary.RESEARCH_DATA_KINDS, sorted.
    kinds = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"research consent of {self.person}: {'in' if self.opted_in else 'out'}"


class ConsentEvent(models.Model):
    """One change of research consent: who made it (which face), what it became, and when."""

    ACTIONS = (("grant", "Consent given or changed"), ("withdraw", "Consent withdrawn"))

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consent_events")
    action = models.CharField(max_length=10, choices=ACTIONS)
    kinds = models.JSONField(default=list, blank=True)  # the kinds consented to after the change
    actor = models.CharField(max_length=40)  # "person (web)", "person (cli)", "person (api)"
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.action} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"
