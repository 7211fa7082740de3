# The score history moves from the health_healthscore table to Parquet files in the analytics
# store (cairn.health.history), one per scoring date, named by a ScoreDate row. Alerts keep
# the date and the score that raised them instead of a reference to a history row. Going
# back reads the files into the table again. The latest scores lose an index nothing used.

import datetime as dt
import json

import django.db.models.deletion
from django.db import migrations, models


def alerts_keep_date_and_score(apps, schema_editor):
    HealthAlert = apps.get_model("health", "HealthAlert")
    for alert in HealthAlert.objects.select_related("score_row"):
        alert.scored_on = alert.score_row.scored_on
        alert.score = alert.score_row.score
        alert.save(update_fields=["scored_on", "score"])


def alerts_point_back(apps, schema_editor):
    HealthAlert = apps.get_model("health", "HealthAlert")
    HealthScore = apps.get_model("health", "HealthScore")
    for alert in HealthAlert.objects.all():
        alert.score_row = HealthScore.objects.get(account_id=alert.account_id, scored_on=alert.scored_on)
        alert.save(update_fields=["score_row"])


def history_to_files(apps, schema_editor):
    """Each date's rows become that date's file; nothing is lost, nothing is left behind."""
    from django.utils import timezone

    from cairn.health.history import table_of, write_file

    HealthScore = apps.get_model("health", "HealthScore")
    ScoreDate = apps.get_model("health", "ScoreDate")
    days = HealthScore.objects.order_by("scored_on").values_list("scored_on", flat=True).distinct()
    for day in list(days):
        rows = list(
            HealthScore.objects.filter(scored_on=day).order_by("account_id").values_list(
                "account_id", "scorecard_id", "snapshot_id", "score", "light", "explanation"
            )
        )
        table = table_of(
            [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
            [float("nan") if r[3] is None else r[3] for r in rows], [r[4] for r in rows],
            [json.dumps(r[5]) for r in rows],
        )
        ScoreDate.objects.create(
            scored_on=day, file=write_file(table, day), accounts=len(rows),
            computed_at=timezone.now(),
        )


def files_to_history(apps, schema_editor):
    import pyarrow.parquet as pq

    from cairn.health.history import SCHEMA, folder

    HealthScore = apps.get_model("health", "HealthScore")
    ScoreDate = apps.get_model("health", "ScoreDate")
    for date in ScoreDate.objects.exclude(file=""):
        rows = pq.read_table(folder() / date.file, schema=SCHEMA).to_pylist()
        HealthScore.objects.bulk_create(
            (
                HealthScore(
                    account_id=r["account_id"], scored_on=date.scored_on,
                    scorecard_id=r["scorecard_id"], snapshot_id=r["snapshot_id"], score=r["score"],
                    light=r["light"] or "", explanation=json.loads(r["explanation"] or "{}"),
                    computed_at=date.computed_at,
                )
                for r in rows
            ),
            batch_size=5000,
        )


class Migration(migrations.Migration):

    dependencies = [
        ("health", "0003_healthscore_fewer_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScoreDate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scored_on", models.DateField(unique=True)),
                ("file", models.CharField(blank=True, max_length=200)),
                ("accounts", models.PositiveIntegerField(default=0)),
                ("computed_at", models.DateTimeField()),
            ],
            options={"ordering": ["scored_on"]},
        ),
        migrations.RemoveConstraint(model_name="healthalert", name="health_alert_once_per_score"),
        migrations.RenameField(model_name="healthalert", old_name="score", new_name="score_row"),
        migrations.AlterField(
            model_name="healthalert", name="score_row",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="alerts",
                to="health.healthscore",
            ),
        ),
        migrations.AddField(
            model_name="healthalert", name="scored_on", field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="healthalert", name="score",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.RunPython(alerts_keep_date_and_score, alerts_point_back),
        migrations.RemoveField(model_name="healthalert", name="score_row"),
        migrations.AlterField(
            model_name="healthalert", name="scored_on", field=models.DateField(default=dt.date(2000, 1, 1)),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="healthalert",
            constraint=models.UniqueConstraint(
                fields=("account", "kind", "scored_on"), name="health_alert_once_per_score"
            ),
        ),
        migrations.RunPython(history_to_files, files_to_history),
        migrations.DeleteModel(name="HealthScore"),
        # Sorting by score never used it (see AccountHealth.Meta); every run paid for it.
        migrations.RemoveIndex(model_name="accounthealth", name="health_latest_by_score"),
    ]
