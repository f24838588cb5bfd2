import logging
import signal
import sys
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from circles.services import meeting_reminders_enqueue_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Queue the meeting reminders that are due but unsent and not waiting in the queue: the safety net for "
        "an enqueue that failed or a worker that died mid-batch. With --every, keep doing it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Run again every SECONDS seconds until stopped (default: run once).",
        )

    def handle(self, *args, every: int = 0, **options):
        if every:
            # As a container's main process it must stop on SIGTERM, which PID 1 otherwise ignores.
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            if every:
                # A long-running process: drop a connection the database closed while we slept.
                close_old_connections()
            try:
                queued = meeting_reminders_enqueue_due(now=timezone.now())
            except Exception:
                if not every:
                    raise
                # The database may be restarting: try again next round rather than stop the loop.
                logger.exception("Queueing due meeting reminders failed")
            else:
                if options["verbosity"] >= 1 and (queued or not every):
                    self.stdout.write(f"Queued reminders for {queued} meeting(s).")
            if not every:
                return
            time.sleep(every)
