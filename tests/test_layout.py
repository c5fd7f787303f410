"""The installed package's layout and its import graph.

One distribution package, `lrx`, over the repository's folders (pyproject.toml `[tool.setuptools.package-dir]`):
lrx/ is `lrx` (the lazy facade `lrx/__init__.py`, `lrx/api.py`, and `lrx.core`), morphology/ is `lrx.morphology`,
lexicons/ `lrx.lexicons`, adapt/ `lrx.adapt`, conf/ `lrx.conf` (Hydra YAML: data, not code). Every module file is
parsed with `ast` and each import resolved to the `lrx.*` module it names, so the checks see imports inside
functions too. The layers, lower never importing higher:

    lrx.core  <-  lrx.morphology  <-  lrx.lexicons  <-  lrx.adapt  <-  lrx (facade: lrx/__init__.py, lrx/api.py)

and no module-level import cycle anywhere; only adapt/run/ (the Hydra app) refers to the config package.
"""

from __future__ import annotations

import ast
import itertools
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE_DIR: dict[str, str] = PYPROJECT["tool"]["setuptools"]["package-dir"]
PACKAGES: list[str] = PYPROJECT["tool"]["setuptools"]["packages"]
CODE = ("lrx", "lrx.morphology", "lrx.lexicons", "lrx.adapt")  # the packages holding library code

# layer -> the layers it may import (itself included)
LAYERS = ("core", "morphology", "lexicons", "adapt", "facade")
ALLOWED = {layer: set(LAYERS[: i + 1]) for i, layer in enumerate(LAYERS)}
CONFIG_USERS = "lrx.adapt.run"  # the Hydra app: the one place that may name lrx.conf or the conf/ folder
HEAVY = {"torch", "transformers", "accelerate", "safetensors"}  # never at module level below adapt
HEAVY_FOR = {"lrx.morphology": HEAVY, "lrx.lexicons": HEAVY | {"numpy"}}


@dataclass(frozen=True)
class Import:
    importer: str  # module name
    target: str  # the lrx module (or, for other packages, the dotted name) imported
    path: Path
    line: int
    module_level: bool  # runs when the importer is imported (not in a function, not under TYPE_CHECKING)

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def module_files() -> dict[str, Path]:
    """Every module of the library packages: dotted name -> file."""
    found: dict[str, Path] = {}
    for package in CODE:
        folder = ROOT / PACKAGE_DIR[package]
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if "__pycache__" in parts or not (path.parent / "__init__.py").is_file():
                continue
            name = ".".join((package, *parts))
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = module_files()


def layer(module: str) -> str:
    for prefix, name in (("lrx.core", "core"), ("lrx.morphology", "morphology"), ("lrx.lexicons", "lexicons")):
        if module == prefix or module.startswith(prefix + "."):
            return name
    if module == "lrx.adapt" or module.startswith("lrx.adapt."):
        return "adapt"
    if module == "lrx.conf" or module.startswith("lrx.conf."):
        return "conf"
    return "facade"  # lrx itself, lrx.api and any other module directly under lrx/


