"""Mutation testing of one module against its tests (`make mutate MODULE=... [TESTS=...]`).

Cosmic Ray makes the small changes to operators, comparisons, `and`/`or`, booleans,
numbers (module-level constants included), loops, exceptions and decorators. It does not
change strings, delete statements or return None, so this script adds those mutants
itself: every module-level string (a regular expression gets pattern-aware changes: a
dropped quantifier, anchor or word boundary, a repetition count plus one), `return x`
-> `return None`, and a deleted call statement or `raise`.

Everything happens in a temporary copy of the work tree, so the tree stays clean and a
run can be interrupted at any time. Tests run one mutant at a time under `nice`, with a
timeout of a factor times the unmutated run.

Usage: python scripts/mutate.py MODULE [TESTS ...] [--timeout-factor N] [--keep]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Operators kept from Cosmic Ray's binary-operator family: the plausible slips. The other
# pairs (`+` -> `<<`, `*` -> `^`, ...) multiply the run time and almost always crash.
_KEPT_BINARY = "Add_Sub|Sub_Add|Mul_Div|Div_Mul|Mul_Add|FloorDiv_Div|Mod_FloorDiv|BitOr_BitAnd|BitAnd_BitOr|LShift_RShift|RShift_LShift|Pow_Mul"
_EXCLUDED_OPERATORS = [
    rf"core/ReplaceBinaryOperator_(?!({_KEPT_BINARY})$).*",
    # `==` -> `is` and friends: identity of small ints and interned strings makes them noise.
    r"core/ReplaceComparisonOperator_(Eq|NotEq|Lt|LtE|Gt|GtE)_(Is|IsNot)$",
    r"core/ReplaceComparisonOperator_(Is|IsNot)_(Lt|LtE|Gt|GtE)$",
    # Replace a variable with a random number: crashes, never a subtle change.
    r"core/VariableReplacer",
    r"core/VariableInserter",
]

_RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "split"}


@dataclass
class Mutant:
    line: int
    operator: str
    before: str
    after: str
    outcome: str = "pending"  # noticed | unnoticed | timeout | skipped


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    root = Path(_git("rev-parse", "--show-toplevel").strip())
    module = Path(args.module)
    if not (root / module).is_file():
        sys.exit(f"mutate: no such module {module}")
    tests = args.tests or [_default_tests(root, module)]
    work = Path(tempfile.mkdtemp(prefix="mutate-"))
    try:
        _copy_tree(root, work)
        command = [
            "nice",
            "-n",
            "10",
            sys.executable,
            "-m",
            "pytest",
            "-x",
            "-q",
            "-p",
            "no:cacheprovider",
            *_without_unused_plugins(work, tests),
            *tests,
        ]
        baseline = _baseline(work, command)
        timeout = max(10.0, args.timeout_factor * baseline)
        print(
            f"mutate: {module} against {' '.join(tests)}; unmutated run {baseline:.1f}s, timeout {timeout:.0f}s",
            flush=True,
        )
        mutants = _cosmic_ray(work, module, command, timeout)
        mutants += _supplementary(work, module, command, timeout)
        _report(module, mutants)
        if args.json:
            Path(args.json).write_text(json.dumps([m.__dict__ for m in mutants], indent=1) + "\n")
    finally:
        if args.keep:
            print(f"mutate: temporary copy kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Mutation testing of one module against its tests.")
    parser.add_argument("module", help="module to mutate, e.g. gateway/policy/engine.py")
    parser.add_argument(
        "tests", nargs="*", help="test files or directories (default: the mirrored tests/unit)"
    )
    parser.add_argument("--timeout-factor", type=float, default=3.0, help="timeout = factor x unmutated run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy (for debugging)")
    parser.add_argument("--json", metavar="FILE", help="also write every mutant and its outcome to FILE")
    return parser.parse_args(argv)


def _git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _default_tests(root: Path, module: Path) -> str:
    """gateway/policy/engine.py -> tests/unit/policy (the package's mirrored unit tests)."""
    mirrored = Path("tests/unit", *module.parent.parts[1:])
    return str(mirrored if (root / mirrored).is_dir() else Path("tests/unit"))


def _copy_tree(root: Path, work: Path) -> None:
    """The work tree as it is now (tracked and new files, edits included), without .git."""
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=root)
    for name in filter(None, listed.split("\0")):
        source = root / name
        if source.is_file():
            target = work / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _without_unused_plugins(work: Path, tests: list[str]) -> list[str]:
    """Hypothesis's plugin costs a second per run: leave it out when no selected test uses it."""
    files = [
        p
        for t in tests
        for p in ((work / t).rglob("*.py") if (work / t).is_dir() else [work / t.split("::")[0]])
    ]
    if any("hypothesis" in f.read_text(errors="replace") for f in files if f.is_file()):
        return []
    return ["-p", "no:hypothesispytest"]


