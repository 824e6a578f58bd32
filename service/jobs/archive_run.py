"""The archive-run engine (归档): prepare every 件's PDF, number and stamp them, assemble the box.

A run is resumable at every step. Each 件's progress is recorded in the database as soon as its file is
in the content-addressed store, so a run taken over after a kill redoes only the 件 that were in flight.
Every step is deterministic (same inputs, same bytes), which makes redoing one harmless: a 件 appears in
the results exactly once however often its work was started. Writes are guarded by the run's lease, so a
worker that lost its lease (it stalled and another took over) cannot record anything any more.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import service.documents.archiving as archiving
from schemas.archive_selection import ArchiveRunRequestSchema
from service.documents.pipeline import Converter, OutputFormat, render_document
from service.documents.templates import TemplateCatalog
from service.documents.validation import load_payload
from service.errors import GongwenError, PayloadInvalidError, StorageUnavailableError, bilingual
from service.storage import archive_runs as runs
from service.storage.archive_runs import LeaseLostError
from service.storage.database import Database
from service.storage.files import FileStore

log = logging.getLogger(__name__)

# A 件 whose PDF cannot be made is tried again once (a crashed office is already retried by the pool).
ATTEMPTS_PER_ITEM = 2
# Stamps rendered per LibreOffice conversion: one conversion of a few hundred small pages costs about
# as much as a few single ones, and a chunk is the unit of redone work after a kill.
STAMPS_PER_CHUNK = 200


@dataclass(frozen=True)
class Progress:
    """What a progress bar shows: the stage, items prepared so far, and the 件 being worked on."""

    stage: str
    done: int
    total: int
    current: str = ""


ProgressCallback = Callable[[Progress], None]


def prepare_run(database: Database, raw: Any) -> tuple[dict[str, Any], list[runs.NewRunItem]]:
    """A run request checked all the way before anything is queued: fields, selection, and the filing
    against the 件 it files (整理日期 not before the latest 件), so a run never fails at its last step."""
    loaded = load_payload(ArchiveRunRequestSchema(), raw)
    items = runs.select_items(database, loaded["selection"])
    compiled_on = loaded["filing"].get("compiled_on")
    latest = max((item.doc_date for item in items), default=None)
    if compiled_on is not None and latest is not None and compiled_on < latest:
        message = bilingual(
            f"整理日期早于盒内最晚文件的日期（{latest.isoformat()}）",
            f"Compiled before the latest document in the box ({latest.isoformat()}).",
        )
        raise PayloadInvalidError(message, errors={"filing.compiled_on": [message]})
    return dict(raw), items


def worker_identity() -> str:
    """Who holds a lease: host, process and a nonce, so a restarted process is a new owner."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ArchiveRunner:
    """Carries archive runs to the end; one runner serves many runs, one at a time per call to run()."""

    def __init__(
        self,
        database: Database,
        files: FileStore,
        catalog: TemplateCatalog,
        converter: Converter,
        *,
        workers: int,
        lease_seconds: int,
        owner: str | None = None,
    ) -> None:
        self.database = database
        self.files = files
        self.catalog = catalog
        self.converter = converter
        self.archive_converter = archiving.PdfaConverter(converter)
        self.workers = max(1, workers)
        self.lease_seconds = lease_seconds
        self.owner = owner or worker_identity()
        self._active: set[str] = set()
        self._active_lock = threading.Lock()

    def run(self, run_id: str, progress: ProgressCallback | None = None) -> runs.Claim:
        """Take the run's lease and carry it to the end; returns what stood in the way, if anything.

        `Claim.FINISHED`: nothing to do (running a finished run again changes nothing). `Claim.LEASED`:
        another worker holds it (its owner), or storage is away just now (no owner); the caller may try again
        after the claim's `retry_after` seconds.
        """
        with self._active_lock:
            if run_id in self._active:
                # Queued twice, and another thread of this worker carries it already.
                return runs.Claim(runs.ClaimOutcome.LEASED, self.owner, self.lease_seconds)
            self._active.add(run_id)
        try:
            return self._claim_and_carry_out(run_id, progress or (lambda _progress: None))
        finally:
            with self._active_lock:
                self._active.discard(run_id)

    def _claim_and_carry_out(self, run_id: str, report: ProgressCallback) -> runs.Claim:
        try:
            claim = runs.claim_run(self.database, run_id, self.owner, self.lease_seconds)
        except StorageUnavailableError as error:
            log.warning("archive run %s: %s; trying again in %d s", run_id, error.detail, error.retry_after)
            return runs.Claim(runs.ClaimOutcome.LEASED, "", error.retry_after)
        if claim.outcome is not runs.ClaimOutcome.CLAIMED:
            return claim
        stop = threading.Event()
        lost = threading.Event()
        heartbeat = threading.Thread(
            target=self._keep_lease, args=(run_id, stop, lost), name=f"lease-{run_id[:8]}", daemon=True
        )
        heartbeat.start()
        try:
            self._carry_out(run_id, report, lost)
        except LeaseLostError:
            log.warning("archive run %s: lease lost to another worker; stopping", run_id)
        except StorageUnavailableError as error:
            # The database is down or locked, or the disk is full, for a while: the run waits, saying why, and
            # is taken up again where it stopped.
            log.warning("archive run %s: %s; trying again in %d s", run_id, error.detail, error.retry_after)
            self._pause(run_id, error.detail)
            return runs.Claim(runs.ClaimOutcome.LEASED, "", error.retry_after)
        except Exception as error:
            # A bug or a broken input that no retry can mend: the run stops, and says why, instead of
            # being taken up again by every worker that starts.
            log.exception("archive run %s failed", run_id)
            runs.fail_run(self.database, run_id, self.owner, f"{type(error).__name__}: {error}")
        finally:
            stop.set()
            heartbeat.join()
        return claim

    def _pause(self, run_id: str, reason: str) -> None:
        try:
            runs.pause_run(self.database, run_id, self.owner, reason)
        except StorageUnavailableError:
            # The database itself is away: the lease stays with this worker until it runs out or this worker
            # claims the run again (its own lease does not stand in its way).
            log.warning("archive run %s: could not record the pause; the lease stays until it runs out", run_id)
        except LeaseLostError:
            pass  # taken over meanwhile: the new owner's run, nothing of this one to record

    def release_leases(self) -> None:
        """Give up the runs in hand (the process is stopping), so another worker takes them over at once."""
        with self._active_lock:
            active = list(self._active)
        for run_id in active:
            runs.release_lease(self.database, run_id, self.owner)

    # -- stages -----------------------------------------------------------------------------------

    def _carry_out(self, run_id: str, report: ProgressCallback, lost: threading.Event) -> None:
        run = runs.get_run(self.database, run_id)
        filing = archiving.load_filing(run.request["filing"])
        self._prepare(run_id, run.total, report, lost)
        prepared = runs.assign_item_numbers(self.database, run_id, self.owner, filing.start_item_no)
        if prepared == 0:
            runs.fail_run(
                self.database,
                run_id,
                self.owner,
                bilingual("没有一件文件能够生成PDF，未组盒", "no document could be made into a PDF; no box was made"),
            )
            return
        self._stamp(run_id, filing, report, lost)
        report(Progress("assembling", run.total, run.total, bilingual("组盒", "assembling the box")))
        self._assemble(run_id, filing, lost)
        report(Progress("finished", run.total, run.total))

    def _prepare(self, run_id: str, total: int, report: ProgressCallback, lost: threading.Event) -> None:
        """Stage 1: each pending 件's PDF (rendered as PDF/A, or the uploaded file) into the store."""
        pending = runs.pending_items(self.database, run_id)
        done = total - len(pending)
        lock = threading.Lock()

        def prepare(item: runs.RunItem) -> None:
            nonlocal done
            if lost.is_set():
                raise LeaseLostError(run_id)
            failure = ""
            for _attempt in range(ATTEMPTS_PER_ITEM):
                runs.start_item(self.database, run_id, item.position, self.owner)
                report(Progress("preparing", done, total, item.title))
                try:
                    pdf = self._source_pdf(item)
                except StorageUnavailableError:
                    raise  # the database or the store, not this 件: the whole run waits for it
                except GongwenError as error:
                    log.warning("archive run %s, item %d: %s", run_id, item.position, error.detail)
                    failure = error.detail
                    continue
                runs.record_prepared(
                    self.database, run_id, item.position, self.owner, self.files.put(pdf), archiving.page_count(pdf)
                )
                break
            else:
                runs.record_failure(self.database, run_id, item.position, self.owner, failure)
            with lock:
                done += 1
                report(Progress("preparing", done, total, item.title))

        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="archive-item") as executor:
            futures = [executor.submit(prepare, item) for item in pending]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                # The 件 not yet started wait for the next attempt: against an absent database or a full disk
                # each would only fail the same way.
                executor.shutdown(wait=True, cancel_futures=True)
                raise

    def _source_pdf(self, item: runs.RunItem) -> bytes:
        if item.upload_sha256:
            return self.files.read(item.upload_sha256)
        assert item.document_id is not None  # a run item is a stored document or an upload
        document = runs.document_source(self.database, item.document_id)
        # With the template version that made the document, not whichever is active today.
        rendered = render_document(
            self.catalog,
            document.kind,
            document.effective_body,
            OutputFormat.PDF,
            self.archive_converter,
            version=document.template_version,
        )
        return rendered.content

    def _stamp(
        self, run_id: str, filing: archiving.FilingData, report: ProgressCallback, lost: threading.Event
    ) -> None:
        """Stage 2: the 归档章, filled in, on the first page of every numbered 件; in chunks, each recorded."""
        waiting = runs.items_to_stamp(self.database, run_id)
        for start in range(0, len(waiting), STAMPS_PER_CHUNK):
            if lost.is_set():
                raise LeaseLostError(run_id)
            chunk = waiting[start : start + STAMPS_PER_CHUNK]
            report(Progress("stamping", start, len(waiting), chunk[0].title))
            stamps = archiving.render_stamps(
                self.catalog, self.converter, filing, [(item.item_no or 0, item.pages or 0) for item in chunk]
            )
            stamped = []
            for item, stamp in zip(chunk, stamps, strict=True):
                assert item.pdf_sha256 is not None
                stamped.append(
                    (item.position, self.files.put(archiving.stamp_item(self.files.read(item.pdf_sha256), stamp)))
                )
            runs.record_stamped(self.database, run_id, self.owner, stamped)

    def _assemble(self, run_id: str, filing: archiving.FilingData, lost: threading.Event) -> None:
        """Stage 3: 目录 and 备考表 with the real page counts, the merged box, the manifest and the ZIP."""
        items = runs.stamped_items(self.database, run_id)
        entries = [(item.item_no or 0, _entry(item)) for item in items]
        forms = archiving.render_box_forms(self.catalog, self.archive_converter, filing, entries)
        stamped = [
            archiving.StampedItem(item_no=item_no, entry=entry, pdf=self.files.read(item.stamped_sha256 or ""))
            for (item_no, entry), item in zip(entries, items, strict=True)
        ]
        box = archiving.assemble_box(forms, stamped, filing)
        outputs = archiving.result_files(forms, stamped, box, filing)
        run = runs.get_run(self.database, run_id)
        manifest = archiving.build_manifest(_description(run, filing), outputs, stamped)
        bundle = archiving.bundle({**outputs, archiving.MANIFEST_NAME: manifest})
        if lost.is_set():
            raise LeaseLostError(run_id)
        stored = {name: self.files.put(content) for name, content in outputs.items()}
        result: dict[str, Any] = {
            "files": stored,
            "manifest": self.files.put(manifest),
            "zip": self.files.put(bundle),
            # The box is one of the outputs: hashing its 100+ MB a second time would only repeat the same digest.
            "box": stored[archiving.box_file_name(filing)],
            "items": len(stamped),
            "pages": archiving.page_count(box),
        }
        runs.finish_run(self.database, run_id, self.owner, result)

    def _keep_lease(self, run_id: str, stop: threading.Event, lost: threading.Event) -> None:
        # A third of the lease between renewals: two may be missed (a busy machine) before it runs out.
        while not stop.wait(self.lease_seconds / 3):
            try:
                renewed = runs.renew_lease(self.database, run_id, self.owner, self.lease_seconds)
            except StorageUnavailableError as error:
                # The run's own next write meets the same outage and pauses it; until then keep trying.
                log.warning("archive run %s: lease not renewed: %s", run_id, error.detail)
                continue
            if not renewed:
                lost.set()
                return


def _entry(item: runs.RunItem) -> archiving.ArchiveEntry:
    return archiving.ArchiveEntry(
        title=item.title,
        responsible=item.responsible,
        doc_number=item.doc_number,
        date=item.doc_date,
        remarks=item.remarks,
        pages=item.pages or 0,
    )


def _description(run: runs.RunView, filing: archiving.FilingData) -> dict[str, Any]:
    return {
        "run": run.id,
        "selection": run.request.get("selection", {}),
        "filing": run.request["filing"],
        "failures": [failure.as_dict() for failure in run.failures],
    }
