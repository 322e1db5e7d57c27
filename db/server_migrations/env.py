"""Alembic environment of the server's own tables (version table alembic_version_server)."""

from alembic import context

from db.server_models import ServerBase

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    from sqlalchemy import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///server-dev.sqlite")

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=ServerBase.metadata, render_as_batch=True,
                      version_table="alembic_version_server")
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
