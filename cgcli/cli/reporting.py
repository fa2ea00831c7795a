"""The one error path of the command line: every error becomes one line on stderr
and a documented exit code, and library warnings become cg's own warning lines.

What only an error or a warning needs (untrusted text made visible, cg's version for a
crash report) is imported when one happens: a run without one never loads it."""

from __future__ import annotations

import os
import sys

from ..core.errors import EXIT_INTERNAL, EXIT_USAGE, CgError, UsageError
from .program import echo

EXIT_INTERRUPTED = 130
"""128 + the signal's number, as a shell reports a command a signal stopped: 130 for
SIGINT (Ctrl-C), 143 for SIGTERM, 129 for SIGHUP."""


STOPPING = ("SIGINT", "SIGTERM", "SIGHUP")
"""The signals that stop cg cleanly: what is half-written is removed, one line is said."""


class _signals_stop_cleanly:
    """SIGINT, SIGTERM and SIGHUP stop the run cleanly, whatever the main thread is doing.

    The signal's handler does nothing itself; Python writes the signal's number to a
    pipe (``signal.set_wakeup_fd``), whichever thread the system gave the signal to, and
    a watcher thread reading that pipe calls :func:`cgcli.core.cleanup.stop`. The main
    thread may be waiting on a pipe that never speaks: it is not needed. The handlers
    before are back at the end (cg may run inside another program, such as a test).
    The watcher is a thread of :mod:`_thread`, the API under :mod:`threading`, which a
    plain run does not otherwise import; the handlers are set through :mod:`_signal`, the
    API under :mod:`signal` (whose enums cost a third of a millisecond of every run).
    """

    def __enter__(self) -> None:
        import _signal as signal
        import _thread

        from ..core import cleanup

        self._restore = None
        if not _on_main_thread():
            return
        stops = [getattr(signal, name) for name in STOPPING if hasattr(signal, name)]
        before = {sig: signal.getsignal(sig) for sig in stops}
        handled = [sig for sig in stops if before[sig] != signal.SIG_IGN]  # nohup, a background job
        reader, writer = os.pipe()
        os.set_blocking(writer, False)
        for sig in handled:
            signal.signal(sig, _noted)
        previous_fd = signal.set_wakeup_fd(writer, warn_on_full_buffer=False)
        watching = _thread.allocate_lock()
        watching.acquire()  # released by the watcher when it returns
        _thread.start_new_thread(_watch, (reader, set(handled), watching))
        cleanup.watching = True
        cleanup.quiet_pyarrow()
        self._restore = before, previous_fd, writer, watching

    def __exit__(self, *exc) -> None:
        if self._restore is None:
            return
        import _signal as signal

        from ..core import cleanup

        before, previous_fd, writer, watching = self._restore
        cleanup.watching = False
        cleanup.quiet_pyarrow()
        signal.set_wakeup_fd(previous_fd)
        for sig, handler in before.items():
            signal.signal(sig, handler)
        os.close(writer)  # the watcher reads the end of the pipe and returns
        watching.acquire()  # it has returned
        files = sys.modules.get("cgcli.core.files")
        if files is not None:  # what this run found at its outputs is no guide to the next
            files.forget_outputs()


def _noted(signum: int, frame) -> None:
    """The handler: the signal is noted on the wake-up pipe, and the watcher acts on it."""


def _on_main_thread() -> bool:
    """Whether cg runs on the main thread (only it may set signal handlers). A program
    that runs cg on a thread of its own started it through :mod:`threading`."""
    threading = sys.modules.get("threading")
    return threading is None or threading.current_thread() is threading.main_thread()


def _watch(reader: int, stopping: set[int], watching) -> None:
    """Wait for a signal's number on the pipe; then stop cg cleanly (another signal with
    a Python handler, which the pipe reports too, is left to that handler). ``watching``
    is released when the watcher returns."""
    from ..core import cleanup

    try:
        while True:
            data = os.read(reader, 1)
            if not data:
                return  # the run ended
            if data[0] in stopping:
                cleanup.stop(*_interrupted(data[0]))
    finally:
        os.close(reader)
        watching.release()


def _interrupted(signum: int) -> tuple[str, int]:
    """The one line and the exit code of a run stopped by a signal."""
    import signal

    try:
        if signum == signal.SIGINT and sys.stderr.isatty():
            sys.stderr.write("\n")  # after the terminal's ^C
            sys.stderr.flush()
    except (OSError, ValueError):
        pass
    if signum == signal.SIGINT:
        return "cg: interrupted", EXIT_INTERRUPTED
    return f"cg: interrupted by {signal.Signals(signum).name}", 128 + signum


