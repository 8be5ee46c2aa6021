from django.core.management.base import BaseCommand, CommandError

from certification.exceptions import RuleSetImmutable
from certification.rules import RuleSetInvalid
from certification.services import rulesets_sync


class Command(BaseCommand):
    help = "Load the rule set files in certification/rulesets/ into the database."

    def handle(self, *args, **options):
        try:
            report = rulesets_sync()
        except (RuleSetInvalid, RuleSetImmutable) as exc:
            raise CommandError(str(exc)) from exc
        for code, version, action in report:
            self.stdout.write(f"{code} v{version}: {action}")
