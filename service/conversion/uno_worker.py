"""UNO worker: one private LibreOffice driven by its parent (the ConversionPool) over stdin/stdout.

Runs under Debian's ``/usr/bin/python3`` (the only interpreter that can ``import uno``), so it uses the
standard library and ``uno`` only and never imports anything from the service. The pool launches it by
path as ``python3 -I uno_worker.py --soffice PATH --dir DIR`` in a new session; the worker's soffice
inherits that process group, so the pool can kill worker and office together with one ``killpg``.

Protocol: one JSON object per line, UTF-8, in both directions.

* worker → parent, once at start: ``{"event": "ready", "pid", "soffice_pid", "rss"}`` or
  ``{"event": "failed", "error"}`` (then the worker exits).
* parent → worker: ``{"op": "convert", "id", "src", "dst"}`` (with ``"pdfa": true`` for PDF/A-2b),
  ``{"op": "status", "id"}`` or ``{"op": "quit", "id"}``.
* worker → parent, one reply per request: ``{"id", "ok": true, ...}`` or
  ``{"id", "ok": false, "error", "fatal"}``. ``fatal`` means the office is gone and the worker exits
  right after replying; a non-fatal error concerns the document only.

The worker exits and kills its office when stdin reaches EOF or its parent changes (the parent died,
even by SIGKILL), and when its office dies.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

try:
    import uno
    from com.sun.star.beans import PropertyValue
except ImportError as exc:  # reported to the parent as a start failure, with the interpreter named
    UNO_IMPORT_ERROR: ImportError | None = exc
else:
    UNO_IMPORT_ERROR = None

# LibreOffice's PDF export option SelectPdfVersion: 2 is PDF/A-2b (1 would be PDF/A-1b, 3 PDF/A-3b).
PDFA_2B = 2
# How the PDF opens (docs/decisions/0016-pdf-print-preferences.md), as writer_pdf_Export's FilterData names
# it. LibreOffice 7.4 writes them into the catalog as /OpenAction[<first page> /XYZ null null 1],
# /PageLayout/OneColumn and /ViewerPreferences<</DisplayDocTitle true>>. It has no option for
# /PrintScaling; service/postprocess/viewer.py adds that.
VIEW_FILTER_DATA = (
    ("InitialView", 0),  # the page alone: no outline or thumbnail panel (/PageMode is left out)
    ("Magnification", 4),  # open at the zoom below rather than the viewer's own default
    ("Zoom", 100),
    ("PageLayout", 2),  # one column, scrolled continuously
    ("DisplayPDFDocumentTitle", True),
)

# How often the watchdog looks at the parent and the office; a dead parent is noticed within this.
WATCH_INTERVAL = 0.2
CONNECT_POLL = 0.05


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(comm, ppid, pgrp) of a process from /proc, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    # comm may contain spaces and parentheses; it ends at the last ')'.
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None
    return comm, int(fields[1]), int(fields[2])


def _group_members(pgrp: int) -> list[tuple[int, str]]:
    """Live processes (pid, comm) of a process group, found by scanning /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _proc_stat(int(entry))
        if stat is not None and stat[2] == pgrp:
            members.append((int(entry), stat[0]))
    return members


def _rss_bytes(pid: int | None) -> int | None:
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _property(name: str, value: object) -> Any:
    prop = PropertyValue()
    prop.Name = name
    prop.Value = value
    return prop


def _store_pdf(document: Any, dst: Path, *, pdfa: bool) -> None:
    """Export `document` as PDF with VIEW_FILTER_DATA; with `pdfa` as PDF/A-2b (SelectPdfVersion = 2)."""
    options = list(VIEW_FILTER_DATA)
    if pdfa:
        options.append(("SelectPdfVersion", PDFA_2B))
    # NOTE: pyuno passes a plain tuple as a sequence of Any, which the PDF filter does not read as its
    # FilterData; the sequences are typed explicitly and the call goes through uno.invoke.
    filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", tuple(_property(*option) for option in options))
    arguments = (_property("FilterName", "writer_pdf_Export"), _property("FilterData", filter_data))
    uno.invoke(
        document,
        "storeToURL",
        (uno.systemPathToFileUrl(str(dst)), uno.Any("[]com.sun.star.beans.PropertyValue", arguments)),
    )


