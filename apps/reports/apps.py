from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "apps.reports"
    label = "reports"
    verbose_name = _("Reports to senior management")

    def ready(self) -> None:
        from apps.core.notifications.kinds import register_notification_kind
        from apps.core.workbench import register_overview_provider, register_workbench_provider
        from apps.reports.services import REPORT_KIND
        from apps.reports.workbench import overview_items, report_items

        register_workbench_provider(report_items)
        register_overview_provider(overview_items)
        register_notification_kind(REPORT_KIND, _("Subscribed reports and dashboards"), ("wecom", "dingtalk"))
