"""environment.yml (conda) and pyproject.toml (pip) list the same packages."""

import re
import tomllib

import yaml

from sv_helpers.core.paths import REPO_ROOT

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
    env_names = {
        CONDA_NAMES.get(_name(s), _name(s)): s.replace(" ", "")
        for s in conda_specs + pip_section
        if not s.startswith("-")
    }
    env_names.pop("python", None)
    env_names.pop("pip", None)
    assert set(env_names) == set(pip_names), (
        f"only in environment.yml: {set(env_names) - set(pip_names)}; only in pyproject.toml: {set(pip_names) - set(env_names)}"
    )
    for name, spec in pip_names.items():
        assert env_names[name] == spec, f"{name}: environment.yml says {env_names[name]}, pyproject.toml says {spec}"


def _lock_python_version(lock_text: str) -> str:
    match = re.search(r"--python-version[ =](\d+\.\d+)", lock_text)
    assert match, "requirements.lock's header must record the --python-version it was resolved for (make lock does)"
    return match.group(1)


def test_environment_yml_pyproject_and_the_lock_agree_on_the_python_version():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    minimum = re.fullmatch(r">=\s*(\d+\.\d+)", project["requires-python"].strip())
    assert minimum, f"requires-python should read '>=3.X', not {project['requires-python']!r}"
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    conda_python = [d for d in env["dependencies"] if isinstance(d, str) and _name(d) == "python"]
    assert conda_python == [f"python={minimum.group(1)}"], f"environment.yml pins {conda_python}"
    assert _lock_python_version((REPO_ROOT / "requirements.lock").read_text()) == minimum.group(1)


def test_the_lock_pins_every_dependency_with_hashes():
    """Every package pyproject.toml names is pinned (==) in requirements.lock, and every pin carries a hash."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    lock = (REPO_ROOT / "requirements.lock").read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(\S+)", lock, flags=re.MULTILINE))
    pinned = {name.lower().replace("_", "-").replace(".", "-") for name in pins}
    specs = project["dependencies"] + [d for group in project["optional-dependencies"].values() for d in group]
    missing = {_name(s) for s in specs} - pinned
    assert not missing, f"not in requirements.lock (run `make lock`): {sorted(missing)}"
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 2)[-1])
    unhashed = [e.split("==")[0] for e in entries if "==" in e and "--hash=sha256:" not in e]
    assert not unhashed, f"pinned without a hash: {unhashed}"


def test_binder_environment_is_the_conda_environment_less_the_workbook_itself():
    """repo2docker installs binder/environment.yml before copying the repository; binder/postBuild installs it."""
    root = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    binder = yaml.safe_load((REPO_ROOT / "binder" / "environment.yml").read_text())
    for env in (root, binder):
        for dep in env["dependencies"]:
            if isinstance(dep, dict):
                dep["pip"] = [p for p in dep["pip"] if p != "-e ."]
    assert binder == root
    post_build = (REPO_ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build and "share/jupyter/voila/templates" in post_build
