"""Migrations are safe for rolling deploys: expand now, contract in a later release.

During a rolling update old and new pods serve side by side on the newest schema, so a migration
must never remove or rename something the previous release still reads (README: Migrations in
rolling deploys). The check reads every migration's operations (no database needed):

- RemoveField, RenameField, DeleteModel, RenameModel, AlterModelTable and RunSQL that drops or
  renames a column or table are refused (but for SeparateDatabaseAndState's state-only ones),
- unless the migration says it is the contract step of an expansion shipped earlier: a
  module-level `CONTRACTS = "..."` naming the release that stopped using what it removes.
"""

import ast
import re
from pathlib import Path

import pytest

from tests.deploy import support

DESTRUCTIVE = {"RemoveField", "RenameField", "DeleteModel", "RenameModel", "AlterModelTable"}
DESTRUCTIVE_SQL = re.compile(r"\b(DROP\s+(COLUMN|TABLE)|RENAME\s+(COLUMN|TO))\b", re.I)


def migration_files() -> list[Path]:
    roots = [support.REPO / "services", support.REPO / "shared" / "src"]
    return sorted(
        path
        for root in roots
        for path in root.rglob("migrations/[0-9]*.py")
        if "site-packages" not in path.parts
    )


def destructive_operations(source: str) -> list[str]:
    """The operations in a migration's source that remove or rename a column or table."""
    tree = ast.parse(source)
    # SeparateDatabaseAndState's state_operations change only Django's model state (a model
    # moving between apps, its table kept): the database, which old pods read, is untouched.
    state_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg == "state_operations"
        for inner in ast.walk(node.value)
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in state_only:
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        if name in DESTRUCTIVE:
            found.append(name)
        elif name == "RunSQL":
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg == "sql")]:
                for text in ast.walk(arg):
                    sql = text.value if isinstance(text, ast.Constant) else None
                    if isinstance(sql, str) and DESTRUCTIVE_SQL.search(sql):
                        found.append(f"RunSQL({sql.strip()[:60]!r})")
    return found


def declares_contract(source: str) -> bool:
    tree = ast.parse(source)
    return any(
        isinstance(node, ast.Assign)
        and any(getattr(target, "id", None) == "CONTRACTS" for target in node.targets)
        and isinstance(node.value, ast.Constant)
        and str(node.value.value).strip()
        for node in tree.body
    )


def test_the_check_finds_every_migration():
    assert len(migration_files()) >= 9


@pytest.mark.parametrize("path", migration_files(), ids=lambda p: str(p.relative_to(support.REPO)))
def test_no_migration_removes_or_renames_what_the_previous_release_reads(path):
    source = path.read_text()
    if declares_contract(source):
        return
    assert destructive_operations(source) == [], (
        f"{path.name} removes or renames a column or table: ship the expansion first and do this "
        "in a later release, marked with CONTRACTS = '<the release that stopped using it>'"
    )


def test_the_check_catches_a_dropped_or_renamed_column():
    removal = 'migrations.RemoveField(model_name="post", name="title")'
    assert destructive_operations(f"operations = [{removal}]") == ["RemoveField"]
    rename = 'migrations.RenameField("post", "title", "heading")'
    assert destructive_operations(f"operations = [{rename}]") == ["RenameField"]
    sql = 'migrations.RunSQL("ALTER TABLE posts_post DROP COLUMN title")'
    assert destructive_operations(f"operations = [{sql}]") != []
    added = 'migrations.AddField("post", "heading", models.TextField(default=""))'
    assert destructive_operations(f"operations = [{added}]") == []
    assert declares_contract('CONTRACTS = "1.4 stopped reading posts_post.title"\n')


def test_a_model_moving_apps_with_its_table_is_not_a_removal():
    state_only = (
        "migrations.SeparateDatabaseAndState("
        "state_operations=[migrations.DeleteModel(name='Follow')], database_operations=[])"
    )
    assert destructive_operations(f"operations = [{state_only}]") == []
    dropped = (
        "migrations.SeparateDatabaseAndState("
        "database_operations=[migrations.DeleteModel(name='Follow')])"
    )
    assert destructive_operations(f"operations = [{dropped}]") == ["DeleteModel"]
