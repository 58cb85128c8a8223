"""Every program the code, the tests or the benches run is in installer/debian-deps.sh,
the one list of the Debian packages the project needs (a fresh Debian 12 has only what
that script installs: CI proves it in a debootstrap root).

The Python sources are read for the commands they start: the first word of a command
list given to `subprocess` (directly, through a variable, or as `str(folder / "name")`),
and the names given to `shutil.which`. Programs the virtualenv provides (pyinstaller,
pyside6-lrelease…) need no Debian package.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "installer" / "debian-deps.sh"
SOURCES = ("bippop_desk", "bippop_central", "bench", "installer", "tests")
SUBPROCESS_CALLS = {"run", "Popen", "check_call", "check_output", "call"}
# Programs our Python dependencies run themselves, which no source of ours names.
INDIRECT = {"objdump": ("PyInstaller", "depend/bindepend.py")}


def listed() -> dict[str, tuple[str, str, str]]:
    """command -> (purpose, package, reason), as the script prints its table."""
    done = subprocess.run(
        ["bash", str(SCRIPT), "list"], capture_output=True, text=True, check=True, timeout=30
    )
    commands: dict[str, tuple[str, str, str]] = {}
    for line in done.stdout.splitlines():
        purpose, package, names, reason = line.split("\t")
        for name in names.split():
            commands[name] = (purpose, package, reason)
    return commands


def _first_word(node: ast.expr, lists: dict[str, ast.expr]) -> str | None:
    """The program of a command expression: "x", ["x", ...], [*prefix, ...] (prefix a
    list assigned in the same file), str(folder / "x")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return Path(node.value).name
    if isinstance(node, ast.List | ast.Tuple) and node.elts:
        return _first_word(node.elts[0], lists)
    if isinstance(node, ast.Starred) and isinstance(node.value, ast.Name):
        prefix = lists.get(node.value.id)
        return _first_word(prefix, lists) if prefix is not None else None
    if isinstance(node, ast.Name) and node.id in lists:
        return _first_word(lists[node.id], lists)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "str"
        and node.args
        and isinstance(node.args[0], ast.BinOp)
        and isinstance(node.args[0].op, ast.Div)
    ):
        return _first_word(node.args[0].right, lists)
    return None


def commands_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    # Non-empty list literals assigned to a name (command prefixes such as `as_user`).
    lists: dict[str, ast.expr] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.List):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value.elts:
                    lists[target.id] = node.value
    # Functions of this file that start a process with what they are given (`_run`).
    wrappers = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and any(_starts_a_process(n) for n in ast.walk(node))
    }
    # Functions of this file that look a program up by the name they are given.
    finders = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any(_is_call(n, "shutil", {"which"}) for n in ast.walk(node))
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        wrapped = (
            isinstance(node.func, ast.Name)
            and node.func.id in wrappers
            and isinstance(node.args[0], ast.List)
        )
        if _starts_a_process(node) or wrapped:
            first = node.args[0]
            words = [first]
            if isinstance(first, ast.List) and first.elts:
                # [*as_user, program, ...]: the prefix's program and the program itself.
                words = first.elts[:2] if isinstance(first.elts[0], ast.Starred) else first.elts[:1]
            for word in words:
                name = _first_word(word, lists)
                if name:
                    found.add(name)
        elif _is_call(node, "shutil", {"which"}) or (
            isinstance(node.func, ast.Name) and node.func.id in finders
        ):
            name = _first_word(node.args[0], lists)
            if name:
                found.add(name)
    return found


def _is_call(node: ast.AST, module: str, names: set[str]) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == module
        and node.func.attr in names
    )


def _starts_a_process(node: ast.AST) -> bool:
    return _is_call(node, "subprocess", SUBPROCESS_CALLS)


def called_commands() -> dict[str, set[str]]:
    """command -> the files that run it."""
    called: dict[str, set[str]] = {}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for name in commands_in(path):
                called.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return called


def from_the_virtualenv(name: str) -> bool:
    return (Path(sys.executable).parent / name).exists()


def test_every_program_the_code_runs_is_in_the_debian_packages_list() -> None:
    called = called_commands()
    # The scan sees what it must: a few the project is known to run.
    assert {"soffice", "initdb", "pg_ctl", "runuser", "setpriv", "Xvfb"} <= set(called)
    known = listed()
    missing = {
        name: sorted(files)
        for name, files in called.items()
        if name not in known and not from_the_virtualenv(name) and name != "bash"
    }
    assert missing == {}, f"add these to installer/debian-deps.sh: {missing}"


def test_what_our_dependencies_run_is_listed_too() -> None:
    import importlib.util

    known = listed()
    for program, (package, module_file) in INDIRECT.items():
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.origin is not None
        source = Path(spec.origin).parent / module_file
        assert program in source.read_text(), f"{package} no longer runs {program}?"
        assert program in known, f"{program} ({package} runs it) is not in debian-deps.sh"


def test_every_package_of_the_list_says_why() -> None:
    done = subprocess.run(["bash", str(SCRIPT), "list"], capture_output=True, text=True)
    lines = done.stdout.splitlines()
    packages = [line.split("\t")[1] for line in lines]
    assert len(packages) == len(set(packages)), "a package is listed twice"
    for line in lines:
        purpose, package, _commands, reason = line.split("\t")
        assert purpose in {"base", "run", "test", "ci"}, line
        assert len(reason.split()) >= 3, f"{package}: say why it is needed"
