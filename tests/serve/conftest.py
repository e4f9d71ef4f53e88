"""``modbox serve`` and the JupyterHub launcher: the real server, its tab processes and sandboxes,
driven by headless Chromium (tests/support/serve.py). The browser tests are marked ``slow``; they
skip without Chromium or Playwright, except under ``CI=true``, where they fail."""
