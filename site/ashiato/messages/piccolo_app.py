from pathlib import Path

from piccolo.conf.apps import AppConfig

from ashiato.messages.tables import PrivateMessage

APP_CONFIG = AppConfig(
    app_name="messages",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[PrivateMessage],
    migration_dependencies=["ashiato.accounts.piccolo_app"],
)
