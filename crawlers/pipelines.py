"""The one item pipeline: every write of a crawl happens here.

Items are buffered and written in batches, each batch in ONE transaction on a
short-lived connection (warehouse.db): items, then the crawl_log and
source_state rows of the sources that finished, so a source's log row never
exists without its items. No connection stays open between batches, so the
dashboard can read while a crawl runs (DuckDB locking, NOTES.md).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time

from warehouse import db as dbmod
from warehouse import store
from warehouse.errors import StorageError
from warehouse.health import next_source_state

from .spiders.vigie import BATCH, CONTROL

log = logging.getLogger(__name__)
UTC = dt.timezone.utc


def emit(event: dict) -> None:
    """Progress for the parent process, one JSON object per line on stdout."""
    sys.stdout.write(json.dumps(event, default=str) + "\n")
    sys.stdout.flush()


class WarehousePipeline:
    """Buffers items; writes each batch in a worker thread, one batch at a time.

    The write (Arrow conversion, DuckDB transaction) used to run in the reactor
    thread and stall every download for its duration: 3.5 s of a 25 s crawl of
    10k items in one profile, and the stalls inflated the latencies AutoThrottle
    measures, so it slowed every host down. DuckDB releases the GIL while it
    works, so a thread lets downloads and parsing go on meanwhile. Bookkeeping
    (counts, progress events) stays in the reactor thread, in the callback.
    """

    FLUSH_ITEMS = 10000
    # Every second: enrichment in the parent starts on the first batches sooner.
    FLUSH_EVERY_S = 1.0

    def __init__(self, crawler):
        self.crawler = crawler
        self.buffer: list[dict] = []
        self.done: list[str] = []
        self.last_flush = time.monotonic()
        self.loop = None
        self.storage_error: str | None = None
        self.writing = None  # the Deferred of the batch being written, if any
        self.threaded = True  # False: the last batch, written inline
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def spider(self):
        return self.crawler.spider

    def open_spider(self, spider=None):
        from twisted.internet import task  # noqa: PLC0415

        self.loop = task.LoopingCall(self._tick)
        self.loop.start(self.FLUSH_EVERY_S, now=False)

    def _tick(self):
        if self.buffer or self.done:
            self.flush()

    def process_item(self, item, spider=None):
        if item.get(CONTROL) == BATCH:
            self.buffer.extend(item["items"])
            if len(self.buffer) >= self.FLUSH_ITEMS:
                self.flush()
            return item
        if item.get(CONTROL) == "source_done":
            self.done.append(item["source"])
            if time.monotonic() - self.last_flush >= self.FLUSH_EVERY_S:
                self.flush()
            return item
        self.buffer.append(item)
        if len(self.buffer) >= self.FLUSH_ITEMS:
            self.flush()
        return item

    def close_spider(self, spider=None):
        """Returns a Deferred: Scrapy waits for the last batch before it stops."""
        from twisted.internet import defer  # noqa: PLC0415

        if self.loop is not None and self.loop.running:
            self.loop.stop()
        for run in self.spider.runs.values():
            if not run.done:
                run.error("the crawl ended before this source finished")
                run.done = True
                run.finished_at = dt.datetime.now(UTC)
                self.done.append(run.name)

        self.closing = True  # a write that ends now starts no other one
        finished = defer.Deferred()

        def final(passthrough=None):
            if self.writing is not None:
                self.writing.addBoth(final)  # after the batch in flight, whatever its outcome
                return passthrough
            self.threaded = False  # the last batch inline: nothing else is running
            self.flush()
            if self.storage_error:
                emit({"event": "storage_error", "error": self.storage_error})
                self.crawler.stats.set_value("vigie/storage_error", self.storage_error)
            finished.callback(None)
            return passthrough

        final()
        return finished

    def flush(self):
        if self.writing is not None:
            return  # one batch at a time; this one is picked up when the current write ends
        items, done = self.buffer, self.done
        self.buffer, self.done = [], []
        self.last_flush = time.monotonic()
        if not self.threaded:
            self._written(self._write(items, done), items, done)
            return
        from twisted.internet import threads  # noqa: PLC0415

        writing = threads.deferToThread(self._write, items, done)
        self.writing = writing
        writing.addCallback(self._written, items, done)
        writing.addErrback(self._failed, items, done)

    def _write(self, items, done):
        """The database part, in the worker thread: returns (result, records, error)."""
        job = self.spider.job
        now = dt.datetime.now(UTC)
        runs = self.spider.runs
        try:
            table = store.items_to_table(items, now, pseudonymize_authors=job.get("pseudonymize_authors", False))
            with dbmod.transaction(job["db"]) as con:
                result = store.write_table(con, table)
                records, states = [], []
                for name in done:
                    run = runs[name]  # finished: the spider no longer changes it
                    records.append(self._record(run, result, job["run_id"]))
                    states.append(self._state(run, result, now))
                store.write_fetches(con, records, states)
        except StorageError as exc:
            return None, None, exc
        except Exception as exc:  # never lose the rest of a run to one bad batch
            log.exception("writing a batch failed")
            return None, None, exc
        return result, records, None

    def _failed(self, failure, items, done):
        # Only a bug in _written gets here (_write reports errors in its outcome).
        self.writing = None
        log.error("recording a batch failed: %s", failure.getErrorMessage())
        for name in done:
            self.spider.runs[name].error(f"could not record this source: {failure.getErrorMessage()}"[:300])

    def _written(self, outcome, items, done):
        """Back in the reactor thread: counts, progress events, the next batch."""
        self.writing = None
        result, records, exc = outcome
        runs = self.spider.runs
        if isinstance(exc, StorageError):
            # Keep the batch for the next attempt; a lock held too long is not data loss.
            self.buffer, self.done = items + self.buffer, done + self.done
            self.storage_error = str(exc)
            log.error("cannot write to the database: %s", exc)
            return
        if exc is not None:
            for name in done:
                runs[name].error(f"could not store items: {type(exc).__name__}: {exc}"[:300])
            self.storage_error = f"{type(exc).__name__}: {exc}"
            return
        self.storage_error = None
        for source, count in result.new_by_source.items():
            runs[source].new_items += count
        for source, count in result.updated_by_source.items():
            runs[source].updated_items += count
        for record in records:
            emit({"event": "source_done", "source": record["source"], "status": record["status"],
                  "new": record["new_items"], "updated": record["updated_items"], "seen": record["seen_items"],
                  "error": record["error"]})
        if self.threaded and not self.closing and (len(self.buffer) >= self.FLUSH_ITEMS or
                              (self.done and time.monotonic() - self.last_flush >= self.FLUSH_EVERY_S)):
            self.flush()

    @staticmethod
    def _counts(run, result):
        new = run.new_items + result.new_by_source.get(run.name, 0)
        updated = run.updated_items + result.updated_by_source.get(run.name, 0)
        return new, updated

    def _record(self, run, result, run_id) -> dict:
        new, updated = self._counts(run, result)
        return {
            "run_id": run_id, "source": run.name, "started_at": run.started_at,
            "finished_at": run.finished_at or dt.datetime.now(UTC), "status": run.status,
            "new_items": new, "error": run.error_text, "updated_items": updated,
            "seen_items": len(run.seen_ids), "http_status": run.http_status, "bytes": run.bytes,
            "warnings": "; ".join(run.warnings)[:1000] or None,
        }

    def _state(self, run, result, now) -> dict:
        new, _ = self._counts(run, result)
        return next_source_state(
            run.state, source=run.name, status=run.status, now=now, error=run.error_text,
            new_items=new, seen_items=len(run.seen_ids), etag=run.etag, last_modified=run.last_modified,
            cursor=run.cursor_json(), collect=self.spider.collect_cfg,
        )
