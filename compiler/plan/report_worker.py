"""The worker process that writes three of every five blocks of the duckdb engine's JSON report (`report_stream`).

A plain child interpreter (`python -m slac.plan.report_worker`), not a `multiprocessing` one: spawn
re-runs the caller's main script in the child when it has no `__main__` guard, and fork may copy
DuckDB's or the CLI's threads mid-lock. It reads pickled frames on stdin, the policy (as loaded:
trusted) and the claim entry first, then one block (`report_stream._Job`) at a time, and writes each
block's JSON text back on stdout in the order they came, `("text", bytes)`, or `("error", message)`
for a block it cannot write (the main process then writes that block itself and raises its error).
A thread reads the blocks and another writes the texts, so neither pipe ever waits on the other.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from typing import Any


class Worker:
    """The main process's end: blocks are sent in turn and their texts taken back in the same order."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self.alive = True

    @classmethod
    def started(cls, raw: dict[str, Any], claim: Any) -> Worker | None:
        """A running worker for a policy's report, or None when none can be started."""
        if not sys.executable:
            return None
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # a worker that dies is replaced by this process, in silence
            )
        except OSError:
            return None
        worker = cls(process)
        worker._send((raw, claim))
        return worker if worker.alive else None

    def send(self, job: Any, as_of_us: int) -> bool:
        """Send a block; whether the worker took it."""
        return self._send((job, as_of_us))

    def _send(self, frame: Any) -> bool:
        stdin = self._process.stdin
        assert stdin is not None
        if self.alive:
            try:
                pickle.dump(frame, stdin, protocol=pickle.HIGHEST_PROTOCOL)
                stdin.flush()
            except (OSError, ValueError):  # the worker has gone (a broken pipe)
                self.alive = False
        return self.alive

    def take(self) -> bytes | None:
        """The text of the oldest block sent and not yet taken, None when the worker did not write it."""
        stdout = self._process.stdout
        assert stdout is not None
        if not self.alive:
            return None
        try:
            kind, value = pickle.load(stdout)
        except Exception:  # the worker died mid-frame (EOFError, UnpicklingError) or the pipe broke
            self.alive = False
            return None
        return value if kind == "text" else None

    def close(self) -> None:
        """Stop the worker (its remaining blocks are not needed) and reap it."""
        self.alive = False
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
        self._process.kill()
        self._process.wait()


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
    """The worker: blocks in on stdin, their texts out on stdout, until stdin ends."""
    import queue
    import threading

    from ..runtime import report_text
    from ..runtime.policy import Policy

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    raw, claim = pickle.load(stdin)
    plan = report_text.Plan.of(Policy(raw), claim)
    jobs: queue.Queue[Any] = queue.Queue()
    done: queue.Queue[Any] = queue.Queue()

    def read() -> None:
        try:
            while True:
                jobs.put(pickle.load(stdin))
        except Exception:  # EOFError: the main process has sent every block
            pass
        finally:
            jobs.put(None)

    def write() -> None:
        while (made := done.get()) is not None:
            pickle.dump(made, stdout, protocol=pickle.HIGHEST_PROTOCOL)
            stdout.flush()

    threading.Thread(target=read, daemon=True).start()
    writer = threading.Thread(target=write)
    writer.start()
    while (task := jobs.get()) is not None:
        job, as_of_us = task
        try:
            done.put(("text", block_of(plan, job, as_of_us)))
        except Exception as exc:  # written again, and raised, by the main process
            done.put(("error", str(exc)))
    done.put(None)
    writer.join()


if __name__ == "__main__":
    main()