def _warmup_docx(path: Path) -> None:
    """A minimal one-paragraph DOCX in 仿宋_GB2312, so the first real request finds Writer, the PDF
    filter and the CJK fonts already loaded (the first conversion of a fresh office is ~3x slower)."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        '<w:p><w:r><w:rPr><w:rFonts w:ascii="仿宋_GB2312" w:hAnsi="仿宋_GB2312" w:eastAsia="仿宋_GB2312"/>'
        '<w:sz w:val="32"/></w:rPr><w:t>预热 warm-up 1</w:t></w:r></w:p></w:body></w:document>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)


class Office:
    """The worker's own soffice: started, connected over a private pipe, used, and killed."""

    def __init__(self, soffice: str, directory: Path) -> None:
        self.soffice = soffice
        self.directory = directory
        self.profile = directory / "profile"
        self.pipe_name = f"gongwen-{os.getpid()}-{os.urandom(4).hex()}"
        self.process: subprocess.Popen[bytes] | None = None
        self.desktop: Any = None
        self.document: Any = None  # converted, not yet closed (see convert)
        self.soffice_pid: int | None = None

    def start(self, timeout: float) -> None:
        """Start soffice and connect to it, retrying until it accepts or `timeout` passes."""
        command = [
            self.soffice,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={self.profile.as_uri()}",
            f"--accept=pipe,name={self.pipe_name};urp;StarOffice.ComponentContext",
        ]
        # LibreOffice's own temporary files (lu*.tmp, copies of every document it loads, fsynced) go in our
        # directory too: they are removed with it when the office is killed, and they sit on the same file
        # system as the job files, RAM by default (ConversionPool's work dir).
        temp = self.directory / "tmp"
        temp.mkdir(exist_ok=True)
        # Same process group as the worker (no new session): the pool kills both with one killpg.
        # close_fds keeps the worker's protocol pipes out of soffice, so the parent still sees EOF.
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            env={**os.environ, "TMPDIR": str(temp)},
        )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:pipe,name={self.pipe_name};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + timeout
        while True:
            try:
                context = resolver.resolve(url)
                break
            except Exception as exc:  # NoConnectException until soffice has opened its pipe
                if self.process.poll() is not None:
                    raise RuntimeError(f"soffice exited with status {self.process.returncode}") from exc
                if time.monotonic() > deadline:
                    raise RuntimeError(f"soffice did not accept connections within {timeout:.0f} s") from exc
                time.sleep(CONNECT_POLL)
        self.desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        self.soffice_pid = self.find_soffice_bin()

    def find_soffice_bin(self) -> int | None:
        """The pid of soffice.bin: `soffice` is a script that execs oosplash, which runs soffice.bin."""
        for pid, comm in _group_members(os.getpgrp()):
            if comm == "soffice.bin":
                return pid
        return None

    def alive(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            return False
        return self.soffice_pid is not None and _proc_stat(self.soffice_pid) is not None

    def responsive(self) -> bool:
        """True when soffice runs and answers a trivial UNO call over the bridge."""
        if not self.alive():
            return False
        try:
            self.desktop.getFrames().getCount()
        except Exception:  # DisposedException or a dead bridge: the office is gone
            return False
        return True

    def convert(self, src: Path, dst: Path, *, pdfa: bool = False) -> None:
        """DOCX file → PDF file (PDF/A-2b with `pdfa`), with the load/store sequence that measured fastest.

        The document stays open until close_document(), which the worker calls after its reply: the
        2–3 ms LibreOffice takes to close it then overlap with the pool's handling of the reply, and the
        next job is waiting by the time the office is free.
        """
        self.close_document()
        load_props = (
            _property("Hidden", True),
            _property("ReadOnly", True),
            # NOTE: naming the import filter skips LibreOffice's type detection and makes a file that
            # is not a DOCX fail to load instead of being opened as plain text.
            _property("FilterName", "MS Word 2007 XML"),
        )
        document = self.desktop.loadComponentFromURL(uno.systemPathToFileUrl(str(src)), "_blank", 0, load_props)
        if document is None:
            raise ValueError("LibreOffice could not load the document")
        self.document = document
        try:
            _store_pdf(document, dst, pdfa=pdfa)
        except Exception:
            self.close_document()
            raise
        if not dst.is_file():
            raise ValueError("LibreOffice wrote no PDF")

    def close_document(self) -> None:
        """Close the document of the last conversion, if it is still open."""
        document, self.document = self.document, None
        if document is None:
            return
        try:
            document.close(True)
        except Exception:  # NOTE: CloseVetoException when LibreOffice still holds it; dispose instead
            with contextlib.suppress(Exception):  # DisposedException: the office is gone, the next job says so
                document.dispose()

    def quit(self, timeout: float) -> None:
        """Ask soffice to terminate (about 40 ms), then make sure nothing of it is left."""
        if self.desktop is not None and self.alive():
            # NOTE: terminate() often raises DisposedException as the bridge closes under it.
            with contextlib.suppress(Exception):
                self.desktop.terminate()
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
        self.kill()

    def kill(self) -> None:
        """SIGKILL every other process in the worker's group (oosplash, soffice.bin) and reap."""
        me = os.getpid()
        for pid, _comm in _group_members(os.getpgrp()):
            if pid != me:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)


