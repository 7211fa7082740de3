"""Forms of the health pages: the scorecard editor, its measures and a CSM's rating."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone

from cairn.customers.models import Segment
from cairn.fields import NOTE
from cairn.forms import choice
from cairn.health.models import Indicator, ManualRating, Measure, Method, RatingValue, Scorecard, Source
from cairn.metrics.models import MetricDefinition

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_BAND = re.compile(r"^\s*(-?[\d.]+)?\s*\.\.\s*(-?[\d.]+)?\s*=\s*(-?[\d.]+)\s*$")


def parse_bands(text: str) -> list[dict[str, float | None]]:
    """`3..14 = 60` per line (an end may be left out: `..3 = 100`, `30.. = 0`)."""
    bands: list[dict[str, float | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _BAND.match(line)
        if match is None:
            raise forms.ValidationError(
                f"Line {number}: write a band as 'from..to = points', e.g. '3..14 = 60'."
            )
        low, high, points = (float(g) if g is not None else None for g in match.groups())
        if low is not None and high is not None and high <= low:
            raise forms.ValidationError(f"Line {number}: the end must be above the start.")
        if points is None or not 0 <= points <= 100:
            raise forms.ValidationError(f"Line {number}: points must be between 0 and 100.")
        bands.append({"from": low, "to": high, "points": points})
    return bands


def bands_text(bands: list[dict[str, Any]]) -> str:
    def end(v: Any) -> str:
        return "" if v is None else f"{float(v):g}"

    return "\n".join(
        f"{end(b.get('from'))}..{end(b.get('to'))} = {float(b['points']):g}" for b in bands or []
    )


class ScorecardForm(forms.ModelForm):
    segments = forms.MultipleChoiceField(
        choices=Segment.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Accounts of these segments use this scorecard.",
    )

    class Meta:
        model = Scorecard
        fields = [
            "name", "description", "segments", "is_default", "green_from", "red_below",
            "max_age_days", "alert_drop_points", "alert_period_days",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        labels = {"is_default": "Default scorecard", "max_age_days": "Maximum data age (days)"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        green, red = data.get("green_from"), data.get("red_below")
        if green is not None and green > 100:
            self.add_error("green_from", "Green must start at 100 or below.")
        elif green is not None and red is not None and red > green:
            self.add_error("red_below", "Red must start below green.")
        if data.get("is_default") and data.get("segments"):
            self.add_error(
                "segments",
                "The default scorecard applies to every other account: leave segments empty.",
            )
        return data


class MeasureForm(forms.ModelForm):
    bands_text = forms.CharField(
        max_length=NOTE,
        required=False, label="Bands", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: from..to = points, e.g. ..3 = 100, 3..14 = 60, 30.. = 0",
    )

    class Meta:
        model = Measure
        fields = [
            "name", "indicator", "weight", "source", "metric", "method", "bad_value", "good_value",
            "reverse_direction", "window_days",
        ]
        labels = {
            "bad_value": "Bad value (0 points)", "good_value": "Good value (100 points)",
            "reverse_direction": "Against the metric's direction",
        }
        help_texts = {
            "method": "Log: for heavy-tailed counts, linear in log(1 + value). Percentile: the "
            "value's rank among the book's accounts on the date; bad and good are then ranks "
            "(0-100), empty for the rank itself.",
            "good_value": "Below the bad value when lower values are better.",
            "reverse_direction": "Lower values of a metric where higher is better score higher (or "
            "the reverse): a backtest showed more of it went with churn.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "metric").queryset = MetricDefinition.objects.filter(active=True)
        if self.instance.pk and self.instance.bands:
            self.initial["bands_text"] = bands_text(self.instance.bands)

    def clean_weight(self) -> float:
        weight = self.cleaned_data["weight"]
        if not 0 < weight <= 1000:
            raise forms.ValidationError("The weight must be above 0 and at most 1000.")
        return float(weight)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source = data.get("source")
        if source == Source.MANUAL:
            return data
        metric: MetricDefinition | None = data.get("metric")
        method = data.get("method")
        if source == Source.METRIC and metric is None:
            self.add_error("metric", "Choose the metric this measure scores.")
        if method == Method.BANDS:
            try:
                bands = parse_bands(data.get("bands_text") or "")
            except forms.ValidationError as exc:
                self.add_error("bands_text", exc)
                return data
            if not bands:
                self.add_error("bands_text", "Give at least one band.")
            self.instance.bands = bands
            return data
        self.instance.bands = []
        if method == Method.PERCENTILE:
            return self._clean_percentile(data, metric)
        bad, good = data.get("bad_value"), data.get("good_value")
        if bad is None:
            self.add_error("bad_value", "Give the value that scores 0 points.")
        if good is None:
            self.add_error("good_value", "Give the value that scores 100 points.")
        if bad is None or good is None:
            return data
        if method == Method.LOG:
            for name, value in (("bad_value", bad), ("good_value", good)):
                if value < 0:
                    self.add_error(name, "A log scale starts at 0: give a value of 0 or more.")
        if bad == good:
            self.add_error("good_value", "The good value must differ from the bad one.")
            return data
        self._check_direction(data, metric, bad < good, "value")
        return data

    def _higher_is_better(self, data: dict[str, Any], metric: MetricDefinition | None) -> bool:
        """The metric's direction, turned when asked; a higher NPS is better, fewer open
        tickets are."""
        if data.get("source") == Source.METRIC:
            declared = metric.higher_is_better if metric is not None else True
            return declared != bool(data.get("reverse_direction"))
        return data.get("source") == Source.SURVEY

    def _check_direction(
        self, data: dict[str, Any], metric: MetricDefinition | None, rising: bool, what: str
    ) -> None:
        if rising == self._higher_is_better(data, metric):
            return
        hint = ""
        if data.get("source") == Source.METRIC:
            hint = " (or tick 'Against the metric's direction' if more of it went with churn)"
        better, side = ("Lower", "below") if rising else ("Higher", "above")
        self.add_error(
            "good_value", f"{better} is better here: the good {what} must be {side} the bad one{hint}."
        )

    def _clean_percentile(self, data: dict[str, Any], metric: MetricDefinition | None) -> dict[str, Any]:
        """Bad and good are percentile ranks; left empty, the rank itself is the points, in
        the metric's direction."""
        if data.get("source") != Source.METRIC:
            self.add_error(
                "method", "Percentile ranks a metric's values among the book's accounts: choose a metric."
            )
            return data
        bad, good = data.get("bad_value"), data.get("good_value")
        if bad is None and good is None:
            higher = self._higher_is_better(data, metric)
            data["bad_value"], data["good_value"] = (0.0, 100.0) if higher else (100.0, 0.0)
            return data
        wrong = False
        for name, value in (("bad_value", bad), ("good_value", good)):
            if value is None:
                self.add_error(name, "Give both percentile ranks, or leave both empty.")
            elif not 0 <= value <= 100:
                self.add_error(name, "A percentile rank is from 0 to 100.")
            wrong |= value is None or not 0 <= value <= 100
        if wrong or bad is None or good is None:
            return data
        if bad == good:
            self.add_error("good_value", "The good rank must differ from the bad one.")
            return data
        self._check_direction(data, metric, bad < good, "rank")
        return data


class BaseMeasureFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        manual: set[str] = set()
        kept = 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            kept += 1
            if data.get("source") == Source.MANUAL:
                indicator = data.get("indicator", "")
                if indicator in manual:
                    form.add_error(
                        "indicator",
                        "Ratings are given per indicator: one manual measure per indicator.",
                    )
                manual.add(indicator)
        if kept == 0:
            raise forms.ValidationError("A scorecard needs at least one measure.")


MeasureFormSet = inlineformset_factory(
    Scorecard, Measure, form=MeasureForm, formset=BaseMeasureFormSet, extra=1, can_delete=True,
)


class RatingForm(forms.ModelForm):
    class Meta:
        model = ManualRating
        fields = ["indicator", "rating", "comment", "expires_on"]
        widgets = {"expires_on": DATE, "comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("expires_on", timezone.localdate() + dt.timedelta(days=90))
        self.fields["indicator"].choices = Indicator.choices  # type: ignore[attr-defined]
        self.fields["rating"].choices = RatingValue.choices  # type: ignore[attr-defined]

    def clean_expires_on(self) -> dt.date:
        expires: dt.date = self.cleaned_data["expires_on"]
        if expires < timezone.localdate():
            raise forms.ValidationError("The expiry must be today or later.")
        return expires

    def _post_clean(self) -> None:
        # The rating's date and account are set by the action; skip model validation here.
        pass
