from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0002_historicaluser'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='ingest',
            field=models.BooleanField(
                default=False,
                help_text='Sends usage events, tickets and NPS answers for every account.',
                verbose_name='ingest scope',
            ),
        ),
    ]
