"""The Littlest JupyterHub: the workbook's roles. Copy to /opt/tljh/config/jupyterhub_config.d/workbook.py.

TLJH loads this after its own configuration (systemd spawner, its proxy, its idle culler), so only the
workbook's rule is here: officers get JupyterLab on the workbook, everyone else the apps only.
See deploy/README.md for the whole route (authenticator, memory limit, culling, the store).
"""

import os

c = get_config()  # noqa: F821  (provided by the traitlets config loader)

WORKBOOK = os.environ.get("SV_WORKBOOK_DIR", "/srv/workbook")
CONFIG = f"{WORKBOOK}/deploy/jupyterhub"
OFFICER_GROUPS = {g.strip() for g in os.environ.get("SV_HUB_OFFICER_GROUPS", "officers").split(",") if g.strip()}


def give_each_role_its_server(spawner) -> None:
    """JupyterLab on the workbook for officers; the apps only (apps_only_config.py) for everyone else."""
    spawner.environment = {
        **spawner.environment,
        "JUPYTER_PATH": f"{WORKBOOK}/share/jupyter",
        "JUPYTER_CONFIG_PATH": WORKBOOK,
        "MPLBACKEND": "Agg",
        # The shared scenario store: set SV_STORE_URL in the hub's systemd unit (deploy/README.md).
        "SV_STORE_URL": os.environ.get("SV_STORE_URL", ""),
        # Who may save, share and decide in the store (sv_helpers/store/access.py): the user's groups.
        "SV_USER_GROUPS": ",".join(sorted(group.name for group in spawner.user.groups)),
        "SV_OFFICER_GROUPS": ",".join(sorted(OFFICER_GROUPS)),
    }
    if any(group.name in OFFICER_GROUPS for group in spawner.user.groups):
        spawner.default_url = "/lab/tree/notebooks/index.ipynb"
        spawner.mem_limit = "2G"  # enforced by TLJH's systemd spawner; sizing in deploy/README.md
        spawner.notebook_dir = WORKBOOK
        spawner.args = [f"--config={CONFIG}/workbook_server_config.py"]
        spawner.environment = {**spawner.environment, "SV_HUB_ROLE": "officer"}  # a copy: never shared
    else:
        spawner.default_url = "/voila/render/index.ipynb"
        spawner.mem_limit = "1G"
        spawner.notebook_dir = f"{WORKBOOK}/notebooks"
        spawner.args = [f"--config={CONFIG}/apps_only_config.py"]
        spawner.environment = {**spawner.environment, "SV_HUB_ROLE": "councillor"}  # a copy: never shared


c.Spawner.pre_spawn_hook = give_each_role_its_server
