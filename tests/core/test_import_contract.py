"""The import contract (pyproject.toml `[tool.importlinter]`) really catches what it forbids.

Each test runs the real checker, `lint-imports`, with the project's own configuration, on a throwaway copy
of the package with one deliberate violation added, and asserts that the contract breaks on exactly that
import. The circle check is the project's own contract type (`tools/import_contracts.py`): import-linter's
built-in `acyclic_siblings` only sees circles between sibling packages, not between any two modules.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "telqc"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's config over the package found first on PYTHONPATH (``src``)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(ROOT)])}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache", "--no-logo"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _copy_with(tmp_path: Path, modules: dict[str, str]) -> Path:
    src = tmp_path / "src"
    shutil.copytree(PACKAGE, src / "telqc", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "static"))
    for dotted, code in modules.items():
        (src / Path(*dotted.split("."))).with_suffix(".py").write_text(code, encoding="utf-8")
    return src


def _verdicts(out: str) -> dict[str, str]:
    """Contract name -> KEPT / BROKEN, from the summary lines."""
    found = {}
    for line in out.splitlines():
        for verdict in (" KEPT", " BROKEN"):
            if verdict in line and not line.startswith(("-", " ")):
                found[line.split(verdict)[0]] = verdict.strip()
    return found


def test_the_tree_keeps_the_contract() -> None:
    result = _lint(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 broken." in result.stdout


def test_a_domain_importing_another_domains_models_breaks_it(tmp_path: Path) -> None:
    src = _copy_with(tmp_path, {"telqc.inspection.probe": "from telqc.contacts.models import Contact\n\nX = Contact\n"})
    result = _lint(src)
    assert result.returncode == 1, result.stdout + result.stderr
    assert _verdicts(result.stdout)["contacts: models and repository are private"] == "BROKEN"
    assert "- telqc.inspection.probe -> telqc.contacts.models (l.1)" in result.stdout
    assert _verdicts(result.stdout)["inspection: models and repository are private"] == "KEPT"


def test_reading_the_published_read_model_is_allowed(tmp_path: Path) -> None:
    src = _copy_with(tmp_path, {"telqc.inspection.probe": "from telqc.contacts.read import CONTACTS\n\nX = CONTACTS\n"})
    result = _lint(src)
    assert _verdicts(result.stdout)["contacts: models and repository are private"] == "KEPT", result.stdout


def test_a_circle_hidden_in_a_function_breaks_it(tmp_path: Path) -> None:
    src = _copy_with(tmp_path, {
        "telqc.customers.probe_a": "from telqc.contacts import probe_b\n\nX = probe_b\n",
        "telqc.contacts.probe_b": "def f() -> object:\n    from telqc.customers import probe_a\n\n    return probe_a\n",
    })
    result = _lint(src)
    assert result.returncode == 1, result.stdout + result.stderr
    assert _verdicts(result.stdout)["no import circles between modules"] == "BROKEN"
    assert "- telqc.contacts.probe_b -> telqc.customers.probe_a -> telqc.contacts.probe_b" in result.stdout


def test_core_importing_a_domain_breaks_it(tmp_path: Path) -> None:
    src = _copy_with(tmp_path, {"telqc.core.probe": "from telqc.orders import service\n\nX = service\n"})
    result = _lint(src)
    assert _verdicts(result.stdout)["core imports no domain, adapter or loader"] == "BROKEN", result.stdout
