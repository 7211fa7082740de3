"""`cairn scorecards export|import`: scorecards travel as TOML, are checked as the editor checks
them, and are saved whole or not at all, with their history."""

from __future__ import annotations

import tomllib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cairn.health.actions import ensure_default_scorecard
from cairn.health.models import Measure, Scorecard
from cairn.metrics.actions import load_standard
from cairn.metrics.models import MetricDefinition

pytestmark = pytest.mark.django_db

USAGE = '''
[[scorecard]]
name = "Usage"
description = "Enterprise accounts, by what they do."
segments = ["enterprise", "strategic"]
green_from = 75
red_below = 35
max_age_days = 30
alert_drop_points = 10
alert_period_days = 14

[[scorecard.measure]]
name = "Seats in use"
indicator = "product_utilization"
weight = 3
source = "metric"
metric = "seat-utilization-28d"
method = "thresholds"
bad_value = 0.25
good_value = 0.8

[[scorecard.measure]]
name = "Logins"
indicator = "product_utilization"
weight = 2.5
source = "metric"
metric = "logins-28d"
method = "bands"
bands = [{to = 3, points = 0}, {from = 3, to = 12.5, points = 60}, {from = 12.5, points = 100}]

[[scorecard.measure]]
name = "Sponsor"
indicator = "sponsorship"
weight = 1
source = "manual"
'''


