from pathlib import Path

from piccolo.conf.apps import AppConfig

from ashiato.profiles.tables import Profile, ProfilePhoto

APP_CONFIG = AppConfig(
    app_name="profiles",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Profile, ProfilePhoto],
    migration_dependencies=["ashiato.accounts.piccolo_app"],
)
