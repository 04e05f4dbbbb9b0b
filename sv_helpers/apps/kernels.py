"""The Voila server's kernel manager: a kernel handed to a page is not culled before the page can reach it.

``voila.json`` names :class:`PageKernels` as ``VoilaConfiguration.multi_kernel_manager_class``; Voila wraps it
in its pool (``preheat_kernel``), and ``make app MEETING=...`` paces the pool's warm-ups on top of it
(``scripts/voila_pool.py``).

Why: Voila's culler (``MappingKernelManager.cull_idle_timeout``, 300 s in ``voila.json``) shuts down a kernel
that has been idle that long with no page connected. A pooled kernel is idle from the moment its notebook
has run, and Voila does not cull it while it waits in the pool. But when a page takes it, it is already
"idle" for as long as it waited, and has no connection until the page's scripts have loaded and asked for
it. If the culler's round (every ``cull_interval``, 60 s) falls in those seconds, the kernel is shut down
under the page, whose widgets then never appear ("The model for kernel id ... does not exist" in the
browser's console). It hit the landing page, which, unlike the apps, runs nothing in its kernel when a page
arrives; a slow machine or a slow network widens the gap. Reproduced by
``tests/browser/test_kernels_culled_in_browser.py``.

The rule here: a kernel that no page has connected to yet is kept for ``cull_idle_timeout`` from the first
round of the culler that finds it outside the pool, then culled as before. A closed page's kernel (it had a
connection) and a dead kernel are culled exactly as Jupyter Server culls them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async


class PageKernels(AsyncMappingKernelManager):
    """Jupyter Server's kernel manager, with a grace period for a kernel no page has connected to yet."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        #: kernel id -> when the culler first looked at it (outside the pool, when Voila pools kernels)
        self._first_looked_at: dict = {}
        #: kernels a page has connected to at least once
        self._ever_connected: set = set()

    def notify_connect(self, kernel_id: str) -> None:
        self._ever_connected.add(kernel_id)
        super().notify_connect(kernel_id)

    def waiting_for_a_page(self, kernel_id: str) -> bool:
        """True while a kernel no page has connected to is within its grace period."""
        if kernel_id in self._ever_connected:
            return False
        kernel = self._kernels.get(kernel_id)
        if kernel is None or getattr(kernel, "execution_state", None) == "dead":
            return False
        now = datetime.now(UTC)
        first = self._first_looked_at.setdefault(kernel_id, now)
        return now - first <= timedelta(seconds=self.cull_idle_timeout)

    async def cull_kernel_if_idle(self, kernel_id: str):
        if self.waiting_for_a_page(kernel_id):
            self.log.debug("Kernel %s: no page has connected yet; not culled this round", kernel_id)
            return None
        return await ensure_async(super().cull_kernel_if_idle(kernel_id))

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs):
        self._first_looked_at.pop(kernel_id, None)
        self._ever_connected.discard(kernel_id)
        return await ensure_async(super().shutdown_kernel(kernel_id, *args, **kwargs))
