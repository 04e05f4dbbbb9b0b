"""Voila's kernel manager with the pool's warm-ups paced: one kernel runs its notebook at a time.

Used by ``scripts/serve_apps.py --meeting`` (``make app MEETING=...``), which puts this folder on Voila's path
and sets ``VoilaConfiguration.multi_kernel_manager_class`` to :class:`PacedWarmUps`.

Why: when twenty councillors open the same app within seconds, each takes a preheated kernel from the pool
and Voila refills the pool at once (after ``fill_delay``): twenty new kernels each import the workbook and
run the whole notebook, on the same cores that are serving the twenty pages. Measured with
``benchmarks/load_apps.py --protocol``, that refill, not the pages, is what made changes slow in the
meeting. Here a kernel being warmed (a pool kernel: Voila starts it with ``VOILA_PREHEAT=True``) waits for
the one before it to finish its notebook (it has reached ``voila.utils.wait_for_request()``: Voila's
``RequestInfoSocketHandler`` holds its connection; a notebook that never waits counts as warm when its
process has been quiet for a second), so at most
``warm_ups_at_once`` cores (default 1) warm kernels and the others serve the pages. A page that finds
no kernel ready in the pool still gets one started at once (Voila's own path, not paced).

The price: the pool fills more slowly when the server starts (one kernel after the other) and refills
more slowly after a meeting's arrival; ``serve_apps.py`` waits for the whole pool before it says the apps
are ready.
"""

from __future__ import annotations

import asyncio
import time

import psutil
from traitlets import Float, Int
from voila.request_info_handler import RequestInfoSocketHandler

from sv_helpers.apps.kernels import PageKernels

#: Share of one core under which a kernel counts as quiet (ipykernel's own threads use about 1 %).
QUIET = 0.05
#: Seconds a warming kernel must stay quiet to count as warm.
QUIET_S = 1.0
#: Seconds between two looks at a warming kernel.
POLL_S = 0.25


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


class PacedWarmUps(PageKernels):
    """Start pool kernels one (``warm_ups_at_once``) at a time; start a page's own kernel at once.

    A kernel handed to a page keeps :class:`~sv_helpers.apps.kernels.PageKernels`' grace before the culler."""

    warm_ups_at_once = Int(1, config=True, help="Pool kernels that may run their notebook at the same time.")
    warm_up_timeout = Float(180.0, config=True, help="Seconds after which a warming kernel stops holding the turn.")

    _turns: asyncio.Semaphore | None = None
    _handing_on: set = set()

    async def start_kernel(self, *args, **kwargs) -> str:
        """Start a kernel; a pool kernel first waits its turn, and holds it until it has run its notebook."""
        if (kwargs.get("env") or {}).get("VOILA_PREHEAT") != "True":
            return await super().start_kernel(*args, **kwargs)
        if self._turns is None:
            self._turns = asyncio.Semaphore(max(self.warm_ups_at_once, 1))
        await self._turns.acquire()
        try:
            kernel_id = await super().start_kernel(*args, **kwargs)
        except BaseException:
            self._turns.release()
            raise
        task = asyncio.get_running_loop().create_task(self._hand_on_when_warm(kernel_id))
        self._handing_on.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._handing_on.discard)
        return kernel_id

    async def _hand_on_when_warm(self, kernel_id: str) -> None:
        """Give the turn to the next pool kernel once this one's process has been quiet for ``QUIET_S``."""
        waited = 0.0
        try:
            process = psutil.Process(self.get_kernel(kernel_id).provisioner.pid)
            start = time.monotonic()
            await asyncio.sleep(QUIET_S)  # its notebook starts only once Voila has the kernel
            before, quiet_for = _cpu_seconds(process), 0.0
            while time.monotonic() - start < self.warm_up_timeout and quiet_for < QUIET_S:
                if kernel_id in RequestInfoSocketHandler._waiters:
                    break  # it has run its notebook up to voila.utils.wait_for_request(): warm
                await asyncio.sleep(POLL_S)
                now = _cpu_seconds(process)
                quiet_for = quiet_for + POLL_S if (now - before) / POLL_S < QUIET else 0.0
                before = now
            waited = time.monotonic() - start
        except (KeyError, AttributeError, TypeError, psutil.Error) as e:
            self.log.info("Pool kernel %s: not followed (%s); the next warm-up starts", kernel_id, e)
        finally:
            self.log.info("Pool kernel %s warm after %.1f s; the next warm-up starts", kernel_id, waited)
            self._turns.release()