def _env(work: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(work), PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _run_tests(work: Path, command: list[str], timeout: float) -> str:
    try:
        result = subprocess.run(
            command,
            cwd=work,
            env=_env(work),
            capture_output=True,
            timeout=timeout,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    return "unnoticed" if result.returncode == 0 else "noticed"


def _baseline(work: Path, command: list[str]) -> float:
    started = time.monotonic()
    result = subprocess.run(command, cwd=work, env=_env(work), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"mutate: the tests fail before any mutation:\n{result.stdout[-3000:]}")
    return time.monotonic() - started


def _cosmic_ray(work: Path, module: Path, command: list[str], timeout: float) -> list[Mutant]:
    state = work / ".mutate"
    state.mkdir()
    config, session = state / "cosmic-ray.toml", state / "session.sqlite"
    config.write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(str(module))}\n"
        f"timeout = {timeout:.0f}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(shlex.join(command))}\n"
        "[cosmic-ray.distributor]\n"
        'name = "local"\n'
        "[cosmic-ray.filters.operators-filter]\n"
        f"exclude-operators = {json.dumps(_EXCLUDED_OPERATORS)}\n"
    )
    tools = Path(sys.executable).parent
    env = _env(work)
    for step in (
        [tools / "cosmic-ray", "init", config, session],
        [tools / "cr-filter-operators", session, config],
        [tools / "cosmic-ray", "exec", config, session],
    ):
        subprocess.run([str(part) for part in step], cwd=work, env=env, check=True, capture_output=True)
    dumped = subprocess.run(
        [str(tools / "cosmic-ray"), "dump", str(session)], cwd=work, env=env, check=True, capture_output=True
    )
    source = (work / module).read_text().splitlines()
    mutants = []
    for line in dumped.stdout.decode().splitlines():
        item, result = json.loads(line)
        spec = item["mutations"][0]
        number = spec["start_pos"][0]
        mutant = Mutant(number, spec["operator_name"].removeprefix("core/"), source[number - 1].strip(), "")
        if result is None or result["worker_outcome"] == "skipped":
            mutant.outcome = "skipped"
        elif result["worker_outcome"] == "normal":
            mutant.outcome = "unnoticed" if result["test_outcome"] == "survived" else "noticed"
            if result["output"] == "timeout":
                mutant.outcome = "timeout"
        else:
            mutant.outcome = "skipped"  # the mutation could not be applied
        added = [
            d[1:]
            for d in ((result or {}).get("diff") or "").splitlines()
            if d.startswith("+") and not d.startswith("+++")
        ]
        mutant.after = added[0].strip() if added else ""
        mutants.append(mutant)
    return mutants


def _supplementary(work: Path, module: Path, command: list[str], timeout: float) -> list[Mutant]:
    path = work / module
    original = path.read_text()
    mutants = []
    try:
        for mutant, mutated in _string_and_statement_mutants(original):
            path.write_text(mutated)
            mutant.outcome = _run_tests(work, command, timeout)
            mutants.append(mutant)
    finally:
        path.write_text(original)
    return mutants


def _string_and_statement_mutants(source: str) -> list[tuple[Mutant, str]]:
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    found: list[tuple[Mutant, str]] = []

    def replace(node: ast.AST, text: str, operator: str) -> None:
        start = _offset(lines, node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = _offset(lines, node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        mutated = source[:start] + text + source[end:]
        try:
            ast.parse(mutated)
        except SyntaxError:
            return
        changed = mutated.splitlines()
        line = next(
            (i for i, (a, b) in enumerate(zip(source.splitlines(), changed, strict=False)) if a != b),
            node.lineno - 1,  # type: ignore[attr-defined]
        )
        found.append((Mutant(line + 1, operator, lines[line].strip(), changed[line].strip()), mutated))

    def replace_text(node: ast.AST, operator: str, text: str, new_text: str) -> None:
        """Change the source text of an f-string part (its raw text, braces doubled)."""
        if new_text != text:
            replace(node, new_text, operator)

    docstrings = _docstrings(tree)
    for node, in_function in _walk(tree):
        if isinstance(node, ast.JoinedStr) and not in_function:
            for part in node.values:
                if isinstance(part, ast.Constant) and _looks_like_regex(part.value):
                    start = _offset(lines, part.lineno, part.col_offset)
                    end = _offset(lines, part.end_lineno, part.end_col_offset)  # type: ignore[arg-type]
                    for text, label in _regex_variants(source[start:end]):
                        replace_text(part, label, source[start:end], text)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str | bytes)
            and id(node) not in docstrings
        ):
            if getattr(node, "_in_fstring", False):
                continue
            pattern = getattr(node, "_regex", False) or (not in_function and _looks_like_regex(node.value))
            if in_function and not pattern:
                continue
            for value, label in _string_variants(node.value, pattern):
                replace(node, repr(value), label)
        elif isinstance(node, ast.Return) and node.value is not None and in_function:
            if not (isinstance(node.value, ast.Constant) and node.value.value is None):
                replace(node.value, "None", "ReturnNone")
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call | ast.Await) and in_function:
            replace(node, "pass", "DeleteStatement")
        elif isinstance(node, ast.Raise) and in_function:
            replace(node, "pass", "DeleteRaise")
    return found


