"""The Textual app: the editor beside live panes of the learner's model.

This is the only package that imports textual. It never imports torch: learner code runs in the
sandbox, and everything shown here is drawn from the Report it sends back.
"""