def run_reporting_errors(run):
    """Run the command line; every error becomes one message on stderr and an exit code.

    cg's own errors and click's usage errors are the user's: one line in cg's
    style, exit 2 (3 for math). Anything else is a bug in cg: exit 4 with a
    pointer to the traceback (written to a file, or shown with CG_DEBUG=1).
    """
    _standard_streams()
    try:
        with _signals_stop_cleanly(), _warnings_as_messages():
            status = run()
    except CgError as exc:
        _fail(exc.render(), exc.exit_code)
    except KeyboardInterrupt:  # SIGINT where cg's own handler is not set
        import signal

        _fail(*_interrupted(signal.SIGINT))
    except BrokenPipeError:  # the reader stopped early (| head): not an error of cg's
        _silence_stdout()
        sys.exit(0)
    except SystemExit as exc:
        if type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):  # click saw a broken pipe
            sys.exit(0)
        raise exc from None
    except OSError as exc:  # the machine's, not cg's: a full disk, an I/O error
        from ..core.untrusted import visible

        where = f" ({visible(str(exc.filename))})" if exc.filename else ""
        _fail(f"cg: error: cannot go on: {_io_problem(exc)}{where}", EXIT_USAGE)
    except Exception as exc:
        _report_click_error(exc)
        _fail(_internal_error(exc), EXIT_INTERNAL)
    sys.exit(status if isinstance(status, int) else 0)


def _report_click_error(exc: Exception) -> None:
    """click's own outcomes: a usage error is the user's (exit 2), --help and --version
    exit 0, Ctrl-C at a click prompt is an interruption; anything else returns. Only click
    raises these, so a run that never imported click has none."""
    click = sys.modules.get("click")
    if click is None:
        return
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):  # plain `cg`: the help
        echo(exc.ctx.get_help() + "\n")
        sys.exit(0)
    if isinstance(exc, click.exceptions.Exit):
        sys.exit(exc.exit_code)
    if isinstance(exc, click.ClickException):
        _fail(_click_message(exc), EXIT_USAGE)
    if isinstance(exc, click.Abort):
        import signal

        _fail(*_interrupted(signal.SIGINT))


def _io_problem(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return "no space left on the device (writing the output)"
    return (exc.strerror or str(exc)).lower()


def _standard_streams() -> None:
    """A closed stdout is an error said at once; a closed stderr is ignored."""
    import os

    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the rest of the process
    if sys.stdout is None:
        echo("cg: error: standard output is closed: cg has nowhere to write\n", err=True)
        sys.exit(EXIT_USAGE)


def _fail(message: str, code: int) -> None:
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        _silence_stdout()
    try:
        echo(message + "\n", err=True)
    except (OSError, ValueError):  # stderr is full or closed: the exit code still says it
        _silence_stderr()
    sys.exit(code)


def _click_message(exc) -> str:
    """click's error as one cg line: the problem, and where to read the usage."""
    import click

    from ..core.untrusted import visible

    message = visible(" ".join(exc.format_message().split())).removesuffix(".")
    message = message[:1].lower() + message[1:]  # cg's style: lower case, no full stop
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        return f"cg: usage error: {message} (see '{ctx.command_path} --help')"
    return f"cg: usage error: {message}"


def _internal_error(exc: Exception) -> str:
    """The one line for a bug in cg; the traceback goes to stderr or to a file."""
    import os
    import tempfile
    import traceback

    from ..core.untrusted import visible
    from ..core.version import __version__

    trace = "".join(traceback.format_exception(exc))
    summary = visible(f"cg: internal error: {type(exc).__name__}: {exc}".splitlines()[0][:300])
    if os.environ.get("CG_DEBUG"):
        return f"{trace.rstrip()}\n{summary} (a bug in cg: please report it)"
    try:
        handle, path = tempfile.mkstemp(prefix="cg-crash-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(f"cg {__version__}\n{' '.join(sys.argv)}\n\n{trace}")
        where = f"the traceback is in {path}"
    except OSError:
        where = "run again with CG_DEBUG=1 to see the traceback"
    return f"{summary} (a bug in cg: please report it; {where})"


class _warnings_as_messages:
    """Library warnings (numpy's RuntimeWarning, ...) become one cg warning line each;
    numpy's floating-point warnings are silenced, since cg reports those conditions."""

    def __enter__(self) -> None:
        import warnings

        self._catcher = warnings.catch_warnings()
        self._catcher.__enter__()
        warnings.simplefilter("default")
        warnings.showwarning = _show_warning

    def __exit__(self, *exc) -> None:
        self._catcher.__exit__(*exc)


NUMPY_FLOATING_POINT = tuple(
    f"{condition} encountered"
    for condition in ("overflow", "underflow", "invalid value", "divide by zero")
)
"""How numpy's floating-point warnings begin (in any case). They are left out where they
are shown rather than by a filter, whose regular expression would be compiled on every
run for a warning that most runs never meet."""


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    from ..core.untrusted import visible

    if issubclass(category, RuntimeWarning) and str(message).lower().startswith(
        NUMPY_FLOATING_POINT
    ):
        return
    text = visible(" ".join(str(message).split()))
    echo(f"cg: warning: {text}\n", err=True)


def _silence_stderr() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stderr.fileno())


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush does not fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def check_arguments_are_text(args: list[str]) -> None:
    """An argument with bytes that are not UTF-8 (Python keeps them as surrogates)."""
    for arg in args:
        bad = next((i for i, ch in enumerate(arg) if "\udc80" <= ch <= "\udcff"), None)
        if bad is not None:
            byte = ord(arg[bad]) - 0xDC00
            shown = arg.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
            raise UsageError(
                f"the argument '{shown}' is not valid UTF-8 text "
                f"(byte 0x{byte:02X} at character {bad + 1})"
            )
