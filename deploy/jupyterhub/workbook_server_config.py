"""Jupyter Server configuration shared by every user's server (officers' and councillors').

JupyterHub starts officers' servers with ``--config=<this file>``; ``apps_only_config.py`` loads it first.
"""

import os

c = get_config()  # noqa: F821  (provided by the traitlets config loader)

# Voila as a server extension takes MathJax from a CDN unless told otherwise; the workbook's pages make no
# request to any other site (council networks often block them), exactly as under `make app`. The page loads
# no MathJax only when both settings are null.
c.ServerApp.tornado_settings = {"mathjax_url": None, "mathjax_config": None}

# Kernels left behind by closed app pages are shut down; the hub's idle culler then stops the whole server.
c.MappingKernelManager.cull_idle_timeout = int(os.environ.get("SV_KERNEL_CULL_TIMEOUT", "600"))
c.MappingKernelManager.cull_interval = int(os.environ.get("SV_KERNEL_CULL_INTERVAL", "60"))
c.MappingKernelManager.cull_connected = False
