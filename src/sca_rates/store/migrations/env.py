"""Alembic's entry: migrate the connection the log hands over (or the configured URL)."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from sca_rates.store.schema import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection, connection.begin():
        context.configure(
            connection=connection, target_metadata=Base.metadata, render_as_batch=True
        )
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
