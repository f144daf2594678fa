"""python manage.py load_demo: the demo portfolio of demo/loader.py, from fixtures/demo."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.choices import Role
from actions.models import Action, Evidence
from demo.loader import fixture, load_demo
from governance.models import Meeting
from reviews.models import Review


class Command(BaseCommand):
    help = "Loads (or refreshes) the demo portfolio. Safe to run again: nothing is duplicated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quiet", action="store_true", help="Do not print the demo sign-in details."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo()
        counts = {
            "reviews": Review.objects.count(),
            "actions": Action.objects.count(),
            "evidence": Evidence.objects.count(),
            "meetings": Meeting.objects.count(),
        }
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready: "
                + ", ".join(f"{count} {name}" for name, count in counts.items())
                + "."
            )
        )
        if not options["quiet"]:
            self.print_sign_in()

    def print_sign_in(self) -> None:
        people = fixture("people.yaml")
        self.stdout.write("")
        self.stdout.write(
            "Demo sign-in (local use only), password for everyone: " + people["password"]
        )
        for person in people["people"]:
            label = Role(person["role"]).label if "role" in person else "Administrator"
            where = f", {person['organisation']}" if "organisation" in person else ""
            name = f"{person['first_name']} {person['last_name']}"
            self.stdout.write(f"  {person['username']:<22} {name}: {label}{where}")
        self.stdout.write("")
