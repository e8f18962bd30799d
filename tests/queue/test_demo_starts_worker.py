"""`kcity demo` starts a `kcity worker` child beside the portal and stops it on exit."""

import os
import signal
import sys
from unittest import mock

import pytest
from django.core.management import call_command


class FakeProcess:
    pid = 4242

    def __init__(self, argv):
        self.argv, self.calls = argv, []

    def terminate(self):
        self.calls.append("terminate")

    def wait(self, timeout=None):
        self.calls.append("wait")
        return 0

    def kill(self):
        self.calls.append("kill")


@pytest.mark.django_db
@pytest.mark.parametrize("serve_fails", [False, True])
def test_demo_runs_the_worker_while_it_serves(serve_fails):
    started = []

    def popen(argv):
        started.append(FakeProcess(argv))
        return started[-1]

    real_call = call_command

    def fake_call(name, *args, **kwargs):
        if name == "serve":
            assert started and started[0].calls == []  # the worker runs while serving
            if serve_fails:
                raise KeyboardInterrupt
            return None
        return real_call(name, *args, **kwargs)

    module = "kcity.site.management.commands.demo"
    with mock.patch(f"{module}.subprocess.Popen", side_effect=popen), \
            mock.patch(f"{module}.call_command", side_effect=fake_call):
        if serve_fails:
            with pytest.raises(KeyboardInterrupt):
                call_command("demo", "127.0.0.1:8999")
        else:
            call_command("demo", "127.0.0.1:8999")
    [worker] = started
    assert worker.argv == [sys.executable, "-m", "kcity.cli", "worker"]
    assert worker.calls == ["terminate", "wait"]


@pytest.mark.django_db
def test_sigterm_stops_the_worker_too():
    """`kill <demo pid>` must not leave the worker child running."""
    started = []
    real_call = call_command
    before = signal.getsignal(signal.SIGTERM)

    def fake_call(name, *args, **kwargs):
        if name == "serve":
            os.kill(os.getpid(), signal.SIGTERM)
        return real_call(name, *args, **kwargs) if name != "serve" else None

    module = "kcity.site.management.commands.demo"
    with mock.patch(f"{module}.subprocess.Popen",
                    side_effect=lambda argv: started.append(FakeProcess(argv)) or started[-1]), \
            mock.patch(f"{module}.call_command", side_effect=fake_call), pytest.raises(SystemExit):
        call_command("demo", "127.0.0.1:8999")
    [worker] = started
    assert worker.calls == ["terminate", "wait"]
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is put back
