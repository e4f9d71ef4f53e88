"""In the app's process, the Report a run's caller gets: from what the run sent back, or from why it could not run."""

from __future__ import annotations

import time

from modbox.report import Error, Report, Timing
from modbox.sandbox.host import outcome
from modbox.sandbox.host.runs import Run


def finished(run: Run, tier: str, now: float) -> Report:
    """The Report of a run whose exit (or death) the supervisor has seen."""
    exit_ = run.exit or {}
    result = run.result
    models, inspector_failed = _models(result)
    stderr = run.err.text()
    if inspector_failed:
        # modbox's own inspector failed, not the learner's code: say so where they look.
        stderr += f"[modbox] the inspector failed, so no models are shown: {inspector_failed}\n"
    error = outcome.error_for(
        result, exit_.get("code"), exit_.get("cpu_s", 0.0), run.stopped, stderr,
        run.limits, run.filename,
    )
    report = Report(
        ok=error is None,
        error=error,
        stdout=run.out.text(),
        stderr=stderr,
        stdout_dropped=run.out.dropped,
        stderr_dropped=run.err.dropped,
        events=run.events,
        sandbox=tier,
    )
    report.models = models
    if result is not None and result.get("t") == "result":
        if error is None:
            report.values = _values(result)
        total = result.get("events_total")
        report.events_total = total if isinstance(total, int) else run.events_received
    else:
        report.events_total = run.events_received
    report.events_total = max(report.events_total, len(run.events))
    report.events_dropped = report.events_total - len(run.events)
    run_ms = (result or {}).get("run_ms")
    report.timing = Timing(
        run=run_ms if isinstance(run_ms, (int, float)) else (now - run.sent_at) * 1000,
        total=(now - run.submitted) * 1000,
    )
    return report


def _models(result: dict | None) -> tuple[list, str]:
    """The models the inspector described, and why it failed ("" when it did not)."""
    if result is None or result.get("t") != "result":
        return [], ""
    try:
        models = Report.from_dict({"models": result.get("models") or []}).models
    except (TypeError, ValueError, AttributeError, KeyError) as e:
        return [], f"its description of the models could not be read ({type(e).__name__}: {e})"
    return models, result.get("probe_error") or ""


def _values(result: dict) -> list:
    """The answers to the expressions the caller asked about (see Sandbox.run's ``evaluate``)."""
    try:
        return Report.from_dict({"values": result.get("values") or []}).values
    except (TypeError, ValueError, AttributeError, KeyError):
        return []


def not_started(run: Run, tier: str, why: str) -> Report:
    """The Report of a run that no zygote could start."""
    error = Error(
        "sandbox",
        f"The sandbox could not start ({why}). Run `modbox doctor` to see what is missing.",
    )
    report = Report(ok=False, error=error, sandbox=tier)
    report.timing.total = (time.monotonic() - run.submitted) * 1000
    return report


def broken(tier: str, why: str) -> Report:
    """The Report of every run after the supervisor stopped on an error of modbox's own."""
    error = Error(
        "sandbox",
        f"modbox's sandbox stopped after an internal error ({why}). "
        "Restart modbox, and please report this.",
    )
    return Report(ok=False, error=error, sandbox=tier)
