"""Jupyter Server configuration for a councillor's single-user server: the apps, nothing else.

JupyterHub starts every councillor's server with ``--config=<this file>`` (see ``jupyterhub_config.py``).
A councillor gets the workbook's landing page and its Voila apps; they get no JupyterLab, no terminal,
no file browser or contents API, and no kernel they can drive by hand. Four layers, each enough on its own
for the thing it guards, so that one mistake does not open the server:

1. The server extensions that give code access are switched off (JupyterLab, terminals, language servers,
   the classic notebook). Their pages answer 404.
2. The authorizer refuses every Jupyter Server REST call (contents, files, kernels, sessions, terminals,
   kernelspecs, nbconvert, config, events, shutdown) with 403. The two things allowed are what a Voila page
   does to draw its widgets: read one kernel's model by its id and open that kernel's websocket. Voila itself
   starts and runs the kernel on the server, not through the REST API.
3. That websocket carries widget messages only: ``MappingKernelManager.allowed_message_types`` drops
   ``execute_request`` and every other message a code console would send, so a councillor cannot run code
   in the app's kernel by crafting messages.
4. Idle kernels are shut down (``workbook_server_config.py``), and the server's root is the notebooks folder.
"""

from pathlib import Path

from jupyterhub.singleuser.extension import JupyterHubAuthorizer

c = get_config()  # noqa: F821  (provided by the traitlets config loader)
load_subconfig("workbook_server_config.py", path=str(Path(__file__).resolve().parent))  # noqa: F821

# 1. Only the hub's own extension and Voila. Extensions not named here keep their default (enabled if
#    installed), so every code-giving extension the image installs is named.
c.ServerApp.jpserver_extensions = {
    "voila.server_extension": True,
    "jupyterlab": False,
    "jupyter_server_terminals": False,
    "jupyter_lsp": False,
    "notebook": False,
    "notebook_shim": False,
    "nbclassic": False,
    "jupyter_collaboration": False,
    "jupyter_server_ydoc": False,
    "jupyter_resource_usage": False,
}
c.ServerApp.terminals_enabled = False
c.ServerApp.default_url = "/voila/render/index.ipynb"

# Messages a Voila page sends on its kernel's websocket: widget traffic and the start-up handshake.
WIDGET_MESSAGE_TYPES = [
    "comm_open",
    "comm_msg",
    "comm_close",
    "comm_info_request",
    "kernel_info_request",
]


class AppsOnlyAuthorizer(JupyterHubAuthorizer):
    """Refuse every REST call; allow only the kernel websocket a Voila page uses.

    The hub's own check (the user holds ``access:servers`` on this server) still runs for what is allowed.
    """

    def is_authorized(self, handler, user, action, resource):
        """Return whether ``user`` may take ``action`` on ``resource`` (see the module docstring)."""
        from jupyter_server.services.kernels.handlers import KernelHandler
        from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

        # The Voila page reads its own kernel's model (GET /api/kernels/<id>), then opens its websocket.
        is_voila_page_call = (resource, action, type(handler)) in {
            ("kernels", "read", KernelHandler),
            ("kernels", "execute", KernelWebsocketHandler),
        }
        if is_voila_page_call and handler.request.method == "GET":
            return super().is_authorized(handler, user, action, resource)
        self.log.warning("Apps-only server: refused %s on %s (%s)", action, resource, handler.request.path)
        return False


# 2. and 3.
c.ServerApp.authorizer_class = AppsOnlyAuthorizer
c.MappingKernelManager.allowed_message_types = WIDGET_MESSAGE_TYPES
