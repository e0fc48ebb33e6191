"""Start-up registrations (workbench providers, timeline sources) of this area; called from AppConfig.ready."""


def register() -> None:
    pass
