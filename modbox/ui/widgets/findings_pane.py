"""The Findings pane: the silent bugs the inspector found, warnings first; choosing one shows its line."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from modbox.report import Finding, Report


def all_findings(report: Report) -> list[tuple[str, Finding]]:
    """(model name, finding) for every model and the run's tampering, warnings before infos,
    then by line."""
    found = [(m.name, f) for m in report.models for f in m.findings]
    found += [("", f) for f in report.tampering]  # about the whole run
    return sorted(found, key=lambda mf: (mf[1].severity != "warning", mf[1].line or 0))


def finding_text(model: str, finding: Finding) -> Text:
    warn = finding.severity == "warning"
    text = Text.assemble(("⚠ " if warn else "• ", "bold yellow" if warn else "bold blue"))
    text.append(finding.kind, style="bold")
    where = ".".join(p for p in (model, finding.path) if p)
    if where:
        text.append(f"  {where}", style="cyan")
    if finding.line:
        text.append(f"  line {finding.line}", style="dim")
    text.append(f"\n  {finding.message}")
    return text


class FindingsPane(OptionList):
    class Chosen(Message):
        """The learner chose a finding: ``line`` is where it points in their file (or None)."""

        def __init__(self, finding: Finding):
            super().__init__()
            self.finding = finding
            self.line = finding.line

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.findings: list[Finding] = []

    def show_report(self, report: Report | None) -> None:
        self.clear_options()
        found = all_findings(report) if report else []
        self.findings = [f for _, f in found]
        if not found:
            self.add_option(Option(Text("No findings: nothing silently wrong was spotted.", style="dim"),
                                   disabled=True))
            return
        self.add_options(finding_text(m, f) for m, f in found)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.findings):
            self.post_message(self.Chosen(self.findings[event.option_index]))
