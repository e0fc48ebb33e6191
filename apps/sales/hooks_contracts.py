"""Start-up registrations of this area (workbench providers, timeline sources, registries of other apps);
called from SalesConfig.ready."""


def register() -> None:
    pass
