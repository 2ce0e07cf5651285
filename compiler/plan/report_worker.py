"""The worker process that writes three of every five blocks of the duckdb engine's JSON report (`report_stream`).

A plain child interpreter (`python -P -m slac.plan.report_worker`, in its own process group), not a
`multiprocessing` one: spawn re-runs the caller's main script in the child when it has no `__main__`
guard, and fork may copy DuckDB's or the CLI's threads mid-lock. It reads pickled frames on stdin,
the policy (as loaded: trusted) and the claim entry first, then one block (`report_stream._Job`) at a
time. On a pipe of its own (the write end's number is its argument; its stdout is /dev/null, for
whatever prints) it writes frames, MAGIC and a length before each pickle: first `("slac", path)`, the
slac it runs (the main process stops a worker that runs another), then each block's JSON text in the
order they came, `("text", bytes)`, or `("error", message)` for a block it cannot write (the main
process then writes that block itself and raises its error). In the worker a thread reads the blocks
and another writes the texts, so neither pipe ever waits on the other; in the main process a thread
writes the blocks (`Worker._pump`), so it goes on with its own while the worker, busy with its last
block, has not read the next; both pipes are widened to `PIPE_BYTES`. A worker that dies, breaks a
frame or does not answer within `TAKE_TIMEOUT` is stopped, and the main process writes the rest.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
from typing import Any

HEADER = struct.Struct("<4sQ")  # before each frame's pickle: MAGIC and its length
MAGIC = b"SLAC"  # a frame that does not start so is not one: the worker is stopped at once
MAX_FRAME = 1 << 30  # bytes: a block's text is some MB; a longer one is written by the main process
TAKE_TIMEOUT = 120.0  # seconds: a worker that has not answered a block by then is stopped and replaced
PIPE_BYTES = 1 << 20  # each pipe's capacity asked for (Linux's default largest; else 64 KiB): a block is some MB


class Worker:
    """The main process's end: blocks are sent in turn and their texts taken back in the same order."""

    def __init__(self, process: subprocess.Popen[bytes], frames: int) -> None:
        import queue

        self._process = process
        self._frames = frames  # the read end of the worker's own pipe of frames
        self.alive = True
        self._greeted = False
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()  # pickled blocks, for `_pump`
        self._pump: threading.Thread | None = None

    @classmethod
    def started(cls, raw: dict[str, Any], claim: Any) -> Worker | None:
        """A running worker for a policy's report, or None when none can be started or it would not help
        (one CPU: it would only compete with this process)."""
        if not sys.executable or _cpus() < 2 or os.name == "nt":  # Windows: no select() on pipes
            return None
        # This interpreter's flags (-I, -E, -X …, as multiprocessing passes them), and -P: the working
        # folder is not put first on the path (a numpy.py there would run in the worker).
        flags: list[str] = getattr(subprocess, "_args_from_interpreter_flags", list)()
        # Frames come back on a pipe of their own (its write end passed to the worker), not on its
        # stdout, where anything may print (a sitecustomize, a library's warning).
        try:
            frames, end = os.pipe()
        except OSError:
            return None
        _widen(end)
        try:
            process = subprocess.Popen(
                [sys.executable, *flags, "-P", "-m", __name__, str(end)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # a worker that dies is replaced by this process, in silence
                pass_fds=(end,),
                process_group=0,  # a terminal's Ctrl-C reaches this process only, which stops the worker
            )
        except (OSError, subprocess.SubprocessError):
            os.close(frames)
            return None
        except BaseException:  # Ctrl-C meanwhile
            os.close(frames)
            raise
        finally:
            os.close(end)  # the worker's now: the pipe ends when it does
        worker = cls(process, frames)
        try:
            assert process.stdin is not None
            _widen(process.stdin.fileno())
            sent = worker._send((raw, claim))
            if sent:
                worker._pump = threading.Thread(target=worker._write_all, name="slac-report-worker", daemon=True)
                worker._pump.start()
        except BaseException:  # Ctrl-C meanwhile: no caller holds it yet to stop it
            worker.close()
            raise
        return worker if sent else None  # a failed send has stopped and reaped it (`_send`)

    def send(self, job: Any, as_of_us: int) -> bool:
        """Send a block (pickled here, written by a thread: this process goes on with its own blocks
        while the worker, busy with its last one, reads this one); whether the worker is still alive
        and the block could be pickled. A worker that goes meanwhile is found by `take`."""
        if self.alive:
            try:
                data = pickle.dumps((job, as_of_us), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - a block that cannot be pickled: this process writes it
                return False
            self._outbox.put(data)
        return self.alive

    def _write_all(self) -> None:
        """The thread that writes the pickled blocks to the worker's stdin, in order, until told to stop."""
        stdin = self._process.stdin
        assert stdin is not None
        while (data := self._outbox.get()) is not None:
            try:
                stdin.write(data)
                stdin.flush()
            except (OSError, ValueError):  # a broken pipe: the worker has gone (`take` finds so), or stopped
                return

    def _send(self, frame: Any) -> bool:
        """Send the first frame (the policy and claim) itself: whether the worker took it."""
        stdin = self._process.stdin
        assert stdin is not None
        if self.alive:
            try:
                stdin.write(pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL))
                stdin.flush()
            except Exception:  # noqa: BLE001 - a broken pipe (the worker has gone), a frame that cannot be pickled
                self.close()
        return self.alive

    def take(self) -> bytes | None:
        """The text of the oldest block sent and not yet taken, None when the worker did not write it."""
        if not self.alive:
            return None
        if not self._greeted:  # its first frame: the slac it runs, which must be this one
            self._greeted = True
            if self._frame() != ("slac", _slac_file()):
                self.close()
                return None
        frame = self._frame()
        if frame is None:
            self.close()
            return None
        kind, value = frame
        return value if kind == "text" else None

    def _frame(self) -> Any:
        """The worker's next frame, or None when it died, broke a frame or did not answer in time."""
        import selectors
        import time

        deadline = time.monotonic() + TAKE_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(self._frames, selectors.EVENT_READ)
            head = _read(self._frames, HEADER.size, deadline, selector)
            magic, size = HEADER.unpack(head) if head is not None else (b"", 0)
            ok = magic == MAGIC and size <= MAX_FRAME
            body = _read(self._frames, size, deadline, selector) if ok else None
        try:
            return None if body is None else pickle.loads(body)
        except Exception:  # noqa: BLE001 - a frame it could not finish
            return None

    def close(self) -> None:
        """Stop the worker (its remaining blocks are not needed) and reap it."""
        self.alive = False
        self._process.kill()  # first: closing its stdin flushes what is buffered, into a pipe it no longer reads
        if self._pump is not None:  # its write now fails (the pipe has no reader), or it takes the stop
            self._outbox.put(None)
            self._pump.join()
            self._pump = None
        try:
            if self._process.stdin is not None:
                self._process.stdin.close()
        except OSError:
            pass
        if self._frames >= 0:
            os.close(self._frames)
            self._frames = -1
        self._process.wait()


def _read(fd: int, n: int, deadline: float, selector: Any) -> bytes | None:
    """`n` bytes of the pipe `fd` (read unbuffered), or None at its end or past the deadline."""
    import time

    pieces, left = [], n
    while left:
        if not selector.select(max(0.0, deadline - time.monotonic())):
            return None
        piece = os.read(fd, min(left, 1 << 20))
        if not piece:
            return None
        pieces.append(piece)
        left -= len(piece)
    return b"".join(pieces)


def _widen(fd: int) -> None:
    """Ask for a pipe of `PIPE_BYTES` (Linux): a block then crosses in a few writes, not in hundreds
    each waiting for the reading thread to get the interpreter back from its process's other thread."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):  # not Linux, or over the machine's pipe-max-size: the default pipe
        pass


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may run on (its cpuset; not a CPU quota)
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _slac_file() -> str:
    from .. import __file__ as slac_file

    return str(slac_file)


def block_of(plan: Any, job: Any, as_of_us: int) -> bytes:
    """The JSON text of a block's customers (`report_stream._Job`), written by the runtime's `report_text`."""
    from ..runtime import report_text
    from ..runtime.breaches import breach_columns
    from .native import ticket_entries

    results = job.results
    breaches = breach_columns(plan.policy, job.tickets, results, results.index, as_of_us, len(job.ids))
    breaches.prepare(report_text.DEPTH)  # their text made by Arrow in a thread (no fork) meanwhile
    entries = ticket_entries(results, job.counts)
    cols = report_text.Columns(job.ids, job.tiers, job.fees, job.length, job.down, job.incident_ids, breaches, entries)
    return report_text.block_text(plan, cols)


def main() -> None:
    """The worker: blocks in on stdin, their texts out on the pipe whose fd is its argument, until stdin ends."""
    import queue
    import threading

    from ..runtime import report_text
    from ..runtime.policy import Policy

    stdin = sys.stdin.buffer
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("slac.plan.report_worker is started by slac's duckdb engine (`Worker.started`), not by hand")
    frames = os.fdopen(int(sys.argv[1]), "wb")  # the main process's pipe of frames
    jobs: queue.Queue[Any] = queue.Queue()
    done: queue.Queue[Any] = queue.Queue()

    def read() -> None:  # started first, so the main process's blocks never wait on this one's start
        try:
            while True:
                jobs.put(pickle.load(stdin))
        except EOFError:  # the main process has sent every block (or has gone)
            jobs.put(None)
        except BaseException:  # noqa: BLE001 - a block it cannot read (out of memory): end, so the main
            os._exit(1)  # process's send meets a closed pipe instead of waiting on one nobody reads

    def write() -> None:
        while (made := done.get()) is not None:
            data = pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL)
            if len(data) > MAX_FRAME:  # the main process writes this block itself
                data = pickle.dumps(("error", "a block's text over MAX_FRAME"))
            frames.write(HEADER.pack(MAGIC, len(data)) + data)
            frames.flush()

    threading.Thread(target=read, daemon=True).start()
    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    done.put(("slac", _slac_file()))
    try:
        first = jobs.get()
        if first is not None:
            raw, claim = first
            plan = report_text.Plan.of(Policy(raw), claim)
            while (task := jobs.get()) is not None:
                job, as_of_us = task
                try:
                    done.put(("text", block_of(plan, job, as_of_us)))
                except Exception as exc:  # noqa: BLE001 - written again, and raised, by the main process
                    done.put(("error", str(exc)))
    finally:
        done.put(None)
        writer.join()


if __name__ == "__main__":
    main()
