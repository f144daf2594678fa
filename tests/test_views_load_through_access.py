"""Every object a view loads by id comes through its model's access choke point
(`visible_to`, or `for_user` for a person's own imports and reminders): directly, or
through a `*_for_user` selector that does. Then no page can show, or act on, another
organisation's object or a restricted review's by a typed id (docs/access.md: 404, never
the data). A view that loads by id any other way fails here, with its file and line."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["accounts", "actions", "audit", "governance", "imports", "mfa", "reviews", "trackerapp"]
CHOKE_POINTS = {"visible_to", "for_user", "about_work_of"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}
# Queryset calls that load rows by their id.
BY_ID_CALLS = {"get", "in_bulk", "filter", "exclude"}
ID_KEYWORDS = {"pk", "id", "pk__in", "id__in"}


def _calls_choke_point(node: ast.AST, assigned: dict[str, ast.AST], seen: set[str]) -> bool:
    for inner in ast.walk(node):
        if (
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Attribute)
            and inner.func.attr in CHOKE_POINTS
        ):
            return True
        if (
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Name)
            and inner.func.id.endswith("_for_user")
        ):
            return True
        if (
            isinstance(inner, ast.Name)
            and inner.id in assigned
            and inner.id not in seen
            and _calls_choke_point(assigned[inner.id], assigned, seen | {inner.id})
        ):
            return True
    return False


def _chain_has_manager(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "objects" for n in ast.walk(node))


def loads_by_id_outside_the_choke_points(source: str, filename: str) -> list[str]:
    """The places in a views module that load a model by id without its choke point."""
    problems = []
    tree = ast.parse(source)
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        assigned: dict[str, ast.AST] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned[target.id] = node.value
        for call in ast.walk(function):
            if not isinstance(call, ast.Call):
                continue
            where = f"{filename}:{call.lineno} in {function.name}()"
            if isinstance(call.func, ast.Name) and call.func.id in SHORTCUTS:
                first = call.args[0] if call.args else None
                if first is None or not _calls_choke_point(first, assigned, set()):
                    problems.append(where)
            elif (
                isinstance(call.func, ast.Attribute)
                and call.func.attr in BY_ID_CALLS
                and _chain_has_manager(call.func.value)
                and (call.func.attr in {"get", "in_bulk"} or _by_id(call))
                and not _calls_choke_point(call.func.value, assigned, set())
            ):
                problems.append(where)
    return problems


def _by_id(call: ast.Call) -> bool:
    return any(keyword.arg in ID_KEYWORDS for keyword in call.keywords)


def selectors_for_user_without_a_choke_point(source: str, filename: str) -> list[str]:
    problems = []
    for function in ast.walk(ast.parse(source)):
        if isinstance(function, ast.FunctionDef) and function.name.endswith("_for_user"):
            direct = any(
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr in CHOKE_POINTS
                for n in ast.walk(function)
            )
            if not direct:
                problems.append(f"{filename}:{function.lineno} {function.name}()")
    return problems


def test_it_finds_no_view_that_loads_by_id_outside_the_choke_points():
    problems = []
    for app in APPS:
        views = ROOT / app / "views.py"
        if views.exists():
            problems += loads_by_id_outside_the_choke_points(views.read_text(), str(views))
    assert problems == []


def test_every_for_user_selector_goes_through_a_choke_point():
    problems = []
    for app in APPS:
        selectors = ROOT / app / "selectors.py"
        if selectors.exists():
            problems += selectors_for_user_without_a_choke_point(
                selectors.read_text(), str(selectors)
            )
    assert problems == []


def test_the_check_catches_a_view_that_loads_by_id_directly():
    """The check itself: each of these would show another organisation's object."""
    leaky = """
def action_detail(request, pk):
    action = get_object_or_404(Action, pk=pk)

def evidence_download(request, pk):
    evidence = Evidence.objects.get(pk=pk)

def extension_decide(request, pk):
    requests = ExtensionRequest.objects.all()
    extension = get_object_or_404(requests, pk=pk)

def paper_detail(request, pk):
    paper = Paper.objects.filter(pk=pk).first()
"""
    assert len(loads_by_id_outside_the_choke_points(leaky, "leaky.py")) == 4
    safe = """
def action_detail(request, pk):
    visible = Action.objects.visible_to(request.user).values("pk")
    extension = get_object_or_404(ExtensionRequest.objects.filter(action__in=visible), pk=pk)
    paper = paper_for_user(request.user, pk)
"""
    assert loads_by_id_outside_the_choke_points(safe, "safe.py") == []
    assert selectors_for_user_without_a_choke_point(
        "def paper_for_user(user, pk):\n    return get_object_or_404(Paper, pk=pk)\n", "s.py"
    ) == ["s.py:1 paper_for_user()"]
