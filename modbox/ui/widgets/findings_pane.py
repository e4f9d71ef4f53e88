"""The Findings pane: the silent bugs the inspector found, in ``modbox.presentation``'s words and
order (warnings first); choosing one shows its line."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from modbox.presentation import finding_text, ranked_findings
from modbox.report import Finding, Report

STYLES = {"warning": "bold yellow", "info": "bold blue", "kind": "bold", "where": "cyan", "line": "dim"}


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
        found = ranked_findings(report) if report else []
        self.findings = [f for _, f in found]
        if not found:
            self.add_option(Option(Text("No findings: nothing silently wrong was spotted.", style="dim"),
                                   disabled=True))
            return
        self.add_options(finding_text(m, f, STYLES) for m, f in found)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.findings):
            self.post_message(self.Chosen(self.findings[event.option_index]))
