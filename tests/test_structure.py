"""The shape of the code, checked: no module uses another module's private names, and the options
of a protect call travel as one :class:`~photoguard.pipeline.options.ProtectOptions`, not as loose
parameters (issue 28). An AST walk over ``src/photoguard``; nothing is imported."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "photoguard"

#: The functions that take the options as keyword arguments on purpose: the public API (whose
#: signatures do not change) and the CLI command, whose options are its flags.
PUBLIC = {
    "photoguard.pipeline.api.protect",
    "photoguard.pipeline.api.protect_bytes",
    "photoguard.pipeline.many.protect_many",
    "photoguard.cli.protect_cmd.protect_cmd",
}
CLI = "photoguard.cli.protect_cmd.protect_cmd"
#: The classes whose generated constructors take the options as fields on purpose: the options
#: themselves, and the batch operation, whose ``ProtectOperation(strength="fast")`` (the batch
#: package's documented way in, as before issue 28) stays beside ``ProtectOperation(options)``.
PUBLIC_CLASSES = {
    "photoguard.pipeline.options.ProtectOptions",
    "photoguard.batch.operations.ProtectOperation",
}
#: The most protect options any other function may take as parameters.
MOST = 5


def _modules() -> list[tuple[str, Path, ast.Module]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append((name, path, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_module(dotted: str) -> bool:
    relative = Path(*dotted.split("."))
    return (SRC / relative).with_suffix(".py").is_file() or (SRC / relative / "__init__.py").is_file()


def _private_uses(module: str, tree: ast.Module) -> list[str]:
    """``from photoguard.x import _name`` and ``x._name`` (``x`` an imported photoguard module) in
    ``module``; a private submodule imported inside its own package is the package's own business."""
    package = module if module == "photoguard" else module.rpartition(".")[0]
    modules: dict[str, str] = {}
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("photoguard"):
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                if _is_module(dotted):
                    modules[alias.asname or alias.name] = dotted
                own_submodule = _is_module(dotted) and (package + ".").startswith(node.module + ".")
                if _private(alias.name) and not own_submodule:
                    uses.append(f"line {node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("photoguard") and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)):
            continue
        if node.value.id in modules and modules[node.value.id] != module:
            uses.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return uses


def test_no_module_uses_another_modules_private_names() -> None:
    found = {}
    for module, path, tree in _modules():
        uses = _private_uses(module, tree)
        if uses:
            found[str(path.relative_to(SRC))] = uses
    assert not found, f"private names used across modules: {found}"


def test_the_check_finds_a_private_import() -> None:
    tree = ast.parse(
        "from photoguard.pipeline.cloak import _CLOAKS\nfrom photoguard.models import store\nstore._verified"
    )
    assert _private_uses("photoguard.batch.operations", tree) == [
        "line 1: from photoguard.pipeline.cloak import _CLOAKS",
        "line 3: store._verified",
    ]


def _option_names() -> set[str]:
    from photoguard.pipeline.options import ProtectOptions

    return {f.name for f in dataclasses.fields(ProtectOptions) if f.init}


def test_no_function_below_the_public_api_takes_the_options_loose() -> None:
    options = _option_names()
    assert {"strength", "against", "device", "jpeg_quality", "keep_icc", "verify"} <= options
    loose = {}
    for module, _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                names = {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
                taken = sorted(names & options)
                if len(taken) > MOST and f"{module}.{node.name}" not in PUBLIC:
                    loose[f"{module}.{node.name}"] = taken
    assert not loose, f"functions taking more than {MOST} protect options as parameters: {loose}"


def test_no_class_below_the_public_api_takes_the_options_as_fields() -> None:
    """A dataclass's fields are its constructor's parameters: they count as the functions' do."""
    options = _option_names()
    loose = {}
    for module, _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {
                    s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                }
                taken = sorted(names & options)
                if len(taken) > MOST and f"{module}.{node.name}" not in PUBLIC_CLASSES:
                    loose[f"{module}.{node.name}"] = taken
    assert not loose, f"classes taking more than {MOST} protect options as fields: {loose}"


def test_the_public_functions_take_every_option_and_build_one_set() -> None:
    options = _option_names()
    for module, _, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef) or f"{module}.{node.name}" not in PUBLIC - {CLI}:
                continue
            assert options - {"overwrite"} <= {p.arg for p in node.args.kwonlyargs}, node.name
            first = node.body[1] if ast.get_docstring(node) else node.body[0]
            assert ast.unparse(first) == "options = ProtectOptions.of_call(locals())", node.name
