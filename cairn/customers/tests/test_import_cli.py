"""`cairn import` from the command line: mapping, all-or-nothing, re-imports, formats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from cairn.cli import main
from cairn.customers.models import Account, Contact, Product, Subscription

pytestmark = pytest.mark.django_db

ACCOUNTS_CSV = (
    "Account Name,Account ID,Industry,Billing Country,Number of Employees,Website,Segment,"
    "Account Owner,Parent Account,Annual Revenue\n"
    'Globex,SF-001,Energy,Germany,"1,200",globex.example,Enterprise,carol@cairn.test,,"5,000,000"\n'
    "Globex Labs,SF-002,Energy,Germany,40,https://labs.globex.example,mid market,carol,Globex,\n"
)


def write(tmp_path: Path, text: str, name: str = "export.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import", *args, stdout=out, stderr=out)
    return out.getvalue()


def failing(*args: str) -> str:
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import", *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def test_importing_a_crm_csv_creates_accounts_with_owner_and_parent(tmp_path, carol):
    output = run("accounts", str(write(tmp_path, ACCOUNTS_CSV)))

    assert 'name [required] <- "Account Name"' in output
    assert 'region <- "Billing Country"' in output
    assert "File columns not imported: Annual Revenue" in output
    assert "2 accounts read: 2 created, 0 updated" in output
    globex = Account.objects.get(external_id="SF-001")
    labs = Account.objects.get(name="Globex Labs")
    assert (globex.employees, globex.website, globex.segment) == (
        1200, "https://globex.example", "enterprise"
    )
    assert globex.owner == carol and labs.owner == carol
    assert labs.parent == globex and labs.segment == "mid_market"


def test_reimporting_the_same_file_updates_instead_of_duplicating(tmp_path, carol):
    path = write(tmp_path, ACCOUNTS_CSV)
    run("accounts", str(path))
    changed = ACCOUNTS_CSV.replace("Energy,Germany,40", "Utilities,Austria,45")

    output = run("accounts", str(write(tmp_path, changed, "again.csv")))

    assert "0 created, 1 updated, 1 unchanged" in output
    assert Account.objects.count() == 2
    labs = Account.objects.get(name="Globex Labs")
    assert (labs.industry, labs.region, labs.employees) == ("Utilities", "Austria", 45)


def test_an_account_is_matched_by_name_in_any_case_when_it_has_no_external_id(tmp_path, acme):
    output = run("accounts", str(write(tmp_path, "Company name,Industry\nACME MANUFACTURING,Steel\n")))

    assert "0 created, 1 updated" in output
    acme.refresh_from_db()
    assert acme.industry == "Steel" and acme.name == "ACME MANUFACTURING"
    assert acme.history.first().history_user is None  # the operator, not a Cairn user


def test_history_names_the_user_given_to_the_command(tmp_path, acme, alice):
    run("accounts", str(write(tmp_path, "Account Name,Industry\nAcme Manufacturing,Steel\n")),
        "--user", "alice")

    assert acme.history.first().history_user == alice


def test_a_utf8_file_with_bom_and_semicolons_is_read(tmp_path):
    text = "Account Name;Industry;Annual Revenue\nZürich Öl AG;Énergie;1.234,50\n"
    output = run("accounts", str(write(tmp_path, text, encoding="utf-8-sig")))

    assert "1 created" in output
    assert Account.objects.get().name == "Zürich Öl AG"
    assert Account.objects.get().industry == "Énergie"


def test_a_windows_1252_tab_separated_file_is_read(tmp_path):
    text = "Company name\tIndustry\nCafé Crème SARL\tFood – retail\n"
    run("accounts", str(write(tmp_path, text, "export.tsv", encoding="cp1252")))

    account = Account.objects.get()
    assert (account.name, account.industry) == ("Café Crème SARL", "Food – retail")


def test_an_xlsx_sheet_with_real_dates_imports_subscriptions(tmp_path, acme):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["This sheet is not the data"])
    sheet = workbook.create_sheet("Subscriptions")
    sheet.append(["Account Name", "Product Name", "Seats", "ARR", "Start Date", "Renewal Date",
                  "Status"])
    sheet.append(["Acme Manufacturing", "Energy Monitor", 400, 120000.5,
                  dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 31), "Active"])
    sheet.append(["acme manufacturing", "Analytics add-on", 20.0, "12,000", "2026-03-01",
                  "01/03/2027", "trial"])
    path = tmp_path / "subs.xlsx"
    workbook.save(path)

    output = run("subscriptions", str(path), "--sheet", "Subscriptions", "--date-order", "dmy")

    assert "2 subscriptions read: 2 created" in output and "2 new products" in output
    monitor = Subscription.objects.get(product__name="Energy Monitor")
    assert (monitor.quantity, monitor.arr) == (400, Decimal("120000.50"))
    assert (monitor.start_date, monitor.end_date) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    addon = Subscription.objects.get(product__name="Analytics add-on")
    assert addon.end_date == dt.date(2027, 3, 1) and addon.status == "trial"
    assert addon.account == acme


def test_reimporting_subscriptions_matches_account_product_and_start(tmp_path, acme):
    Product.objects.create(name="Energy Monitor")
    text = "Account,Product,ARR,Start Date,End Date\nAcme Manufacturing,energy monitor,100,2026-01-01,2026-12-31\n"
    run("subscriptions", str(write(tmp_path, text)))
    output = run("subscriptions", str(write(tmp_path, text.replace(",100,", ",150,"), "b.csv")))

    assert "0 created, 1 updated" in output
    assert Subscription.objects.get().arr == Decimal("150.00")
    assert Product.objects.count() == 1


def test_contacts_report_to_managers_in_the_same_file_or_already_in_cairn(tmp_path, acme):
    Contact.objects.create(account=acme, first_name="Ceo", last_name="Boss", email="ceo@acme.example")
    text = (
        "Company,First Name,Last Name,Job Title,Email,Reports To\n"
        "Acme Manufacturing,Ann,Vp,VP Ops,ann@acme.example,ceo@acme.example\n"
        "Acme Manufacturing,Bob,Lead,Lead,bob@acme.example,ANN@acme.example\n"
    )
    run("contacts", str(write(tmp_path, text)))

    ann = Contact.objects.get(email="ann@acme.example")
    bob = Contact.objects.get(email="bob@acme.example")
    assert ann.reports_to.email == "ceo@acme.example" and bob.reports_to == ann
    assert ann.title == "VP Ops"

    output = run("contacts", str(write(tmp_path, text.replace("VP Ops", "COO"), "b.csv")))
    assert "0 created, 1 updated, 1 unchanged" in output
    assert Contact.objects.count() == 3


def test_one_bad_row_saves_nothing_and_the_command_fails(tmp_path):
    text = "Account Name,Number of Employees\nGood One,10\nBad One,many\nGood Two,20\n"
    errors = failing("accounts", str(write(tmp_path, text)))

    assert "line 3, column \"Number of Employees\": 'many' is not a number." in errors
    assert Account.objects.count() == 0


def test_every_kind_of_bad_account_row_is_reported_with_line_and_column(tmp_path, acme):
    text = (
        "Account Name,Account ID,Number of Employees,Website,Segment,Account Owner,Parent Account\n"
        ",X1,,,,,\n"                                       # 2: name missing
        "Two,X2,-5,,,,\n"                                  # 3: negative
        "Three,X3,,not a url,,,\n"                         # 4: url
        "Four,X4,,,Platinum,,\n"                           # 5: choice
        "Five,X5,,,,nobody@nowhere.test,\n"                # 6: owner
        "Six,X6,,,,,Nowhere Inc\n"                         # 7: parent unknown
        "Seven,X7,,,,,Seven\n"                             # 8: own parent
        "two,X8,,,,,\n"                                    # 9: duplicate name
        "Nine,X2,,,,,\n"                                   # 10: duplicate external id
        "Ten,X10,1.5,,,,\n"                                # 11: not whole
    )
    errors = failing("accounts", str(write(tmp_path, text)))

    expected = [
        'line 2, column "Account Name": is required but empty.',
        'line 3, column "Number of Employees": \'-5\' is below 0.',
        'line 4, column "Website": \'not a url\' is not a valid web address.',
        'line 5, column "Segment": \'Platinum\' is not one of:',
        'line 6, column "Account Owner": no active Cairn user',
        'line 7, column "Parent Account": no account named \'Nowhere Inc\'',
        'line 8, column "Parent Account": an account cannot be its own parent.',
        'line 9, column "Account Name": the account \'two\' is also on line 3.',
        'line 10, column "Account ID": the external id \'X2\' is also on line 3.',
        'line 11, column "Number of Employees": \'1.5\' is not a whole number.',
    ]
    for message in expected:
        assert message in errors
    assert list(Account.objects.all()) == [acme]


def test_bad_contact_and_subscription_rows_name_line_and_column(tmp_path, acme):
    contacts = (
        "Account,First Name,Email,Reports To\n"
        "Nobody Ltd,Ann,ann@x.example,\n"
        "Acme Manufacturing,,bob@acme.example,\n"
        "Acme Manufacturing,Cy,not-an-email,\n"
        "Acme Manufacturing,Di,di@acme.example,boss@acme.example\n"
        "Acme Manufacturing,Ed,ed@acme.example,ed@acme.example\n"
    )
    errors = failing("contacts", str(write(tmp_path, contacts)))
    assert 'line 2, column "Account": no account in Cairn is named \'Nobody Ltd\'' in errors
    assert 'line 3, column "First Name": is required but empty.' in errors
    assert 'line 4, column "Email": \'not-an-email\' is not a valid e-mail address.' in errors
    assert 'line 5, column "Reports To": no contact of \'Acme Manufacturing\'' in errors
    assert 'line 6, column "Reports To": a contact cannot report to themselves.' in errors

    subs = (
        "Account,Product,Quantity,ARR,Start Date,End Date,Status\n"
        "Acme Manufacturing,Monitor,1,10,2026-02-30,2026-12-31,active\n"
        "Acme Manufacturing,Monitor,1,10,03/04/2026,2027-01-01,active\n"
        "Acme Manufacturing,Monitor,1,-10,2026-01-01,2025-01-01,paused\n"
        "Acme Manufacturing,Monitor,1,10.555,2026-06-01,2026-07-01,active\n"
        "Acme Manufacturing,Monitor,1,10,2026-06-01,9999-12-31,active\n"
    )
    errors = failing("subscriptions", str(write(tmp_path, subs, "subs.csv")))
    assert 'line 2, column "Start Date": \'2026-02-30\' is not a real date.' in errors
    assert 'line 3, column "Start Date": \'03/04/2026\' is ambiguous' in errors
    assert 'line 4, column "ARR": \'-10\' is negative.' in errors
    assert 'line 4, column "Status": \'paused\' is not one of:' in errors
    assert 'line 4, column "End Date": ends on 2025-01-01, before it starts' in errors
    assert 'line 5, column "ARR": \'10.555\' has more than 2 decimal places.' in errors
    assert 'line 6, column "End Date": 9999-12-31: Enter a date between 1970-01-01 and' in errors
    assert Contact.objects.count() == 0 and Subscription.objects.count() == 0


def test_a_value_spilling_past_the_header_is_reported(tmp_path):
    errors = failing("accounts", str(write(tmp_path, "Account Name,Industry\nAcme, Inc,Steel\n")))
    assert "line 2: this row has a value in column 3, beyond the 2 columns" in errors


def test_a_quoted_value_over_two_lines_keeps_the_line_numbers_right(tmp_path):
    text = 'Account Name,Industry,Number of Employees\n"Multi\nLine",Steel,1\nBad,Steel,x\n'
    errors = failing("accounts", str(write(tmp_path, text)))
    assert 'line 4, column "Number of Employees"' in errors


def test_map_overrides_the_proposal_and_dry_run_saves_nothing(tmp_path):
    text = "Legal Name,Name,Sector\nGlobex GmbH,Globex,Energy\n"
    output = run("accounts", str(write(tmp_path, text)), "--map", "name=Legal Name",
                 "--map", "Industry=Sector", "--dry-run")

    assert 'name [required] <- "Legal Name"' in output and 'industry <- "Sector"' in output
    assert "1 created" in output and "dry run, nothing saved" in output
    assert Account.objects.count() == 0


def test_an_unknown_field_or_column_in_map_is_refused(tmp_path):
    path = str(write(tmp_path, "Account Name\nAcme\n"))
    with pytest.raises(CommandError, match="have no field 'colour'"):
        run("accounts", path, "--map", "colour=Account Name")
    with pytest.raises(CommandError, match="no column 'Company'"):
        run("accounts", path, "--map", "name=Company")


def test_a_file_without_the_required_column_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Account name is required"):
        run("accounts", str(write(tmp_path, "Industry\nSteel\n")))


def test_a_read_only_user_cannot_import_from_the_cli(tmp_path, rita):
    with pytest.raises(CommandError, match="read-only"):
        run("accounts", str(write(tmp_path, "Account Name\nAcme\n")), "--user", "rita")


def test_a_csm_importing_from_the_cli_cannot_update_another_csms_account(tmp_path, acme, dave):
    errors = failing("accounts", str(write(tmp_path, "Account Name,Industry\nAcme Manufacturing,X\n")),
                     "--user", "dave")
    assert "you may not change the account 'Acme Manufacturing'" in errors


def test_the_cairn_command_exits_non_zero_on_a_bad_row(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "Account Name,Website\nAcme,not a url\n")
    # The entry point closes connections when the command ends, which would end the test's
    # transaction on PostgreSQL; the test keeps its connection.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        main(["cairn", "import", "accounts", str(path)])

    assert exit_info.value.code == 1
    assert 'line 2, column "Website"' in capsys.readouterr().err
    assert Account.objects.count() == 0


def test_an_import_runs_the_same_number_of_queries_for_2_or_20_rows(tmp_path, carol):
    def queries_for(rows: int, prefix: str) -> int:
        lines = "".join(f"{prefix} {n},{prefix}-{n},carol\n" for n in range(rows))
        path = write(tmp_path, "Account Name,Account ID,Account Owner\n" + lines, f"{prefix}.csv")
        with CaptureQueriesContext(connection) as captured:
            run("accounts", str(path))
        return len(captured)

    assert queries_for(2, "Small") == queries_for(20, "Large")
