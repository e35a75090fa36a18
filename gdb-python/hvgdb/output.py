# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  event forwarding, gdb's side: `hv output create|open|close` and
#  hvgdb.on_output().  The module writes the records of events with
#  `output {NAME}` (and, once on_output is used, copies of the console
#  lines of the others) to a spool file here, through gdb's File-I/O
#  (docs/architecture.md, "Output"); a reader thread follows the file and
#  hands the bytes to hvgdb.forward.Router, which writes each source's
#  lines to its file or TCP connection.  on_output callbacks run in gdb's
#  main thread (gdb.post_event), never in the reader's.

import atexit
import os
import queue
import shutil
import tempfile
import threading

import gdb

from hvgdb import forward
from hvgdb import remote

_callbacks = []
_pending = queue.Queue()        # (event id, text) for the callbacks
_notes = queue.Queue()          # notices for gdb's console
_lock = threading.Lock()
_session = None

# gdb 13 crashes at exit when a gdb.post_event() has not run yet (its
# destructor enters Python after Python was finalized: `gdb -batch -ex
# "python import threading, gdb; t = threading.Thread(target=lambda:
# gdb.post_event(lambda: None)); t.start(); t.join()"` ends in SIGSEGV).
# So the reader posts only while the target runs (gdb's event loop then
# runs posted events at once), at most one at a time; at a stop the main
# thread runs the callbacks itself; and an exit with a post still pending
# and no connection left leaves gdb at once (_exiting).
_post_lock = threading.Lock()
_running = False
_posted = False


class _Reader(threading.Thread):
    """Follows the spool from its start: a regular file (gdb's File-I/O
    opens nothing else), only ever appended to."""

    def __init__(self, path, router):
        super().__init__(name="hvgdb-output", daemon=True)
        self.path, self.router = path, router
        self.pos = 0
        self.stopping = threading.Event()
        self.caught_up = threading.Condition()

    def run(self):
        with open(self.path, "rb") as f:
            while True:
                data = f.read(1 << 16)
                if data:
                    self.router.feed(data)
                    with self.caught_up:
                        self.pos += len(data)
                        self.caught_up.notify_all()
                    continue
                if self.stopping.wait(0.02):
                    return

    def catch_up(self, timeout=5.0):
        """Waits until everything in the spool now has been routed."""
        size = os.path.getsize(self.path)
        with self.caught_up:
            return self.caught_up.wait_for(lambda: self.pos >= size,
                                           timeout)