def _walk(tree: ast.AST):
    """Every node with whether it sits inside a function; regex arguments and f-string parts marked."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_function = stack.pop()
        yield node, in_function
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        if isinstance(node, ast.JoinedStr):
            for part in ast.walk(node):
                part._in_fstring = True  # type: ignore[attr-defined]
        if isinstance(node, ast.Call) and _is_regex_call(node.func) and node.args:
            for part in ast.walk(node.args[0]):
                part._regex = True  # type: ignore[attr-defined]
        stack.extend((child, inner) for child in reversed(list(ast.iter_child_nodes(node))))


def _is_regex_call(func: ast.expr) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in {"re", "regex"}
        and func.attr in _RE_FUNCTIONS
    )


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _string_variants(value: str | bytes, pattern: bool) -> list[tuple[str | bytes, str]]:
    if isinstance(value, bytes):
        return [(b"XX" + value + b"XX", "StringXX")]
    if not pattern:
        return [("XX" + value + "XX", "StringXX")]
    return [(v, label) for v, label in _regex_variants(value) if _compiles(v)]


def _looks_like_regex(value: object) -> bool:
    return (
        isinstance(value, str)
        and any(mark in value for mark in ("\\d", "\\b", "\\s", "\\w", "(?", "[", "{"))
        and _compiles(value.replace("{{", "{").replace("}}", "}"))
    )


def _regex_variants(value: str) -> list[tuple[str, str]]:
    """Small changes to a pattern: a quantifier, an anchor, a count, a class, an alternative dropped or changed."""
    variants: list[tuple[str, str]] = []
    for match in re.finditer(r"(?<!\\)(?<!\()[?+*](?!\?)", value):
        variants.append((value[: match.start()] + value[match.end() :], "RegexDropQuantifier"))
    for match in re.finditer(r"\{(\d+)", value):
        bumped = str(int(match.group(1)) + 1)
        variants.append((value[: match.start(1)] + bumped + value[match.end(1) :], "RegexCountPlusOne"))
    for match in re.finditer(r"\\b|(?<!\\)[$^](?!\])", value):
        if match.group() == "^" and match.start() > 0 and value[match.start() - 1] == "[":
            continue
        variants.append((value[: match.start()] + value[match.end() :], "RegexDropAnchor"))
    for match in re.finditer(r"(?<!\\)\[(\^?)", value):
        negated = "" if match.group(1) else "^"
        variants.append((value[: match.start()] + "[" + negated + value[match.end() :], "RegexNegateClass"))
    for match in re.finditer(r"(?<!\\)\|[^|()\"]*", value):
        variants.append((value[: match.start()] + value[match.end() :], "RegexDropAlternative"))
    seen = {value}
    unique = []
    for variant, label in variants:
        if variant not in seen:
            seen.add(variant)
            unique.append((variant, label))
    return unique


def _compiles(candidate: str | bytes) -> bool:
    try:
        re.compile(candidate)
    except re.error:
        return False
    return True


def _offset(lines: list[str], line: int, column: int) -> int:
    """Character offset in the source of an AST (line, UTF-8 byte column) position."""
    before = sum(len(text) for text in lines[: line - 1])
    return before + len(lines[line - 1].encode()[:column].decode())


def _report(module: Path, mutants: list[Mutant]) -> None:
    counted = [m for m in mutants if m.outcome != "skipped"]
    noticed = sum(m.outcome == "noticed" for m in counted)
    unnoticed = [m for m in counted if m.outcome == "unnoticed"]
    timed_out = sum(m.outcome == "timeout" for m in counted)
    score = 100.0 * (noticed + timed_out) / len(counted) if counted else 0.0
    print(f"\n{module}: {len(counted)} mutants")
    print(f"  noticed    {noticed}")
    print(f"  unnoticed  {len(unnoticed)}")
    print(f"  timed out  {timed_out}")
    print(f"  score      {score:.0f}% (noticed + timed out, before subtracting equivalent mutants)")
    for mutant in sorted(unnoticed, key=lambda m: (m.line, m.operator)):
        print(f"\n{module}:{mutant.line}: {mutant.operator}\n  - {mutant.before}\n  + {mutant.after}")


if __name__ == "__main__":
    sys.exit(main())
