"""Importing accounts, contacts and subscriptions from CRM exports (CSV, XLSX).

The flow: `storage.store` keeps an upload, `readers.preview` shows its columns,
`mapping.propose` suggests which column fills which Cairn field, and
`importers.run_import` checks every row and writes all of them or none.
"""