class Worker:
    """Reads requests from stdin, answers on the private protocol stream, watches parent and office."""

    def __init__(self, office: Office, out: BinaryIO) -> None:
        self.office = office
        self.out = out
        self.out_lock = threading.Lock()
        self.parent = os.getppid()
        self.conversions = 0
        self.ready = threading.Event()

    def send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8")
        with self.out_lock:
            self.out.write(data)
            self.out.flush()

    def orphaned(self) -> bool:
        return os.getppid() != self.parent

    def watch(self) -> None:
        """Watchdog thread: the main thread may be stuck inside a UNO call when the parent dies."""
        while True:
            time.sleep(WATCH_INTERVAL)
            if self.orphaned():
                self.abandon()
            if self.ready.is_set() and not self.office.alive():
                print("uno_worker: soffice died; exiting", file=sys.stderr, flush=True)
                self.office.kill()
                os._exit(3)

    def abandon(self) -> None:
        """The parent is gone: kill the office, remove our files, and exit without unwinding."""
        self.office.kill()
        shutil.rmtree(self.office.directory, ignore_errors=True)
        # The pool's own work dir is left empty once every worker has gone; remove it if so.
        with contextlib.suppress(OSError):
            self.office.directory.parent.rmdir()
        os._exit(4)

    def status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "soffice_pid": self.office.soffice_pid,
            "rss": _rss_bytes(self.office.soffice_pid),
            "conversions": self.conversions,
        }

    def handle(self, request: dict[str, Any]) -> bool:
        """Answer one request; False when the worker must exit afterwards."""
        op = request.get("op")
        reply: dict[str, Any] = {"id": request.get("id")}
        if op == "convert":
            started = time.perf_counter()
            try:
                self.office.convert(Path(request["src"]), Path(request["dst"]), pdfa=bool(request.get("pdfa")))
            except Exception as exc:  # any UNO or I/O error; classified below
                fatal = not self.office.responsive()
                reply.update(ok=False, error=f"{type(exc).__name__}: {exc}", fatal=fatal)
                self.send(reply)
                return not fatal
            self.conversions += 1
            reply.update(ok=True, ms=round((time.perf_counter() - started) * 1000, 1), **self.status())
            self.send(reply)
            self.office.close_document()
            return True
        elif op == "status":
            if not self.office.responsive():
                reply.update(ok=False, error="soffice is not responding", fatal=True)
                self.send(reply)
                return False
            reply.update(ok=True, **self.status())
        elif op == "quit":
            self.ready.clear()  # the watchdog must not take the office's exit for a crash
            self.office.quit(timeout=1.5)
            reply.update(ok=True)
            self.send(reply)
            return False
        else:
            reply.update(ok=False, error=f"unknown op {op!r}", fatal=False)
        self.send(reply)
        return True

    def serve(self, requests: BinaryIO) -> bool:
        """Answer requests until told to stop (True) or until stdin reaches EOF (False)."""
        for line in requests:
            try:
                request = json.loads(line)
            except ValueError:
                self.send({"id": None, "ok": False, "error": "malformed request", "fatal": False})
                continue
            if not self.handle(request):
                return True
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--soffice", required=True, help="path of the soffice executable")
    parser.add_argument("--dir", required=True, type=Path, help="private directory: profile and job files")
    parser.add_argument("--startup-timeout", type=float, default=60.0)
    args = parser.parse_args(argv)

    # The protocol gets a private copy of stdout; fd 1 then points at stderr, so anything the UNO
    # runtime or a library prints cannot corrupt the stream the parent parses.
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)

    def fail(message: str) -> int:
        out.write((json.dumps({"event": "failed", "error": message}, ensure_ascii=False) + "\n").encode())
        return 2

    if UNO_IMPORT_ERROR is not None:
        return fail(f"{sys.executable} cannot import uno (install python3-uno): {UNO_IMPORT_ERROR}")

    if os.getpgrp() != os.getpid():
        # The worker kills its whole process group on the way out; run by hand (not by the pool,
        # which starts it in a new session) it must not take its caller's group down with it.
        os.setpgid(0, 0)
    office = Office(args.soffice, args.dir)
    worker = Worker(office, out)

    def terminate(_signum: int, _frame: object) -> None:
        # Only reached when the main thread is not inside a UNO call; the pool signals the whole
        # group anyway, this covers a SIGTERM sent to the worker alone.
        office.kill()
        os._exit(5)

    signal.signal(signal.SIGTERM, terminate)
    threading.Thread(target=worker.watch, daemon=True).start()
    try:
        office.start(args.startup_timeout)
        warmup_src, warmup_dst = args.dir / "warmup.docx", args.dir / "warmup.pdf"
        _warmup_docx(warmup_src)
        office.convert(warmup_src, warmup_dst)
        office.close_document()
        warmup_src.unlink()
        warmup_dst.unlink()
    except Exception as exc:  # any start failure is reported to the pool, which decides what to do
        office.kill()
        return fail(f"{type(exc).__name__}: {exc}")
    worker.ready.set()
    worker.send({"event": "ready", **worker.status()})
    try:
        finished = worker.serve(sys.stdin.buffer)
    except BrokenPipeError:
        finished = False
    if not finished:
        # stdin EOF (or a dead stdout) without a quit request: the parent is gone or gave up on us.
        # The EOF can arrive before the kernel reparents us, so do not wait for getppid() to change.
        worker.abandon()
    office.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
