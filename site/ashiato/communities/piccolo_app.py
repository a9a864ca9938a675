from pathlib import Path

from piccolo.conf.apps import AppConfig

from ashiato.communities.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="communities",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["ashiato.accounts.piccolo_app"],
)
