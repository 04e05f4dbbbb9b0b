# The Social Value Workbook's image: the locked environment (requirements.lock, hashes checked), the workbook,
# and JupyterHub's proxy. One image serves as:
#   - the single-user image for Zero to JupyterHub (deploy/z2jh/values.yaml; the default command), and
#   - a one-container hub for trying it out:
#       docker run -p 8000:8000 -e SV_HUB_IP=0.0.0.0 ... IMAGE jupyterhub -f deploy/jupyterhub/jupyterhub_config.py
#     (the development log-in refuses to listen beyond loopback: set SV_HUB_AUTHENTICATOR to azuread or ldap).
# Build: docker build -t sv-workbook .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLBACKEND=Agg \
    PYDEVD_DISABLE_FILE_VALIDATION=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    JUPYTER_PATH=/srv/workbook/share/jupyter \
    JUPYTER_CONFIG_PATH=/srv/workbook \
    SV_WORKBOOK_DIR=/srv/workbook

# Debian's Node.js and npm for JupyterHub's proxy (configurable-http-proxy, from the npm registry).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm tini \
 && npm install -g --no-audit --no-fund configurable-http-proxy \
 && npm cache clean --force \
 && rm -rf /var/lib/apt/lists/*

# The locked environment first, in its own layer: it changes only when requirements.lock does.
COPY requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/venv \
 && pip install --require-hashes -r /tmp/requirements.lock

# The workbook (see .dockerignore), installed without dependencies: the lock has them all.
WORKDIR /srv/workbook
COPY . /srv/workbook
RUN pip install --no-deps -e . \
 && python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (workbook)" \
 && useradd --create-home --uid 1000 --shell /bin/bash jovyan \
 && mkdir -p /srv/workbook/outputs && chown jovyan /srv/workbook/outputs

USER jovyan
WORKDIR /home/jovyan
EXPOSE 8888
ENTRYPOINT ["tini", "--"]
CMD ["jupyterhub-singleuser"]
