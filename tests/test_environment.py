"""environment.yml (conda) and pyproject.toml (pip) list the same packages."""

import re
import tomllib

import yaml

from sv_helpers.paths import REPO_ROOT

# conda-forge and PyPI spell a few packages differently.
CONDA_NAMES = {}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_and_pyproject_list_the_same_dependencies():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    pip_specs = project["dependencies"] + [d for group in project["optional-dependencies"].values() for d in group]
    pip_names = {_name(s): s.replace(" ", "") for s in pip_specs}
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    conda_specs, pip_section = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_section += dep.get("pip", [])
        else:
            conda_specs.append(dep)
    env_names = {CONDA_NAMES.get(_name(s), _name(s)): s.replace(" ", "") for s in conda_specs + pip_section if not s.startswith("-")}
    env_names.pop("python", None)
    env_names.pop("pip", None)
    assert set(env_names) == set(pip_names), f"only in environment.yml: {set(env_names) - set(pip_names)}; only in pyproject.toml: {set(pip_names) - set(env_names)}"
    for name, spec in pip_names.items():
        assert env_names[name] == spec, f"{name}: environment.yml says {env_names[name]}, pyproject.toml says {spec}"
