from pathlib import Path

from piccolo.conf.apps import AppConfig

from ashiato.mobile.tables import GatewayAddress, GatewayEvent, ProcessedMail

APP_CONFIG = AppConfig(
    app_name="mobile",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[GatewayAddress, ProcessedMail, GatewayEvent],
    migration_dependencies=["ashiato.accounts.piccolo_app", "ashiato.diaries.piccolo_app"],
)
