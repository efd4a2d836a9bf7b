"""Every source the session core cites exists; settings are unique and honest; the core stays pure."""

import ast
import re
from pathlib import Path

import ketamine_clinic.clinical.session as session
from ketamine_clinic.clinical.sources import SOURCES

PACKAGE = Path(session.__file__).parent
KEY_LIKE = re.compile(r"^[a-z]+(?:-[a-z0-9]+)+$")  # "spravato-pi", "asra-2018", "clinic-policy"
COMMENT_KEY = re.compile(r"\(([a-z]+(?:-[a-z0-9]+)+)(?:[,;)]| and )")


def module_files():
    return sorted(PACKAGE.glob("*.py"))


def test_every_key_like_string_in_the_code_is_a_known_source():
    cited = set()
    for path in module_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY_LIKE.match(node.value):
                cited.add(node.value)
    assert cited, "expected the code to cite sources"
    assert cited <= set(SOURCES), cited - set(SOURCES)


def test_every_source_named_in_a_comment_is_known():
    named = set()
    for path in module_files():
        for line in path.read_text().splitlines():
            if "#" in line:
                named.update(COMMENT_KEY.findall(line.split("#", 1)[1]))
    assert {"spravato-pi", "fda-label-ketalar"} <= named
    assert named <= set(SOURCES), named - set(SOURCES)


def test_settings_keys_unique_and_sources_known():
    keys = [s.key for s in session.SETTINGS]
    assert len(keys) == len(set(keys))
    for s in session.SETTINGS:
        assert s.key.startswith("session.")
        assert s.source in SOURCES
        if s.is_clinic_policy:
            assert "clinic policy" in s.description.lower(), s.key


def test_session_core_imports_no_django_and_no_clock():
    for path in module_files():
        text = path.read_text()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any(n.startswith("django") for n in names), path.name
        assert ".now(" not in text and "utcnow" not in text and "date.today" not in text, path.name


def _escapes_clinical(path: Path, node: ast.ImportFrom) -> bool:
    """A relative import that climbs out of ``clinical/`` (``from ...core import x`` from clinical/pk/)."""
    clinical_root = Path(session.__file__).parent.parent
    depth = len(path.parent.relative_to(clinical_root).parts)  # 0 for clinical/*.py
    return node.level > depth + 1


def test_whole_clinical_core_imports_no_django_and_nothing_else_of_the_project():
    """The purity rule above, for every module of clinical/ (lint-imports checks the same, contract clinical-pure)."""
    clinical_root = Path(session.__file__).parent.parent
    paths = sorted(clinical_root.rglob("*.py"))
    assert len(paths) > 50
    for path in paths:
        text = path.read_text()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
                assert not _escapes_clinical(path, node), path
            else:
                continue
            for name in names:
                assert not name.startswith(("django", "ninja", "allauth")), (path, name)
                assert not name.startswith("ketamine_clinic.") or name.startswith("ketamine_clinic.clinical"), (path, name)
        assert ".now(" not in text and "utcnow" not in text and "date.today" not in text, path
