"""Sandbox tests: the sandbox contract on every isolation tier this machine offers. The
``sandbox_*`` fixtures are in tests/conftest.py (the probe and lesson tests use them too); the
helpers that find what a run left behind are in tests/support/sandbox.py."""
