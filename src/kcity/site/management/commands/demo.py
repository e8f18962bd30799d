import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kcity.site import demo


def _exit(signum, frame):
    raise SystemExit(128 + signum)


class Command(BaseCommand):
    help = _("Migrate, load the demo data, print the demo log-ins and serve the portal.")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help=_("Load the demo data and stop.")
        )

    def handle(self, *args, addrport, no_serve, **options):
        if settings.PRODUCTION:
            raise CommandError(_("The demo data and its shared password are for demo mode only."))
        self.stdout.write(_("Preparing the database…"))
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(_("Loading the demo data…"))
        try:
            summary = demo.load_demo()
        except demo.OldDemoData as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Loaded %(cycles)s cycles and %(history)s past projects.") % summary
        )
        self.stdout.write(
            _("Made-up data lives only in the demo cycles %(years)s, marked as a demo on "
              "every page.") % {"years": ", ".join(str(y) for y in summary["demo_cycles"])}
        )
        self.stdout.write("")
        self.stdout.write(
            _("Demo log-ins (password: %(password)s):") % {"password": demo.DEMO_PASSWORD}
        )
        for username, (_org, role, staff, *_rest) in demo.DEMO_USERS.items():
            extra = " — " + _("opens the administration at /admin/") if staff else ""
            self.stdout.write(f"  {username:<18} {role.label}{extra}")
        self.stdout.write(_("Log in at http://%(addr)s/accounts/login/") % {"addr": addrport})
        self.stdout.write("")
        if no_serve:
            return
        # The e-mails and receipt PDFs are jobs: a `kcity worker` child runs them meanwhile.
        worker = subprocess.Popen([sys.executable, "-m", "kcity.cli", "worker"])
        self.stdout.write(_("Background worker started (process %(pid)s).") % {"pid": worker.pid})
        # A plain `kill` (SIGTERM) ends the demo through the `finally` too, worker included.
        previous = signal.signal(signal.SIGTERM, _exit)
        try:
            call_command("serve", addrport)
        finally:
            signal.signal(signal.SIGTERM, previous)
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
