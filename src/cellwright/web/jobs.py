"""Study runs started from the web app: one background thread each, their progress kept in
memory (rows done of the total) until the server stops."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Most study runs at once (the machine's cores are shared with the requests).
MAX_RUNNING = 1
#: Largest study the web app runs, rows (the command line runs any size).
MAX_STUDY_ROWS = 2000


@dataclass
class Job:
    id: str
    study: str
    out: str
    state: str = "running"  # running, done, failed
    done: int = 0
    total: int = 0
    error: str | None = None
    rows: int | None = None
    seconds: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class Jobs:
    jobs: dict[str, Job] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def running(self) -> int:
        return sum(j.state == "running" for j in self.jobs.values())

    def start(self, study_path: Path, out: Path) -> Job:
        """Check the study (its size included) in the caller's thread, then run it in a new one;
        a mistake in the study is the caller's SpecError."""
        from ..errors import SpecError
        from ..studies.methods import plan as make_plan
        from ..studies.spec import load_study

        total = int(make_plan(load_study(study_path)).n_total)
        if total > MAX_STUDY_ROWS:
            raise SpecError("study", f"{total:,} rows", f"a study of at most {MAX_STUDY_ROWS:,} rows in the web app")
        with self.lock:
            if self.running() >= MAX_RUNNING:
                raise SpecError("study", study_path.name, "one study at a time; wait for the running one to finish")
            job = Job(uuid.uuid4().hex[:12], study_path.name, out.name, total=total)
            self.jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, study_path, out), daemon=True).start()
        return job

    def _run(self, job: Job, study_path: Path, out: Path) -> None:
        from ..studies.runner import run

        def rows(done: int, total: int) -> None:
            job.done, job.total = done, total

        try:
            summary = run(study_path, out, progress=False, on_rows=rows, max_rows=MAX_STUDY_ROWS)
            job.rows, job.seconds, job.done, job.state = summary.rows, summary.seconds, summary.rows, "done"
        except Exception as exc:  # reported to the page, which polls for it
            job.error, job.state = " ".join(str(exc).split()) or type(exc).__name__, "failed"
