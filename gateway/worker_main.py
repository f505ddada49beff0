"""What runs inside an inspection worker process, and what it is given.

`worker_main` is the process's whole life: drop what a worker must not
have, load the inspector once, then inspect one message per request from
the parent (gateway.workers) until told to stop. A worker holds the least
it can, because it parses hostile attachments:

- settings without secrets (`for_workers`): no quarantine key or key file,
  no TLS private key, no database URL;
- no store: `gateway.store` cannot be imported (`forbid_store`); the
  document index arrives from the parent as a pickled snapshot with a
  message, whenever the parent's is newer than the worker's, and so do the
  entries administrators accepted from reviewers' marks;
- an address-space cap (`limit_memory`), so a memory bomb costs one message.

Besides inspecting messages (whose `Outcome` carries the notice's
de-identified draft), a worker de-identifies short texts on request (the
subject of a held message a review notice names), so the main process
never loads a model.
"""

from __future__ import annotations

import dataclasses
import importlib.abc
import os
import pickle
import signal
import sys
from multiprocessing.connection import Connection
from typing import Any

from gateway.config import DatabaseSettings, Settings
from gateway.inspector import Inspector, InspectorFactory

_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space (RLIMIT_AS); 0 leaves it alone."""
    if megabytes <= 0:
        return
    import resource

    soft = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


#: packages a worker may never import: the store (database, quarantine key handling)
FORBIDDEN = ("gateway.store",)


class _NoStore(importlib.abc.MetaPathFinder):
    """Refuses imports of the packages in FORBIDDEN: a worker has no business with the store."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if any(fullname == f or fullname.startswith(f + ".") for f in FORBIDDEN):
            raise ImportError(f"{fullname} is not available in an inspection worker", name=fullname)
        return None


def forbid_store() -> None:
    """Make the store unimportable in this process (a worker), and forget it if something loaded it."""
    if not any(isinstance(f, _NoStore) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoStore())
    for name in [m for m in sys.modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]:
        del sys.modules[name]


def single_threaded_children() -> None:
    """Have the workers this process starts find their numerical libraries single-threaded.

    OpenBLAS and OpenMP read their thread counts once, when numpy is first
    imported; in a spawned worker that happens while its arguments are
    unpickled (this module's imports), before `worker_main` runs, so setting
    the variables there comes too late. A worker inspects one message at a
    time: a second BLAS thread only spins beside it and slows each small
    matrix product (spaCy's NER on a short window: about 2.9 -> 4.3 ms of CPU).
    Variables the operator set are left as they are.
    """
    for name in _THREAD_ENV:
        os.environ.setdefault(name, "1")


def worker_main(conn: Connection, settings: Settings, factory: InspectorFactory, memory_mb: int) -> None:
    """A worker process: load once, then inspect one message per request until told to stop."""
    # Ctrl-C and SIGTERM (systemd and docker signal every process of the service) are for the
    # parent, which finishes the messages in flight and then stops us; we also stop when it dies
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    forbid_store()
    limit_memory(memory_mb)
    try:
        inspector = factory(settings)
        inspector.load()
    except ModuleNotFoundError as exc:  # an installation problem: the main process names the package
        conn.send(("missing", exc.name or str(exc)))
        return
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__} while loading"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if job is None:
            return
        try:
            result: tuple[str, Any] = ("ok", _do(inspector, job))
        except MemoryError:
            result = ("memory", None)
        except BaseException as exc:  # the worker boundary: report the type, never the message text
            result = ("error", type(exc).__name__)
        del job
        try:
            conn.send(result)
        except MemoryError:
            conn.send(("memory", None))
        except Exception as exc:  # e.g. an outcome that cannot be pickled
            conn.send(("error", type(exc).__name__))
        if result[0] == "memory":
            return  # start afresh: the heap may be in a bad way


def _do(inspector: Inspector, job: tuple[Any, ...]) -> Any:
    """One request: ("inspect", envelope, raw, index snapshot or None, learned entries or None) or
    ("deidentify", texts)."""
    if job[0] == "deidentify":
        return inspector.deidentify(job[1])
    _, envelope, raw, snapshot, learned = job
    if snapshot is not None:  # the parent's document index moved on since our last message
        inspector.documents.update(pickle.loads(snapshot))
    if learned is not None:  # an administrator accepted or withdrew an entry since our last message
        inspector.learned.update(learned)
    return inspector.inspect(envelope, raw)


def for_workers(settings: Settings) -> Settings:
    """The settings a worker process gets: no secret it does not need to inspect mail.

    Workers parse hostile attachments, so they never hold the quarantine key
    (a worker cannot decrypt the quarantine, nor sign a pass mark with the key
    derived from it) nor the private keys of the listeners' TLS certificates.
    Nor do they get the database URL (a PostgreSQL URL carries its password):
    the parent reads the document registry and hands them the index.
    """
    return dataclasses.replace(
        settings,
        database=DatabaseSettings(url=""),
        quarantine=dataclasses.replace(settings.quarantine, key="", key_file="", generate_key=False),
        smtp=dataclasses.replace(settings.smtp, tls_key=""),
        web=dataclasses.replace(settings.web, tls_key=""),
    )