def run(*args: str) -> str:
    out = StringIO()
    call_command("scorecards", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> tuple[str, str]:
    """Run a command that must fail: (the CommandError, what it wrote to stderr)."""
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("scorecards", *args, stdout=StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


@pytest.fixture
def metrics() -> None:
    load_standard()


def write(tmp_path: Path, text: str, name: str = "cards.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot() -> list[tuple[object, ...]]:
    cards = [
        (c.name, c.description, c.segments, c.is_default, c.green_from, c.red_below, c.max_age_days,
         c.alert_drop_points, c.alert_period_days)
        for c in Scorecard.objects.order_by("name")
    ]
    measures = [
        (m.scorecard.name, m.position, m.name, m.indicator, m.weight, m.source,
         m.metric.slug if m.metric else None, m.method, m.bad_value, m.good_value, m.bands, m.window_days)
        for m in Measure.objects.select_related("scorecard", "metric").order_by("scorecard__name", "position")
    ]
    return [*cards, *measures]


def test_an_export_imports_into_an_empty_cairn_and_exports_the_same_text(metrics, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ensure_default_scorecard()
    assert "1 scorecard(s) created, 0 updated." in run("import", str(write(tmp_path, USAGE)))
    before = snapshot()
    exported = tmp_path / "export.toml"
    assert "2 scorecard(s) written to" in run("export", str(exported))

    Scorecard.objects.all().delete()
    assert "2 scorecard(s) created, 0 updated." in run("import", str(exported))
    assert snapshot() == before
    assert run("export") == exported.read_text(encoding="utf-8")


def test_the_export_holds_the_cards_settings_and_each_measures_fields(metrics, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("import", str(write(tmp_path, USAGE)))
    document = tomllib.loads(run("export", "--scorecard", "usage"))
    assert document["version"] == 1
    (card,) = document["scorecard"]
    assert card["segments"] == ["enterprise", "strategic"]
    assert (card["green_from"], card["red_below"], card["alert_drop_points"]) == (75, 35, 10)
    seats, logins, sponsor = card["measure"]
    assert seats["metric"] == "seat-utilization-28d" and seats["weight"] == 3.0
    assert (seats["bad_value"], seats["good_value"]) == (0.25, 0.8)
    # An open end of a band is left out: TOML has no null.
    assert logins["bands"] == [{"to": 3.0, "points": 0.0}, {"from": 3.0, "to": 12.5, "points": 60.0},
                               {"from": 12.5, "points": 100.0}]
    assert sponsor["source"] == "manual" and "metric" not in sponsor and "bad_value" not in sponsor
    by_id = tomllib.loads(run("export", "--scorecard", str(Scorecard.objects.get().pk)))
    assert by_id == document


def test_an_import_updates_a_card_by_name_keeping_its_measures_by_name(metrics, tmp_path: Path, alice) -> None:  # type: ignore[no-untyped-def]
    run("import", str(write(tmp_path, USAGE)))
    card = Scorecard.objects.get(name="Usage")
    logins = card.measures.get(name="Logins")
    sponsor = card.measures.get(name="Sponsor")
    changed = USAGE.replace('name = "Usage"', 'name = "usage"').replace("weight = 2.5", "weight = 4")
    # Seats in use goes, a new measure comes first, Sponsor moves up.
    changed = changed.replace('''[[scorecard.measure]]
name = "Seats in use"
indicator = "product_utilization"
weight = 3
source = "metric"
metric = "seat-utilization-28d"
method = "thresholds"
bad_value = 0.25
good_value = 0.8
''', '''[[scorecard.measure]]
name = "Days since the last login"
indicator = "product_utilization"
weight = 2
source = "metric"
metric = "days-since-last-login"
bad_value = 30
good_value = 2
''')
    assert "0 scorecard(s) created, 1 updated." in run("import", str(write(tmp_path, changed)), "--user", "alice")
    card.refresh_from_db()
    assert card.name == "usage"
    lines = list(card.measures.order_by("position").values_list("name", "pk", "weight"))
    assert [name for name, _, _ in lines] == ["Days since the last login", "Logins", "Sponsor"]
    assert lines[1] == ("Logins", logins.pk, 4.0)  # the same row: its history goes on
    assert lines[2][1] == sponsor.pk
    # The history names who imported, on the card and on each measure changed.
    assert card.history.latest().history_user == alice
    assert logins.history.latest().history_user == alice
    assert Measure.history.filter(name="Seats in use", history_type="-").get().history_user == alice


def test_a_bad_measure_names_card_measure_and_field_and_nothing_is_saved(metrics, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ensure_default_scorecard()
    text = USAGE.replace("weight = 2.5", "weight = 0") + USAGE.replace('"Usage"', '"Second"').replace(
        'segments = ["enterprise", "strategic"]', 'segments = ["smb"]'
    )
    before = snapshot()
    error, problems = refused("import", str(write(tmp_path, text)))
    assert error == "1 problem(s); nothing was saved."
    assert problems.strip() == (
        "scorecard 1 'Usage', measure 2 'Logins', weight: The weight must be above 0 and at most 1000."
    )
    assert snapshot() == before  # not even the good second card


def test_the_editors_rules_apply_to_cards_and_measures(metrics, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = (USAGE.replace("red_below = 35", "red_below = 90")
            .replace("bad_value = 0.25\ngood_value = 0.8", "bad_value = 0.8\ngood_value = 0.25")
            .replace("weight = 1\nsource = \"manual\"", "weight = 1\nsource = \"manual\"\n\n"
                     "[[scorecard.measure]]\nname = \"Sponsor again\"\nindicator = \"sponsorship\"\n"
                     "source = \"manual\""))
    _, problems = refused("import", str(write(tmp_path, text)))
    assert "scorecard 1 'Usage', red_below: Red must start below green." in problems
    assert ("scorecard 1 'Usage', measure 1 'Seats in use', good_value: Higher is better here: the good "
            "value must be above the bad one") in problems
    assert ("scorecard 1 'Usage', measure 4 'Sponsor again', indicator: Ratings are given per indicator: "
            "one manual measure per indicator.") in problems
    assert not Scorecard.objects.exists()


def test_an_unknown_metric_slug_field_or_type_is_refused_before_anything_is_checked(metrics, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = (USAGE.replace('metric = "logins-28d"', 'metric = "logins-per-fortnight"')
            .replace("weight = 3\n", 'weight = "heavy"\n')
            .replace("max_age_days = 30", "max_age_days = 30.5\ncolour = \"teal\"")
            .replace("{to = 3, points = 0}", "{upto = 3, points = 0}"))
    _, problems = refused("import", str(write(tmp_path, text)))
    assert problems.splitlines() == [
        "scorecard 1 'Usage', max_age_days: must be a whole number.",
        "scorecard 1 'Usage', colour: unknown field.",
        "scorecard 1 'Usage', measure 1 'Seats in use', weight: must be a number.",
        "scorecard 1 'Usage', measure 2 'Logins', bands: band 1 must be a table {from = ..., to = ..., "
        "points = ...} (from or to may be left out).",
        "scorecard 1 'Usage', measure 2 'Logins', metric: There is no metric with the slug "
        "'logins-per-fortnight'.",
    ]
    MetricDefinition.objects.filter(slug="logins-28d").update(active=False)
    _, problems = refused("import", str(write(tmp_path, USAGE)))
    assert problems.strip() == "scorecard 1 'Usage', measure 2 'Logins', metric: The metric 'logins-28d' is not active."
    assert not Scorecard.objects.exists()


def test_a_missing_or_malformed_file_is_refused_with_the_line(tmp_path: Path) -> None:
    error, problems = refused("import", str(tmp_path / "absent.toml"))
    assert "absent.toml: cannot be read (No such file or directory)." in problems
    assert error == "1 problem(s); nothing was saved."
    _, problems = refused("import", str(write(tmp_path, '[[scorecard]]\nname = "A"\nweight = \n')))
    assert "not valid TOML" in problems and "line 3" in problems
    _, problems = refused("import", str(write(tmp_path, 'version = 2\nscorecards = []\n')))
    assert "scorecards: unknown field." in problems
    assert "version: this Cairn reads version 1 files." in problems
    assert "no [[scorecard]] tables found." in problems
    _, problems = refused("import", str(write(tmp_path, '[[scorecard]]\nname = "A"\n')))
    assert problems.strip() == "scorecard 1 'A', measures: A scorecard needs at least one measure."


def test_a_name_twice_in_a_file_is_refused(metrics, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, problems = refused("import", str(write(tmp_path, USAGE + USAGE.replace('"Usage"', '"USAGE"'))))
    assert "scorecard 2 'USAGE', name: appears twice in the file." in problems


def test_only_an_active_leader_may_be_named_as_the_importer(metrics, tmp_path: Path, carol) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, USAGE)
    assert refused("import", str(path), "--user", "carol")[0] == (
        "--user: carol is not a CS leader; only leaders edit scorecards."
    )
    assert refused("import", str(path), "--user", "nobody")[0] == "--user: no active user is called 'nobody'."
    assert not Scorecard.objects.exists()


def test_exporting_an_unknown_card_or_none_says_what_there_is(metrics, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "no scorecards to export" in refused("export")[0]
    ensure_default_scorecard()
    error, _ = refused("export", "--scorecard", "Usage")
    assert error.startswith("--scorecard: no scorecard has the id or name 'Usage' (there are: ")
    assert "'Standard health'" in error
    assert "cannot be written" in refused("export", str(tmp_path / "no" / "cards.toml"))[0]
