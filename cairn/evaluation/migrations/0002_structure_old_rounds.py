"""Move the free text of rounds recorded before the two questions had a structure.

The customer's value becomes one CustomerValue (what it was, as written; whether each side
knew it was never said, so left unknown); our company's value becomes a CompanyValue of kind
"other" (the text never said which kind); the lessons become one lesson of the team's library,
linked to the engagement and the round, titled by their first line. Empty texts move nothing.
Reversed, the texts are written back from what the rounds hold (the rows stay, so going
forward again moves nothing twice).
"""

from django.db import migrations

TITLE = 300


def _title(text):
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= TITLE else first[: TITLE - 1] + "…"


def forwards(apps, schema_editor):
    Evaluation = apps.get_model("engagements", "Evaluation")
    CustomerValue = apps.get_model("evaluation", "CustomerValue")
    CompanyValue = apps.get_model("evaluation", "CompanyValue")
    Lesson = apps.get_model("evaluation", "Lesson")
    for ev in Evaluation.objects.all().iterator():
        customer, company, lessons = (
            ev.customer_value.strip(), ev.company_value.strip(), ev.lessons.strip()
        )
        if (
            CustomerValue.objects.filter(round=ev).exists()
            or CompanyValue.objects.filter(round=ev).exists()
            or Lesson.objects.filter(round=ev).exists()
        ):
            continue  # moved already (migrated back and forth): the rows are kept
        if customer:
            CustomerValue.objects.create(round=ev, what=_title(customer), measured_how=customer)
        if company:
            CompanyValue.objects.create(round=ev, kind="other", description=company)
        if lessons:
            Lesson.objects.create(
                title=_title(lessons), what_happened=lessons, engagement_id=ev.engagement_id,
                round=ev, author_id=ev.opened_by_id,
            )


def backwards(apps, schema_editor):
    Evaluation = apps.get_model("engagements", "Evaluation")
    for ev in Evaluation.objects.all().iterator():
        ev.customer_value = "\n\n".join(v.measured_how or v.what for v in ev.customer_values.all())
        ev.company_value = "\n\n".join(v.description for v in ev.company_values.all())
        ev.lessons = "\n\n".join(lesson.what_happened for lesson in ev.library_lessons.all())
        ev.save(update_fields=["customer_value", "company_value", "lessons"])


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
        ("engagements", "0003_bounded_text"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
