"""Every rule names its proof: the pytest test that breaks what the rule guards and sees it fail.

A rule is a singular test (tests/**/*.sql) or a generic test (tests/generic, a macro
test_<name>). Its proof is `meta.proof` in its YAML: `<file under python/tests>::<test function>`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PROJECT = "shop_warehouse"


def rules(manifest: dict) -> dict[str, dict]:
    """name -> {kind, proof, names}: names are the rule's own and those of the tests built from it."""
    found: dict[str, dict] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node["package_name"] == PROJECT and not node.get("test_metadata"):
            found[node["name"]] = {"kind": "singular test", "proof": node["config"].get("meta", {}).get("proof"),
                                   "names": {node["name"]}}
    for macro in manifest["macros"].values():
        if (macro["package_name"] == PROJECT and macro["name"].startswith("test_")
                and macro["original_file_path"].startswith("tests/generic/")):
            name = macro["name"][len("test_"):]
            instances = {n["name"] for n in manifest["nodes"].values()
                         if (n.get("test_metadata") or {}).get("name") == name}
            found[name] = {"kind": "generic test", "proof": macro.get("meta", {}).get("proof"),
                           "names": {name} | instances}
    return found


def _source_of(tree: ast.Module, text: str, function: str) -> str | None:
    """The function's source with its decorators and the module constants it names."""
    lines = text.split("\n")
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = "\n".join(lines[node.lineno - 1:node.end_lineno])
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            source = "\n".join(lines[first - 1:node.end_lineno])
            included: set[str] = set()
            while True:  # the constants it names, and the constants those name
                named = {n for n in constants if n not in included and re.search(rf"\b{n}\b", source)}
                if not named:
                    return source
                for name in sorted(named):
                    source += "\n" + constants[name]
                included |= named
    return None


def problems(manifest: dict, tests_dir: Path) -> list[str]:
    """What is wrong with the rules' proofs: none named, a file or function that does not exist,
    or a proof that never names the rule (nor a test built from it)."""
    found = []
    for name, rule in sorted(rules(manifest).items()):
        proof = rule["proof"]
        if not proof:
            found.append(f"{rule['kind']} {name} names no proof (meta.proof: <file>::<test>)")
            continue
        file, _, function = proof.partition("::")
        path = tests_dir / file
        if not path.is_file() or not function:
            found.append(f"{rule['kind']} {name}: proof {proof!r} is not <file under {tests_dir.name}>::<test>")
            continue
        text = path.read_text()
        source = _source_of(ast.parse(text), text, function)
        if source is None:
            found.append(f"{rule['kind']} {name}: {file} has no test {function}")
        elif not any(n in source for n in rule["names"]):
            found.append(f"{rule['kind']} {name}: {proof} never names the rule or a test built from it")
    return found
