"""`cairn demo`: a migrated database with a CS team, customers and engagements, served."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError

from cairn.operations import demo_data, server
from cairn.operations.demo_content import DEMO_PASSWORD, DEMO_USERNAME, TEAM
from cairn.people.models import Role


class Command(BaseCommand):
    help = "Migrate, load the demo data (once) and serve Cairn on 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        server.add_server_arguments(parser)
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the demo and exit without serving."
        )
        parser.add_argument(
            "--reset", action="store_true",
            help="Remove the demo data (and only it) and load it afresh.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        server.describe(self.stdout)
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        if options["reset"]:
            self._wipe()
        try:
            loaded = demo_data.load()
        except demo_data.DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        if loaded:
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data already loaded; left as it is (--reset starts over).")
        host, port = options["host"], options["port"]
        self.stdout.write("")
        if options["no_serve"]:
            # Nothing listens after this command: say how to start the server, not "Open".
            self.stdout.write(f"  Serve it   {_serve_command(host, port)}")
            self.stdout.write(f"  then open  {server.url_for(host, port)}")
        else:
            self.stdout.write(f"  Open       {server.url_for(host, port)}")
        self.stdout.write(f"  Log in as  {DEMO_USERNAME} / {DEMO_PASSWORD}  (CS leader)")
        others = ", ".join(
            f"{name} ({Role(role).label})" for name, role, *_ in TEAM if name != DEMO_USERNAME
        )
        self.stdout.write(f"  Also       {others}, same password")
        self.stdout.write("")
        if options["no_serve"]:
            return
        for note in server.warnings_for(host):
            self.stderr.write(self.style.WARNING(f"Warning: {note}"))
        self.stdout.write("Serving; press Ctrl+C to stop.")
        # Redirected to a file or a journal, stdout is buffered: show the URL before serving.
        self.stdout.flush()
        with server.background_worker(options["worker"]):
            server.serve(host, port, options["threads"])

    def _wipe(self) -> None:
        try:
            demo_data.wipe()
        except ProtectedError as exc:
            raise CommandError(
                "The demo users own data created after the demo (engagements or tasks); "
                f"reassign it before --reset. {exc.args[0]}"
            ) from exc
        self.stdout.write("Demo data removed.")


def _serve_command(host: str, port: int) -> str:
    command = "cairn serve"
    if host != "127.0.0.1":
        command += f" --host {host}"
    if port != 8000:
        command += f" --port {port}"
    return command
