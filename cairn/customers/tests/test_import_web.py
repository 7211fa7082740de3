"""The import flow in the browser: upload, mapping, report, permissions, limits."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cairn.customers.importing import storage
from cairn.customers.models import Account, Contact

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Each test keeps its uploads in its own data directory."""
    settings.DATA_DIR = tmp_path

HUBSPOT_CSV = (
    "Record ID,Company name,Company Domain Name,Industry,Country/Region,Number of Employees,"
    "Company owner,Annual Revenue\n"
    "101,Initech,initech.example,Software,USA,250,alice@cairn.test,1000000\n"
    "102,Umbrella Corp,umbrella.example,Pharma,UK,9000,,\n"
)


def upload(client: Client, content: bytes, name: str = "export.csv", kind: str = "accounts"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("import"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )


def mapping_page(client: Client, content: bytes, name: str = "export.csv",
                 kind: str = "accounts"):  # type: ignore[no-untyped-def]
    response = upload(client, content, name, kind)
    assert response.status_code == 302, response.content
    return response["Location"], client.get(response["Location"])


def confirm(client: Client, url: str, page, **changes: str):  # type: ignore[no-untyped-def]
    """Post the mapping as proposed on the page, with the given fields changed."""
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(changes)
    return client.post(url, data, follow=True)


def test_the_mapping_page_proposes_cairn_fields_for_hubspot_headers(as_carol):
    _, page = mapping_page(as_carol, HUBSPOT_CSV.encode())

    initial = page.context["form"].initial
    assert initial["map_name"] == "Company name"
    assert initial["map_external_id"] == "Record ID"
    assert initial["map_website"] == "Company Domain Name"
    assert initial["map_region"] == "Country/Region"
    assert initial["map_employees"] == "Number of Employees"
    assert initial["map_owner"] == "Company owner"
    assert "map_segment" not in initial
    content = page.content.decode()
    assert "Initech" in content and "umbrella.example" in content  # the preview
    assert "required" in content


def test_a_good_csv_is_imported_after_confirming_the_mapping(as_carol, alice, carol):
    url, page = mapping_page(as_carol, HUBSPOT_CSV.encode())

    response = confirm(as_carol, url, page)

    assert response.redirect_chain[-1][0] == reverse("import")
    assert "2 accounts read: 2 created, 0 updated" in response.content.decode()
    initech = Account.objects.get(external_id="101")
    assert initech.owner == alice and initech.website == "https://initech.example"
    assert initech.history.first().history_user == carol
    assert not list(storage.root().glob(f"{carol.pk}/*"))  # the upload is cleaned up


def test_a_good_xlsx_is_imported_with_its_dates(as_carol, acme):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Account Name", "Product", "Licenses", "Amount", "Contract Start Date",
                  "Contract End Date"])
    sheet.append(["Acme Manufacturing", "Energy Monitor", 400, 98000,
                  dt.datetime(2026, 2, 1), dt.datetime(2027, 1, 31)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    url, page = mapping_page(as_carol, buffer.getvalue(), "subs.xlsx", "subscriptions")
    assert "Excel workbook" in page.content.decode()

    response = confirm(as_carol, url, page)

    assert "1 subscriptions read: 1 created" in response.content.decode()
    sub = acme.subscriptions.get()
    assert (sub.quantity, sub.start_date, sub.end_date) == (
        400, dt.date(2026, 2, 1), dt.date(2027, 1, 31)
    )


def test_a_workbook_sheet_can_be_chosen_on_the_mapping_page(as_carol):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Unrelated"])
    workbook.create_sheet("Companies").append(["Account Name"])
    workbook["Companies"].append(["Sheet Two Co"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    url, _ = mapping_page(as_carol, buffer.getvalue(), "two.xlsx")

    page = as_carol.get(url, {"sheet": "Companies"})
    assert page.context["form"].initial["map_name"] == "Account Name"
    response = confirm(as_carol, url, page, sheet="Companies")

    assert Account.objects.filter(name="Sheet Two Co").exists(), response.content


def test_bad_rows_are_reported_by_line_and_column_and_nothing_is_saved(as_carol):
    text = "Company name,Number of Employees,Website\nGood,10,good.example\nBad,ten,bad example\n"
    url, page = mapping_page(as_carol, text.encode())

    response = confirm(as_carol, url, page)

    content = response.content.decode()
    assert "Nothing was imported: 1 bad row, 2 problems" in content
    errors = [(e.line, e.column) for e in response.context["result"].errors]
    assert errors == [(3, "Number of Employees"), (3, "Website")]
    assert Account.objects.count() == 0
    assert storage.load(url.rstrip("/").rsplit("/", 1)[1], response.wsgi_request.user)


def test_the_bad_row_report_downloads_as_csv(as_carol):
    url, page = mapping_page(as_carol, b"Company name,Website\n=cmd,not a site\n")

    response = confirm(as_carol, url, page, report="csv")

    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "Line,Column,Reason"
    assert lines[1].startswith("2,Website,")


def test_a_required_field_left_unmapped_is_named_on_the_form(as_carol):
    url, page = mapping_page(as_carol, HUBSPOT_CSV.encode())

    response = confirm(as_carol, url, page, map_name="")

    assert response.context["form"].errors["map_name"] == [
        "Account name is required: choose the file column that holds it."
    ]
    assert Account.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(as_carol, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = upload(as_carol, HUBSPOT_CSV.encode())

    assert response.status_code == 200
    assert "the limit is 100" in response.context["form"].errors["file"][0]
    assert not list(storage.root().glob("*/*"))


def test_a_file_that_is_not_a_table_is_refused_at_upload(as_carol):
    response = upload(as_carol, b"PK\x03\x04 not really a workbook", "export.xlsx")
    assert "cannot be read as an Excel workbook" in response.context["form"].errors["file"][0]

    response = upload(as_carol, b"a,b\n", "notes.pdf")
    assert "Cairn imports" in response.context["form"].errors["file"][0]


def test_a_read_only_user_cannot_open_or_use_the_import(as_rita):
    assert as_rita.get(reverse("import")).status_code == 403
    assert upload(as_rita, HUBSPOT_CSV.encode()).status_code == 403
    assert Account.objects.count() == 0


def test_another_user_cannot_reach_someone_elses_upload(as_carol, as_dave):
    url, _ = mapping_page(as_carol, HUBSPOT_CSV.encode())

    assert as_dave.get(url).status_code == 404
    assert as_dave.post(url + "discard/").status_code == 404
    assert as_carol.get(url).status_code == 200


def test_a_csm_updating_another_csms_account_gets_a_bad_row(as_dave, acme):
    text = "Account Name,Industry\nNew Dave Co,Retail\nAcme Manufacturing,Changed\n"
    url, page = mapping_page(as_dave, text.encode())

    response = confirm(as_dave, url, page)

    [error] = response.context["result"].errors
    assert (error.line, error.column) == (3, "Account Name")
    assert "you may not change the account 'Acme Manufacturing'" in error.message
    assert not Account.objects.filter(name="New Dave Co").exists()
    acme.refresh_from_db()
    assert acme.industry == "Manufacturing"


def test_the_owning_csm_may_update_their_account_by_import(as_carol, acme):
    url, page = mapping_page(as_carol, b"Account Name,Industry\nAcme Manufacturing,Steel\n")

    response = confirm(as_carol, url, page)

    assert "1 updated" in response.content.decode()
    acme.refresh_from_db()
    assert acme.industry == "Steel"


@pytest.mark.parametrize("client_name", ["as_alice", "as_adam"])
def test_leaders_and_admins_may_import_contacts_into_any_account(request, client_name, acme):
    client = request.getfixturevalue(client_name)
    text = "Company,First Name,Last Name,Email\nAcme Manufacturing,Ann,Lee,ann@acme.example\n"
    url, page = mapping_page(client, text.encode(), kind="contacts")

    confirm(client, url, page)

    assert Contact.objects.get().account == acme


def test_discarding_an_upload_removes_the_file(as_carol, carol):
    url, _ = mapping_page(as_carol, HUBSPOT_CSV.encode())

    response = as_carol.post(url + "discard/", follow=True)

    assert "nothing was imported" in response.content.decode()
    assert not list(storage.root().glob(f"{carol.pk}/*"))
    assert as_carol.get(url).status_code == 404


def test_the_upload_page_lists_the_fields_each_kind_reads(as_carol):
    response = as_carol.get(reverse("import"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Accounts" in content and "Subscriptions" in content and "End / renewal date" in content
