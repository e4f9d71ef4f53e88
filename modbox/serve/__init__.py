"""``modbox serve``: modbox in a browser, one app process (and one sandbox) per tab.

textual-serve does the terminal in the page and the process per connection; this package adds
what a browser on a network needs around it: a token in the URL and a cookie after it, an origin
check on the websocket, a limit on open tabs, every asset served from here, and processes that end
with their tab. ``jupyter`` is the JupyterHub launcher (jupyter-server-proxy), ``tab`` the process
one tab runs. Nothing here is imported by the terminal app.
"""
