"""What cg leaves behind when a signal stops it: nothing.

A half-written output (the hidden temporary file beside ``-o FILE``, the staging folder
of a Dask run) is registered here while it exists, inside a :func:`critical` section
that also covers its rename into place. When SIGINT, SIGTERM or SIGHUP comes, the
command line's watcher calls :func:`stop`: it waits for a critical section to end,
removes what is registered, stops cg's own worker processes (a SymPy worker, a local
Dask cluster's), writes one line and ends the process at once. No exception is raised
into code that is in the middle of something (a thread pool, pyarrow's C++, a read
from a pipe that waits), which could leave a lock held, abort, or never return.
"""

from __future__ import annotations

import _thread
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

_leftovers: dict[str, None] = {}
"""Files and folders to remove if cg is stopped now, in the order they were made."""
_lock = _thread.RLock()  # threading.RLock, without importing threading
"""Held while a leftover is made and registered, or renamed into place and forgotten."""
watching = False
"""True while the command line watches SIGINT, SIGTERM and SIGHUP (and calls :func:`stop`)."""


def quiet_pyarrow() -> None:
    """While the command line watches the signals, pyarrow sets no handler of its own
    around a long read (it would take a signal meant for cg); call after importing it."""
    lib = sys.modules.get("pyarrow.lib")
    if lib is not None:
        lib.enable_signal_handlers(not watching)


def critical() -> _thread.RLock:
    """A few file operations that a signal must not split (made + registered, renamed +
    forgotten), as ``with critical():``: :func:`stop` waits until they are done."""
    return _lock


def remove_if_stopped(path: str) -> None:
    """Remove ``path`` (a file or a folder) should cg be stopped before :func:`keep`."""
    _leftovers[path] = None


def keep(path: str) -> None:
    """``path`` is no longer cg's to remove (it was renamed into place, or removed)."""
    _leftovers.pop(path, None)


def stop(line: str, code: int) -> NoReturn:
    """Remove the leftovers, stop cg's worker processes, say ``line``, exit with ``code``."""
    _lock.acquire()  # never released: the process ends here
    _stop_children()
    for path in reversed(list(_leftovers)):
        _remove(path)
    try:  # stderr may be closed (OSError): the exit code still says it
        os.write(2, (line + "\n").encode("utf-8", "replace"))
    finally:
        os._exit(code)


def _stop_children() -> None:
    """Kill the processes cg started through multiprocessing (a SymPy worker, the local
    Dask cluster's workers): they would otherwise run on, or write into a removed folder."""
    import signal

    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is None:
        return
    try:
        children = multiprocessing.active_children()
    except Exception:
        return
    for child in children:
        try:
            os.kill(child.pid, signal.SIGKILL)
        except (OSError, TypeError):
            continue  # it has ended already


def _remove(path: str) -> None:
    import shutil

    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            os.unlink(path)
    except OSError:
        return  # what cannot be removed stays: the run is ending
