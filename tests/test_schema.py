"""The migrations and the models must describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from board.boards.search import is_search_object
from board.extensions import db


def test_migrations_match_models(app):
    # The test database was built by running the migrations (conftest).
    with db.engine.connect() as connection:
        opts = {
            "compare_type": True,
            # The search's FTS table and expression indexes are no models.
            "include_name": lambda name, type_, parents: not is_search_object(name, type_),
        }
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models and migrations disagree: {differences}"


def test_database_was_built_by_migrations(app):
    with db.engine.connect() as connection:
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version
