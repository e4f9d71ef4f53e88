"""Probe tests: the instrumentation and inspection that run inside the run child, mostly run in
this process the way the run child does (tests/support/probe.py), and through a real sandbox
where the process boundary matters."""
