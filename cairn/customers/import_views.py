"""The import flow in the browser: upload, map the columns, confirm; thin views.

Every step is a write tool, so even showing it needs the right to write.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cairn.customers.forms_import import MappingForm, UploadForm, initial_mapping
from cairn.customers.importing import storage
from cairn.customers.importing.importers import (
    ImportOptions,
    MappingError,
    RowError,
    run_import,
)
from cairn.customers.importing.mapping import KINDS, propose
from cairn.customers.importing.readers import UnreadableFile, preview
from cairn.people import access

PREVIEW_ROWS = 5
REPORT_ROWS_SHOWN = 1000


def _require_importer(request: HttpRequest) -> None:
    """One check for the whole flow: the mapping and discard steps find only the uploader's
    own import, so the upload step is where a refusal shows."""
    access.writer(request.user, "Read-only users cannot import data.")


def _stored(request: HttpRequest, token: str) -> storage.StoredImport:
    stored = storage.load(token, request.user)  # type: ignore[arg-type]
    if stored is None:
        raise Http404("This upload is gone: it was imported, discarded or expired.")
    return stored


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            stored = storage.store(
                form.cleaned_data["file"], user=request.user,  # type: ignore[arg-type]
                kind=form.cleaned_data["kind"],
            )
        except UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("import_mapping", token=stored.token)
    return render(request, "customers/import/upload.html", {"form": form, "kinds": KINDS.values()})


@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, token: str) -> HttpResponse:
    _require_importer(request)
    stored = _stored(request, token)
    kind = KINDS[stored.kind]
    sheet = request.POST.get("sheet") or request.GET.get("sheet") or None
    try:
        shown = preview(stored.path, sheet, PREVIEW_ROWS)
    except UnreadableFile as exc:
        messages.error(request, str(exc))
        return redirect(request.path if sheet else "import")
    form = MappingForm(
        request.POST or None, kind=kind, headers=shown.headers,
        initial=initial_mapping(propose(kind, shown.headers)),
    )
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = run_import(
                stored.path, stored.kind, form.mapping(), user=request.user,  # type: ignore[arg-type]
                options=ImportOptions(date_order=form.cleaned_data["date_order"]),
                sheet=shown.sheet or None,
            )
        except MappingError as exc:
            for name, problem in exc.problems.items():
                form.add_error(f"map_{name}", problem)
        else:
            if "report" in request.POST and not result.ok:
                return _report_csv(result.errors)
            if result.ok:
                storage.discard(stored)
                messages.success(request, f"{stored.original_name}: {result.summary()}")
                return redirect("import")
    context = {
        "stored": stored,
        "kind": kind,
        "preview": shown,
        "form": form,
        "result": result,
        "errors_shown": result.errors[:REPORT_ROWS_SHOWN] if result else [],
    }
    return render(request, "customers/import/mapping.html", context)


@require_POST
def discard(request: HttpRequest, token: str) -> HttpResponse:
    _require_importer(request)
    stored = _stored(request, token)
    storage.discard(stored)
    messages.info(request, f"{stored.original_name} was discarded; nothing was imported.")
    return redirect("import")


def _report_csv(errors: list[RowError]) -> HttpResponse:
    """Every bad row, for files too long to read on screen; opens in any spreadsheet."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="import-report.csv"'
    writer = csv.writer(response)
    writer.writerow(["Line", "Column", "Reason"])
    for error in errors:
        writer.writerow([error.line, _inert(error.column), _inert(error.message)])
    return response


def _inert(text: str) -> str:
    # Spreadsheets run cells that start like a formula; the report quotes the user's data.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
