"""What the calculator's loading commands share: --dry-run and the report."""

from django.core.management.base import BaseCommand


class LoaderCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check everything, write nothing."
        )

    def print_reports(self, reports) -> None:
        for report in reports:
            for number, line in enumerate(report.lines()):
                style = self.style.SUCCESS if number == 0 and not report.refused else str
                if number == 0 and report.refused:
                    style = self.style.WARNING
                self.stdout.write(style(line))
