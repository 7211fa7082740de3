"""The value plan's actions and reads: items tied to KPIs, outcomes and the strategy chain,
what they achieved, the checks on who and what they name, changes, activities, my work."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cairn.adoption.measurements import KpiStatus
from cairn.engagements.models import Status
from cairn.timeline.models import Entry
from cairn.value import actions, queries
from cairn.value.models import ValueActivity, ValueChange, ValueItem
from cairn.value.tests.conftest import days, make_kpi

pytestmark = pytest.mark.django_db


def _achieved(item: ValueItem) -> queries.Achieved:
    return queries.achieved(queries.items().get(pk=item.pk))


def test_an_item_achieves_what_its_kpis_readings_say(item, on_track, off_track):
    done = _achieved(item)
    by_name = {k.kpi.name: k for k in done.kpis}
    assert by_name["Energy per unit"].status == KpiStatus.ON_TRACK
    assert by_name["Energy per unit"].progress == 60  # 100 -> 88 of 100 -> 80
    assert by_name["Peak load"].status == KpiStatus.OFF_TRACK
    assert by_name["Peak load"].progress == 5
    # As far as the mean of its KPIs; it stands as its worst.
    assert done.progress == 32 and done.status == KpiStatus.OFF_TRACK and not done.reached
    assert Entry.objects.filter(title__startswith="Value item added").exists()


def test_an_item_without_readings_has_not_started(engagement, carol):
    kpi = make_kpi(engagement, carol, "Idle", [])
    item = actions.save_item(ValueItem(engagement=engagement, statement="Less idle time"), by=carol, kpis=[kpi])
    done = _achieved(item)
    assert done.progress is None and done.status == KpiStatus.NOT_STARTED
    bare = actions.save_item(ValueItem(engagement=engagement, statement="No KPI"), by=carol)
    assert _achieved(bare).label == "No KPI yet"


def test_a_reached_target_counts_as_achieved(engagement, carol):
    kpi = make_kpi(engagement, carol, "Done", [(0, "79")])
    item = actions.save_item(ValueItem(engagement=engagement, statement="Reached"), by=carol, kpis=[kpi])
    done = _achieved(item)
    assert done.progress == 100 and done.reached
    columns = queries.comparison(queries.with_achieved([queries.items().get(pk=item.pk)]))
    assert [c.label for c in columns] == ["Promised", "Expected", "All value"]
    assert columns[0].reached == 1 and columns[1].items == 0 and columns[2].progress == 100


def test_a_kpi_of_another_engagement_is_refused(engagement, carol, acme, playbook_version):
    from cairn.engagements.actions import EngagementData, start_engagement

    other = start_engagement(acme, EngagementData(initiative="Other", owner=carol, start_date=days(0)), by=carol,
                             version=playbook_version)
    stranger = make_kpi(other, carol, "Elsewhere", [])
    with pytest.raises(ValidationError) as exc:
        actions.save_item(ValueItem(engagement=engagement, statement="Mixed"), by=carol, kpis=[stranger])
    assert "kpis" in exc.value.message_dict
    assert not ValueItem.objects.exists()


def test_the_links_must_belong_to_the_engagement_and_its_customer(engagement, carol, dave, maria):
    from cairn.customers.models import Account, Contact
    from cairn.preparation.models import StrategyElement

    elsewhere = Account.objects.create(name="Elsewhere", owner=dave)
    with pytest.raises(ValidationError) as exc:
        actions.save_item(ValueItem(
            engagement=engagement, statement="x",
            element=StrategyElement.objects.create(account=elsewhere, kind="goal", title="Theirs"),
            measured_by_contact=Contact.objects.create(account=elsewhere, first_name="Ann", last_name="Other"),
        ), by=carol)
    assert set(exc.value.message_dict) >= {"element", "measured_by_contact"}
    with pytest.raises(ValidationError) as exc:
        actions.save_item(ValueItem(engagement=engagement, statement="x", measured_by_user=dave), by=carol)
    assert "not on this engagement's team" in exc.value.message_dict["measured_by_user"][0]
    with pytest.raises(ValidationError) as exc:
        actions.save_item(ValueItem(engagement=engagement, statement="x", measured_by_user=carol,
                                    measured_by_contact=maria), by=carol)
    assert "one person" in str(exc.value)
    assert not ValueItem.objects.exists()


def test_a_closed_engagement_takes_no_change(engagement, carol):
    engagement.status = Status.CLOSED
    engagement.save()
    with pytest.raises(ValidationError, match="closed"):
        actions.save_change(ValueChange(engagement=engagement, kind="budget_cut", description="Cut",
                                        spotted_on=days(0)), by=carol)


def test_a_change_is_due_after_it_was_spotted_and_a_skipped_activity_says_why(engagement, carol):
    with pytest.raises(ValidationError) as exc:
        actions.save_change(ValueChange(engagement=engagement, kind="merger", description="Bought",
                                        spotted_on=days(0), due_date=days(-1)), by=carol)
    assert "due_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.save_activity(ValueActivity(engagement=engagement, title="QBR", status="skipped"), by=carol)
    assert "note" in exc.value.message_dict
    activity = actions.save_activity(ValueActivity(engagement=engagement, title="QBR", status="skipped",
                                                   note="Moved to next quarter"), by=carol)
    actions.delete(activity, by=carol)
    assert not ValueActivity.objects.exists()
    assert Entry.objects.filter(title__startswith="Value activity removed").exists()


def _my_work(user):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    request.user = user
    return queries.my_work(request, user)


def test_my_work_lists_off_track_kpis_and_what_is_past_due(item, engagement, carol, dave, off_track):
    actions.save_change(ValueChange(engagement=engagement, kind="competitor", description="A rival",
                                    spotted_on=days(-10), due_date=days(-1), owner=carol), by=carol)
    actions.save_change(ValueChange(engagement=engagement, kind="other", description="Done", status="resolved",
                                    spotted_on=days(-10), due_date=days(-1), owner=carol), by=carol)
    actions.save_activity(ValueActivity(engagement=engagement, title="Value report", due_date=days(-2)), by=carol)
    actions.save_activity(ValueActivity(engagement=engagement, title="Later", due_date=days(5)), by=carol)
    work = _my_work(carol)
    assert work["value_kpis_off_track"] == [off_track]
    assert [a.title for a in work["value_activities_overdue"]] == ["Value report"]
    assert [c.description for c in work["value_changes_overdue"]] == ["A rival"]
    assert _my_work(dave) == {"value_kpis_off_track": [], "value_activities_overdue": [],
                              "value_changes_overdue": []}


def test_my_work_reads_in_the_same_queries_for_one_row_or_many(item, engagement, carol):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            work = _my_work(carol)
            for kpi in work["value_kpis_off_track"]:
                str(kpi.engagement.account)
            for row in [*work["value_activities_overdue"], *work["value_changes_overdue"]]:
                str(row.engagement.account)
        return len(ctx.captured_queries)

    actions.save_activity(ValueActivity(engagement=engagement, title="One", due_date=days(-2)), by=carol)
    before = count()
    for n in range(4):
        kpi = make_kpi(engagement, carol, f"Off {n}", [(0, "99")])
        actions.save_item(ValueItem(engagement=engagement, statement=f"More {n}"), by=carol, kpis=[kpi])
        actions.save_activity(ValueActivity(engagement=engagement, title=f"Late {n}", due_date=days(-2)), by=carol)
        actions.save_change(ValueChange(engagement=engagement, kind="other", description=f"C{n}",
                                        spotted_on=days(-9), due_date=days(-1)), by=carol)
    assert count() == before


def test_the_my_work_snippet_renders_each_row(item, engagement, carol):
    from django.template.loader import render_to_string

    actions.save_activity(ValueActivity(engagement=engagement, title="Value <report>", due_date=days(-2)),
                          by=carol)
    html = render_to_string("value/_my_work.html", _my_work(carol))
    assert "Peak load is off track" in html and "Value &lt;report&gt;" in html
    assert f"/engagements/{engagement.pk}/value/" in html



def test_a_reworded_statement_loses_the_customers_answer_to_the_old_wording(item, carol):
    item.perception, item.perceived_by, item.perceived_at = "confirmed", "Maria Lopez", timezone.now()
    item.save()
    item.description = "Measured monthly."
    actions.save_item(item, by=carol)
    item.refresh_from_db()
    assert item.perception == "confirmed"  # the statement itself did not change
    item.statement = "Fuel per nautical mile down 10 % within a year"
    actions.save_item(item, by=carol)
    item.refresh_from_db()
    assert (item.perception, item.perceived_by, item.perceived_at) == ("", "", None)