def _resolve(name: str) -> str:
    """The longest known module that `name` (a module, or a module's attribute) names."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in MODULES or candidate == "lrx.conf" or candidate.startswith("lrx.conf."):
            return candidate
    return name


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, module_level: bool) -> Iterator[tuple[ast.AST, bool]]:
    """Every node under `node`, with whether it runs at import time (not in a function body or a
    `if TYPE_CHECKING:` block). Class bodies run at import time."""
    for child in ast.iter_child_nodes(node):
        yield child, module_level
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield from _walk(child, False)
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for sub in child.body:
                yield sub, False
                yield from _walk(sub, False)
            for sub in child.orelse:
                yield sub, module_level
                yield from _walk(sub, module_level)
        else:
            yield from _walk(child, module_level)


def imports_of(module: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node, module_level in _walk(tree, True):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            # `from pkg import sub` imports the submodule pkg.sub when there is one
            names = [_resolve(f"{origin}.{alias.name}") for alias in node.names if alias.name != "*"] or [origin]
            if not origin.startswith("lrx"):
                names = [origin]
        for name in names:
            target = _resolve(name) if name.split(".")[0] == "lrx" else name
            yield Import(module, target, path, node.lineno, module_level)


IMPORTS = [item for module, path in MODULES.items() for item in imports_of(module, path)]
LRX_IMPORTS = [item for item in IMPORTS if item.target.split(".")[0] == "lrx"]


def test_the_graph_is_not_empty():
    """Guards the test itself: a wrong mapping would find no modules and pass everything below."""
    for package in CODE:
        assert any(m == package or m.startswith(package + ".") for m in MODULES), f"no modules found for {package}"
    assert "lrx.core.errors" in MODULES and "lrx.lexicons.sources.base" in MODULES
    assert any(i.importer.startswith("lrx.lexicons") and i.target == "lrx.core.errors" for i in LRX_IMPORTS)
    assert any(not i.module_level for i in LRX_IMPORTS), "imports inside functions are not seen"


def test_layers_import_only_downwards():
    """core imports no other lrx package; morphology only core; lexicons core and morphology; adapt anything
    but the facade; inside functions too."""
    bad = [
        f"{item.where()}: {item.importer} ({layer(item.importer)}) imports {item.target} ({layer(item.target)})"
        for item in LRX_IMPORTS
        if layer(item.target) != "conf" and layer(item.target) not in ALLOWED[layer(item.importer)]
    ]
    assert not bad, "imports against the layering core <- morphology <- lexicons <- adapt <- lrx:\n" + "\n".join(bad)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path a -> ... -> a) per strongly connected component with more than one module, or
    a module importing itself (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in edges.get(node, ()):
                        components.append(component)
    cycles = []
    for component in components:
        start = min(component)
        # breadth-first within the component for the shortest way back to `start`
        parents: dict[str, str] = {}
        frontier = [start]
        found = None
        while frontier and found is None:
            following = []
            for node in frontier:
                for child in sorted(edges.get(node, ())):
                    if child == start:
                        found = node
                        break
                    if child in component and child not in parents:
                        parents[child] = node
                        following.append(child)
                if found is not None:
                    break
            frontier = following
        path = [start]
        node = found
        while node is not None and node != start:
            path.insert(1, node)
            node = parents.get(node)
        cycles.append([*path, start])
    return cycles


def test_no_module_level_import_cycles():
    edges: dict[str, set[str]] = {}
    lines: dict[tuple[str, str], str] = {}
    for item in LRX_IMPORTS:
        if item.module_level and item.target in MODULES:
            edges.setdefault(item.importer, set()).add(item.target)
            lines.setdefault((item.importer, item.target), item.where())
    cycles = _cycles(edges)
    report = [
        " -> ".join(cycle) + "\n    " + "\n    ".join(lines[a, b] for a, b in itertools.pairwise(cycle))
        for cycle in cycles
    ]
    assert not cycles, f"{len(cycles)} module-level import cycle(s):\n" + "\n".join(report)


_CONFIG_NAME = re.compile(r"(pkg://)?lrx\.conf(\..*)?")
_CONFIG_PATH = re.compile(r"[\w.\\/-]*")
_CONF_PART = re.compile(r"(^|[\\/])conf([\\/]|$)")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def test_only_the_hydra_app_refers_to_the_config_package():
    """Library code gets its defaults from its own classes: no `import lrx.conf`, no `files("lrx.conf")`,
    no path to the conf/ folder, except in adapt/run/ (the Hydra app)."""
    bad = [
        f"{item.where()}: {item.importer} imports {item.target}"
        for item in LRX_IMPORTS
        if layer(item.target) == "conf" and not item.importer.startswith(CONFIG_USERS)
    ]
    for module, path in MODULES.items():
        if module.startswith(CONFIG_USERS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                text = node.value
                if _CONFIG_NAME.fullmatch(text) or (_CONFIG_PATH.fullmatch(text) and _CONF_PART.search(text)):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {module} names the config package: {text!r}")
    assert not bad, f"only {CONFIG_USERS} may use lrx.conf:\n" + "\n".join(bad)


@pytest.mark.parametrize("package", sorted(HEAVY_FOR))
def test_heavy_libraries_are_not_imported_at_module_level(package):
    heavy = HEAVY_FOR[package]
    bad = [
        f"{item.where()}: {item.importer} imports {item.target}"
        for item in IMPORTS
        if item.module_level and item.importer.startswith(package) and item.target.split(".")[0] in heavy
    ]
    assert not bad, f"{package} must import {sorted(heavy)} only inside the functions that need them:\n" + "\n".join(
        bad
    )


def test_importing_the_lower_layers_loads_no_deep_learning_library():
    """The same at run time, transitively: every module of morphology and lexicons imported in a fresh
    interpreter leaves torch and transformers unloaded."""
    modules = sorted(m for m in MODULES if layer(m) in {"core", "morphology", "lexicons"})
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"importing {len(modules)} modules loaded {done.stdout.strip()}"


def test_packages_list_matches_the_folders():
    """pyproject.toml `packages` must name every folder with an `__init__.py` under the mapped folders, or a
    wheel build silently leaves a subpackage out."""
    found = set()
    for package, folder in PACKAGE_DIR.items():
        base = ROOT / folder
        assert (base / "__init__.py").is_file(), f"package-dir maps {package} to {folder}/, which has no __init__.py"
        for init in base.rglob("__init__.py"):
            parts = init.parent.relative_to(base).parts
            if "__pycache__" in parts:
                continue
            name = ".".join((package, *parts))
            # a folder mapped to a package of its own is that package, not a subpackage of its parent
            if not any(
                other != package and other.startswith(package + ".") and init.parent.is_relative_to(ROOT / dir_)
                for other, dir_ in PACKAGE_DIR.items()
            ):
                found.add(name)
    listed = set(PACKAGES)
    assert len(PACKAGES) == len(listed), f"packages lists a name twice: {sorted(PACKAGES)}"
    assert listed == found, (
        f"pyproject.toml packages vs folders with __init__.py: missing {sorted(found - listed)}, "
        f"not a package folder {sorted(listed - found)}"
    )


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def test_the_installed_package_imports_from_anywhere(tmp_path):
    """From a directory outside the repository, the interpreter finds `lrx` and its subpackages (the
    install), and no bare `conf`, `adapt`, `lexicons` or `morphology` (nothing but `lrx` at the top level)."""
    done = _python("import lrx; print(lrx.__version__); import lrx.lexicons, lrx.morphology, lrx.adapt", tmp_path)
    assert done.returncode == 0, f"import lrx from {tmp_path} failed:\n{done.stderr}"
    assert done.stdout.strip() == PYPROJECT["project"]["version"], f"lrx.__version__ is {done.stdout.strip()!r}"
    for name in ("conf", "adapt", "lexicons", "morphology"):
        done = _python(f"import {name}", tmp_path)
        assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr, (
            f"`import {name}` outside the repository should fail with ModuleNotFoundError; "
            f"exit {done.returncode}, stderr: {done.stderr[-500:]}"
        )
