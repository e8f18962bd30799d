import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("Serve the portal: Django's server in demo mode, gunicorn with --production.")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--production", action="store_true")
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument("--threads", type=int, default=None,
                            help=_("threads per worker (gthread when more than one)"))

    def handle(self, *args, addrport, production, workers, threads=None, **options):
        if production or settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
            workers = workers or settings.KCITY_WEB_WORKERS
            threads = threads or settings.KCITY_WEB_THREADS
            argv = [
                sys.executable, "-m", "gunicorn", "kcity.wsgi:application",
                "--bind", addrport, "--workers", str(workers), "--access-logfile", "-",
            ]
            if threads > 1:
                # Threads share a process's connections and caches; each thread keeps its
                # own persistent database connection (CONN_MAX_AGE).
                argv += ["--worker-class", "gthread", "--threads", str(threads)]
            self.stdout.write(_("Serving on http://%(addr)s with %(n)s workers") % {
                "addr": addrport, "n": workers})
            sys.stdout.flush()
            os.execv(sys.executable, argv)
        self.stdout.write(_("Serving the portal on http://%(addr)s/ (Ctrl+C stops it)") % {
            "addr": addrport})
        call_command("runserver", addrport, use_reloader=False)
