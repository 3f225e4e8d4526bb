"""Say where the site and the admin are, and how to get into the admin.

`make run` calls this before it starts the server. Where no account may use
the admin yet, a terminal is offered to create the first one (Django's
createsuperuser asks the questions); anywhere else (a script, CI) the command
to run is printed instead, since nothing could answer.
"""

import sys

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

CREATE = ".venv/bin/python manage.py createsuperuser"


class Command(BaseCommand):
    help = (
        "Print the site's and the admin's addresses and how to sign in; offer to "
        "create the first admin account when run in a terminal."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help="host:port the server will listen on (default: 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="never ask; print how to create an account instead",
        )

    def handle(self, *args, address, interactive=True, **options):
        self.stdin = options.get("stdin") or sys.stdin
        base = f"http://{address}"
        self.stdout.write(
            f"\nThe archive:  {base}{reverse('articles:home')}\n"
            f"The admin:    {base}{reverse('admin:index')}\n"
        )
        if self.admin_exists():
            self.stdout.write(
                "Sign in to the admin with your account. Curators and editors get "
                "theirs from an administrator (admin → Users, in the Curators or "
                f"Editors group); another administrator: {CREATE}\n"
            )
            return
        self.stdout.write("No account can sign in to the admin yet.")
        if not (interactive and self.stdin.isatty()):
            self.stdout.write(f"Create the first one with:\n\n    {CREATE}\n")
            return
        if not self.ask("Create one now? [Y/n] "):
            self.stdout.write(f"Later, create one with:\n\n    {CREATE}\n")
            return
        try:
            call_command("createsuperuser", interactive=True, stdin=self.stdin)
        except (CommandError, KeyboardInterrupt, EOFError):
            self.stdout.write(f"\nNo account made. Later, run:\n\n    {CREATE}\n")
            return
        self.stdout.write(f"Sign in at {base}{reverse('admin:index')}\n")

    def admin_exists(self) -> bool:
        return (
            get_user_model().objects.filter(is_superuser=True, is_active=True).exists()
        )

    def ask(self, question: str) -> bool:
        self.stdout.write(question, ending="")
        self.stdout.flush()
        try:
            answer = self.stdin.readline()
        except KeyboardInterrupt:
            return False
        if not answer:  # end of input
            self.stdout.write("")
            return False
        return answer.strip().lower() in {"", "y", "yes"}
