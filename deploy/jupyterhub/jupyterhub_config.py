"""JupyterHub configuration for the Social Value Workbook.

Two kinds of user, told apart by JupyterHub group:

- **officers** (group ``officers``, or any group named in ``SV_HUB_OFFICER_GROUPS``) get JupyterLab on the
  workbook, with the apps one click away under ``/voila/``;
- **everyone else is a councillor**: their server runs with ``apps_only_config.py``: the landing page and the
  Voila apps, and no JupyterLab, terminal, file browser, contents API or kernel they can drive by hand.
  Being a councillor is the default, so a user whose groups are missing or misspelt gets the smaller set.

Everything a deployment changes comes from environment variables (defaults in brackets):

``SV_HUB_AUTHENTICATOR`` [dev]
    ``dev``: a shared development password, users named in ``SV_HUB_OFFICERS`` / ``SV_HUB_COUNCILLORS``,
    loopback only, **not for production**. ``azuread``: the council's Entra ID (Azure AD) single sign-on
    through OAuthenticator. ``ldap``: the council's Active Directory through LDAPAuthenticator.
    ``external``: leave the authenticator to a config loaded after this one (TLJH, Zero to JupyterHub).
``SV_HUB_SPAWNER`` [simple]
    ``simple``: every server runs as the hub's own system user (development and tests only: no isolation
    between users). ``local``: one system user per hub user (LocalProcessSpawner; the users must exist).
    ``external``: leave the spawner to TLJH (systemd) or Zero to JupyterHub (Kubernetes); both enforce
    ``SV_HUB_MEM_LIMIT``.
``SV_HUB_IP`` [127.0.0.1], ``SV_HUB_PORT`` [8000], ``SV_HUB_API_PORT`` [8081], ``SV_HUB_PROXY_API_PORT`` [8001]
``SV_HUB_STATE_DIR`` [<repository>/.hub]: the hub's database, cookie secret and proxy pid file.
``SV_WORKBOOK_DIR`` [this repository]: the workbook every server opens.
``SV_HUB_MEM_LIMIT`` [2G] and ``SV_HUB_COUNCILLOR_MEM_LIMIT`` [1G]: memory per officer and per councillor
(their server and its kernels).
``SV_HUB_CULL_TIMEOUT`` [3600] and ``SV_HUB_CULL_EVERY`` [300]: seconds before an idle server is stopped,
and how often the culler looks. ``SV_HUB_ACTIVITY_INTERVAL`` [300]: how often servers and the proxy report
activity to the hub. ``SV_KERNEL_CULL_TIMEOUT`` [600]: idle app kernels inside a server.
``SV_STORE_URL``: the shared PostgreSQL scenario store (``postgresql+psycopg://...``); passed to every
server. JupyterHub itself sets ``JUPYTERHUB_USER``, which the store records as "who"; the hub passes the
user's groups (``SV_USER_GROUPS``) and the officer groups (``SV_OFFICER_GROUPS``), from which the store
decides who may save, share and record decisions (officers) and who reads what is shared (councillors).

``make hub`` runs the hub through ``run_hub.py``, which stops everything the hub started when it is stopped.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by the traitlets config loader)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WORKBOOK = Path(os.environ.get("SV_WORKBOOK_DIR", str(REPO))).resolve()
BIN = Path(sys.executable).parent
STATE = Path(os.environ.get("SV_HUB_STATE_DIR", str(REPO / ".hub"))).resolve()
STATE.mkdir(parents=True, exist_ok=True)

AUTHENTICATOR = os.environ.get("SV_HUB_AUTHENTICATOR", "dev")
SPAWNER = os.environ.get("SV_HUB_SPAWNER", "simple")
IP = os.environ.get("SV_HUB_IP", "127.0.0.1")
OFFICER_GROUPS = {g.strip() for g in os.environ.get("SV_HUB_OFFICER_GROUPS", "officers").split(",") if g.strip()}
ACTIVITY_INTERVAL = int(os.environ.get("SV_HUB_ACTIVITY_INTERVAL", "300"))


def _names(variable: str, default: str) -> list[str]:
    return [n.strip() for n in os.environ.get(variable, default).split(",") if n.strip()]


# --- Network: the public port goes through configurable-http-proxy; the hub's API stays on loopback. ---
c.JupyterHub.bind_url = f"http://{IP}:{os.environ.get('SV_HUB_PORT', '8000')}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ.get('SV_HUB_API_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('SV_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.last_activity_interval = ACTIVITY_INTERVAL
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server

# --- Who may log in ----------------------------------------------------------------------------------
if AUTHENTICATOR == "dev":
    if IP not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("The development log-in (SV_HUB_AUTHENTICATOR=dev) only listens on 127.0.0.1.")
    officers = _names("SV_HUB_OFFICERS", "officer")
    councillors = _names("SV_HUB_COUNCILLORS", "councillor")
    password = os.environ.get("SV_HUB_DEV_PASSWORD", "workbook-dev")
    print(
        "\n" + "!" * 78 + "\n"
        "!!  DEVELOPMENT LOG-IN: NOT FOR PRODUCTION. One shared password for every user.\n"
        f"!!  Officers: {', '.join(officers)}   Councillors: {', '.join(councillors)}   Password: {password}\n"
        "!!  A council deployment sets SV_HUB_AUTHENTICATOR=azuread or ldap (deploy/README.md).\n" + "!" * 78 + "\n",
        file=sys.stderr,
        flush=True,
    )
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = password
    c.Authenticator.allowed_users = set(officers) | set(councillors)
    c.JupyterHub.load_groups = {"officers": {"users": officers}, "councillors": {"users": councillors}}
elif AUTHENTICATOR == "azuread":
    # Entra ID (Azure AD) single sign-on: `pip install oauthenticator`, register an app in Entra ID with the
    # redirect URI https://<hub address>/hub/oauth_callback, and add a "groups" claim to its ID token.
    # Entra ID sends group object IDs: put the officers' group ID in SV_HUB_OFFICER_GROUPS.
    c.JupyterHub.authenticator_class = "azuread"
    c.AzureAdOAuthenticator.tenant_id = os.environ["AAD_TENANT_ID"]
    c.AzureAdOAuthenticator.client_id = os.environ["AAD_CLIENT_ID"]
    c.AzureAdOAuthenticator.client_secret = os.environ["AAD_CLIENT_SECRET"]
    c.AzureAdOAuthenticator.oauth_callback_url = os.environ["SV_HUB_OAUTH_CALLBACK_URL"]
    c.AzureAdOAuthenticator.scope = ["openid", "email", "profile"]
    c.AzureAdOAuthenticator.username_claim = "preferred_username"
    c.AzureAdOAuthenticator.user_groups_claim = "groups"
    c.AzureAdOAuthenticator.manage_groups = True  # hub groups follow Entra ID groups at every log-in
    c.AzureAdOAuthenticator.allowed_groups = set(_names("SV_HUB_ALLOWED_GROUPS", "")) | OFFICER_GROUPS
elif AUTHENTICATOR == "ldap":
    # Active Directory over LDAP: `pip install jupyterhub-ldapauthenticator`. Officers are named in
    # SV_HUB_OFFICERS (LDAPAuthenticator checks membership of allowed_groups; it does not copy them to hub groups).
    c.JupyterHub.authenticator_class = "ldap"
    c.LDAPAuthenticator.server_address = os.environ["SV_LDAP_SERVER"]
    c.LDAPAuthenticator.tls_strategy = "on_connect"
    c.LDAPAuthenticator.lookup_dn = True
    c.LDAPAuthenticator.lookup_dn_search_user = os.environ["SV_LDAP_SEARCH_USER"]
    c.LDAPAuthenticator.lookup_dn_search_password = os.environ["SV_LDAP_SEARCH_PASSWORD"]
    c.LDAPAuthenticator.user_search_base = os.environ["SV_LDAP_USER_SEARCH_BASE"]
    c.LDAPAuthenticator.user_attribute = "sAMAccountName"
    c.LDAPAuthenticator.allowed_groups = _names("SV_LDAP_ALLOWED_GROUPS", "")
    c.JupyterHub.load_groups = {"officers": {"users": _names("SV_HUB_OFFICERS", "")}}
elif AUTHENTICATOR != "external":
    raise SystemExit(f"SV_HUB_AUTHENTICATOR must be dev, azuread, ldap or external, not {AUTHENTICATOR!r}.")

# --- Where each user's server runs -------------------------------------------------------------------
if SPAWNER == "simple":
    c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: development and tests only
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
elif SPAWNER == "local":
    c.JupyterHub.spawner_class = "localprocess"
elif SPAWNER != "external":
    raise SystemExit(f"SV_HUB_SPAWNER must be simple, local or external, not {SPAWNER!r}.")

if SPAWNER != "external":
    c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]  # the same environment (the lock) as the hub
c.Spawner.disable_user_config = True  # no ~/.jupyter config: a server is configured here and nowhere else
c.Spawner.start_timeout = 300  # upper bounds: a busy machine at a committee's arrival is slow to start servers
c.Spawner.http_timeout = 180
# Memory per user, set per role below: enforced by TLJH's systemd spawner and by Kubernetes; a plain local
# process (the development spawners) only sees it as MEM_LIMIT. Sizing: deploy/README.md.
OFFICER_MEM_LIMIT = os.environ.get("SV_HUB_MEM_LIMIT", "2G")
COUNCILLOR_MEM_LIMIT = os.environ.get("SV_HUB_COUNCILLOR_MEM_LIMIT", "1G")
c.Spawner.mem_limit = COUNCILLOR_MEM_LIMIT
c.Spawner.env_keep = ["JUPYTERHUB_SINGLEUSER_APP", "LANG", "LC_ALL", "SV_STORE_URL"]
c.Spawner.environment = {
    # The workbook's Voila template and voila.json (the repository root is the config folder it lives in).
    "JUPYTER_PATH": str(WORKBOOK / "share" / "jupyter"),
    "JUPYTER_CONFIG_PATH": str(WORKBOOK),
    "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
    "MPLBACKEND": "Agg",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "JUPYTERHUB_ACTIVITY_INTERVAL": str(ACTIVITY_INTERVAL),
    "SV_KERNEL_CULL_TIMEOUT": os.environ.get("SV_KERNEL_CULL_TIMEOUT", "600"),
    "SV_KERNEL_CULL_INTERVAL": os.environ.get("SV_KERNEL_CULL_INTERVAL", "60"),
}
if "SV_STORE_URL" in os.environ:
    c.Spawner.environment["SV_STORE_URL"] = os.environ["SV_STORE_URL"]


def is_officer(user) -> bool:
    """Return whether a hub user gets JupyterLab (member of an officers group); everyone else gets the apps."""
    return any(group.name in OFFICER_GROUPS for group in user.groups)


def role_environment(user, role: str) -> dict[str, str]:
    """What the store needs to tell officers from councillors (``sv_helpers.store.access``): the user's hub
    groups and which groups are officers. Read when the server starts: a change of groups applies from the
    user's next server start."""
    return {
        "SV_HUB_ROLE": role,
        "SV_USER_GROUPS": ",".join(sorted(group.name for group in user.groups)),
        "SV_OFFICER_GROUPS": ",".join(sorted(OFFICER_GROUPS)),
    }


