"""Parent side of the workers: one long-lived child process per engine.

A program that crashes a child or runs past the timeout costs only that program: the child
is killed and restarted, and the program's result is ("crash", ...) or ("timeout", ...).
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import subprocess
import sys
import time

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child.py")


class Worker:
    def __init__(self, engine, path=None, timeout=10.0):
        self.engine, self.path, self.timeout = engine, path, timeout
        self.proc = None

    def start(self):
        env = dict(os.environ)
        if self.path:
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (os.path.abspath(self.path), env.get("PYTHONPATH")) if p
            )
        self.proc = subprocess.Popen(
            [sys.executable, CHILD, self.engine],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        if self._read(60.0) != b"":
            raise RuntimeError(f"worker for {self.engine!r} failed to start")

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def _read_exact(self, n, deadline):
        fd = self.proc.stdout.fileno()
        data = b""
        while len(data) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _read(self, timeout):
        deadline = time.monotonic() + timeout
        (n,) = struct.unpack("<I", self._read_exact(4, deadline))
        return self._read_exact(n, deadline) if n else b""

    def send(self, stmts):
        if self.proc is None:
            self.start()
        data = pickle.dumps(list(stmts))
        try:
            self.proc.stdin.write(struct.pack("<I", len(data)) + data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.stop()
            self.start()
            self.proc.stdin.write(struct.pack("<I", len(data)) + data)
            self.proc.stdin.flush()

    def receive(self):
        """The trace of the program last sent, or ("crash"|"timeout", reason)."""
        try:
            return pickle.loads(self._read(self.timeout))
        except TimeoutError:
            self.stop()
            return ("timeout", f"over {self.timeout:g}s")
        except (EOFError, struct.error, pickle.UnpicklingError) as exc:
            code = self.proc.poll() if self.proc else None
            self.stop()
            return ("crash", f"{type(exc).__name__} (exit {code})")


class Pair:
    """The reference engine and the engine under test, each in its own process."""

    def __init__(self, ref="torch", ref_path=None, engine="mutograd", engine_path=None, timeout=10.0):
        self.ref = Worker(ref, ref_path, timeout)
        self.test = Worker(engine, engine_path, timeout)
        self.runs = 0

    def run(self, stmts):
        # Both children work at once: the sweep uses two cores.
        self.ref.send(stmts)
        self.test.send(stmts)
        self.runs += 1
        return self.ref.receive(), self.test.receive()

    def close(self):
        self.ref.stop()
        self.test.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
