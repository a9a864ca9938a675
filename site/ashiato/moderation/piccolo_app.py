from pathlib import Path

from piccolo.conf.apps import AppConfig

from ashiato.moderation.tables import Report

APP_CONFIG = AppConfig(
    app_name="moderation",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Report],
    migration_dependencies=["ashiato.accounts.piccolo_app"],
)