def give_each_role_its_server(spawner) -> None:
    """Before a server starts: JupyterLab on the workbook for officers, the apps only for everyone else."""
    extra = ["--ServerApp.allow_root=True"] if SPAWNER == "simple" and os.getuid() == 0 else []
    if is_officer(spawner.user):
        spawner.notebook_dir = str(WORKBOOK)
        spawner.default_url = "/lab/tree/notebooks/index.ipynb"
        spawner.mem_limit = OFFICER_MEM_LIMIT
        spawner.args = [f"--config={HERE / 'workbook_server_config.py'}", *extra]
        role = "officer"
    else:
        spawner.notebook_dir = str(WORKBOOK / "notebooks")
        spawner.default_url = "/voila/render/index.ipynb"
        spawner.mem_limit = COUNCILLOR_MEM_LIMIT
        spawner.args = [f"--config={HERE / 'apps_only_config.py'}", *extra]
        role = "councillor"
    # A copy, never shared between users: the role and the groups the store reads.
    spawner.environment = {**spawner.environment, **role_environment(spawner.user, role)}


c.Spawner.pre_spawn_hook = give_each_role_its_server

# --- Idle servers are stopped by jupyterhub-idle-culler, a hub service with only the rights it needs. ---
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={os.environ.get('SV_HUB_CULL_TIMEOUT', '3600')}",
            f"--cull-every={os.environ.get('SV_HUB_CULL_EVERY', '300')}",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]

# --- Before a meeting: councillors' servers started ahead (scripts/start_meeting.py, README "Before a meeting").
# Only when an administrator sets SV_HUB_MEETING_TOKEN (a long random secret, e.g. `openssl rand -hex 32`):
# a service holding it may list users and start or stop their servers, nothing else.
if os.environ.get("SV_HUB_MEETING_TOKEN"):
    c.JupyterHub.services.append({"name": "meeting", "api_token": os.environ["SV_HUB_MEETING_TOKEN"]})
    c.JupyterHub.load_roles.append(
        {"name": "meeting", "scopes": ["list:users", "read:users", "read:servers", "servers"], "services": ["meeting"]}
    )
