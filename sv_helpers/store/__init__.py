"""The scenario store: nothing lost, everything accountable.

::

    from sv_helpers.store import open_store

    store = open_store()                        # var/workbook.sqlite, or SV_STORE_URL
    sid = store.save(result, "Round 3, rank method", note="Draft for the panel")
    settings, paths = store.restore(sid)        # the settings, with the inputs put back as files
    store.share(sid)                            # a draft until an officer shares it with councillors
    store.mark_decision(sid, "Recommended to Cabinet 12 March 2026")
    store.rerun(sid, "outputs/check").identical # True: the tables come out byte for byte the same
    store.verify()                              # [] when nothing was changed after the fact

Who may do what (councillors read what is shared, officers save, share and decide) is
:mod:`sv_helpers.store.access`. See :mod:`sv_helpers.store.api` for the details and ``svw --help`` for
the command line.
"""

from sv_helpers.store.api import (
    Actor,
    Comparison,
    CopyDoesNotVerify,
    NotAllowed,
    Store,
    StoreError,
    StoreUnavailable,
    current_actor,
    current_user,
    default_url,
    open_store,
    record_run,
)

__all__ = [
    "Actor",
    "Comparison",
    "CopyDoesNotVerify",
    "NotAllowed",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "current_actor",
    "current_user",
    "default_url",
    "open_store",
    "record_run",
]
