"""`cairn serve`: run Cairn with the waitress WSGI server."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cairn.operations import server


class Command(BaseCommand):
    help = "Serve Cairn with waitress (static files included). Stop with Ctrl+C."
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        server.add_server_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        host, port, threads = options["host"], options["port"], options["threads"]
        server.describe(self.stdout)
        for note in server.warnings_for(host):
            self.stderr.write(self.style.WARNING(f"Warning: {note}"))
        self.stdout.write(f"Cairn is at {server.url_for(host, port)} (Ctrl+C to stop)")
        # Redirected to a file or a journal, stdout is buffered: show the URL before serving.
        self.stdout.flush()
        with server.background_worker(options["worker"]):
            server.serve(host, port, threads)