class _Session:
    """The spool, its reader and the sources of this gdb."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hvgdb-output-")
        self.spool = os.path.join(self.dir, "spool")
        fd = os.open(self.spool, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        self.router = forward.Router(notify=_notify)
        self.reader = _Reader(self.spool, self.router)
        self.reader.start()
        self.told = False       # the module knows the spool
        self.tap = False

    def tell(self):
        """Tells the connected module where the spool is (once)."""
        if not self.told:
            remote.monitor(".output spool " + self.spool)
            self.told = True

    def end(self):
        self.reader.stopping.set()
        self.reader.join(2)
        self.router.close_all()
        shutil.rmtree(self.dir, ignore_errors=True)


def session():
    global _session
    with _lock:
        if _session is None:
            _session = _Session()
        return _session


def _end():
    global _session
    if _session is not None:
        _session.end()
        _session = None


atexit.register(_end)


def _forget(event=None):
    # A new connection may be another module: tell it again.
    if _session is not None:
        _session.told = False
        _session.tap = False


gdb.events.connection_removed.connect(_forget)


def _notify(seen):
    """Reader thread: the records just routed, for the callbacks."""
    global _posted
    if _callbacks:
        for item in seen:
            _pending.put(item)
    if _session is not None:
        while _session.router.notices:
            _notes.put(_session.router.notices.pop(0))
    if _pending.empty() and _notes.empty():
        return
    with _post_lock:
        if _running and not _posted:
            _posted = True
            gdb.post_event(_posted_run)


def _posted_run():
    global _posted
    with _post_lock:
        _posted = False
    run_callbacks()


def _on_cont(event):
    global _running
    with _post_lock:
        _running = True


def _on_stop(event):
    """Main thread, at every stop: what the spool holds by now reaches
    the sources and the callbacks."""
    global _running
    with _post_lock:
        _running = False
    if _session is not None:
        _session.reader.catch_up(2)
    run_callbacks()


def _exiting(event):
    with _post_lock:
        pending = _posted
    _end()
    if pending and remote.connection() is None:
        gdb.flush()
        os._exit(event.exit_code if event.exit_code is not None else 0)


gdb.events.cont.connect(_on_cont)
gdb.events.stop.connect(_on_stop)
gdb.events.exited.connect(_on_stop)
gdb.events.gdb_exiting.connect(_exiting)


def run_callbacks():
    """gdb's main thread: calls the on_output callbacks with every line
    that came so far, and shows the notices."""
    while True:
        try:
            gdb.write(_notes.get_nowait(), gdb.STDERR)
        except queue.Empty:
            break
    while True:
        try:
            eid, text = _pending.get_nowait()
        except queue.Empty:
            return
        for fn in list(_callbacks):
            try:
                fn(eid, text)
            except Exception as e:      # one bad callback stops no other
                gdb.write("hvgdb: on_output callback %r failed: %s\n" %
                          (fn, e), gdb.STDERR)


def on_output(fn):
    """Calls fn(event_id, text) in gdb's main thread for each line of
    event output (printf of scripts) as it arrives: of events with
    `output {NAME}` and, from now on, of the others too (their lines
    still go to gdb's console).  Needs a connected, stopped target the
    first time (it tells the module).  Returns fn."""
    s = session()
    s.tell()
    if not s.tap:
        remote.monitor(".output tap on")
        s.tap = True
    _callbacks.append(fn)
    return fn


def sync(timeout=5.0):
    """Routes what the spool holds now and runs the callbacks for it (in
    this, gdb's main, thread).  True when the reader caught up."""
    ok = True
    if _session is not None:
        ok = _session.reader.catch_up(timeout)
    run_callbacks()
    return ok


def module_stats():
    """The module's side (`.kv .output`): {"forwarded", "lost_full",
    "lost_write", "error", "open", "path", "tap"} and the names."""
    spool, names = {}, []
    for kind, f in remote.records(".output"):
        if kind == "spool":
            spool = f
        elif kind == "output":
            names.append(f.get("name"))
    return spool, names


def command(args):
    """`hv output ARGS`; raises gdb.GdbError with the reason."""
    try:
        verb, name, kind, target = forward.parse_command(args)
        if verb == "list":
            return _list()
        s = session()
        if verb == "create":
            s.tell()
            try:
                remote.monitor(".output create " + name)
            except remote.MonitorError as e:
                # A source of an earlier session: the module keeps names.
                if "exists already" not in str(e):
                    raise
            src = s.router.create(name, kind, target)
            gdb.write("output %s created: %s\n" % (name, src.describe()))
        elif verb == "open":
            s.router.open(name)
            gdb.write("output %s open: %s\n" % (name,
                                               s.router.get(name).describe()))
        else:
            s.reader.catch_up()
            gdb.write("output %s\n" % s.router.close(name))
    except forward.OutputError as e:
        raise gdb.GdbError(str(e)) from None
    except remote.MonitorError as e:
        raise gdb.GdbError(str(e)) from None


def _list():
    s = _session
    if s is None or not s.router.sources:
        gdb.write("no outputs\n")
    else:
        s.reader.catch_up()
        for src in s.router.sources.values():
            gdb.write(src.summary() + "\n")
        if s.router.unknown or s.router.garbled:
            gdb.write("lines for no output of this session: %d, "
                      "unreadable: %d\n" % (s.router.unknown,
                                             s.router.garbled))
    try:
        spool, _ = module_stats()
    except gdb.error:
        return              # not connected, or running
    gdb.write("module: %d lines forwarded, %d lost (buffer full), %d not "
              "written%s\n" % (
                  spool.get("forwarded", 0), spool.get("lost_full", 0),
                  spool.get("lost_write", 0),
                  " (error %d)" % spool["error"] if spool.get("error")
                  else ""))
