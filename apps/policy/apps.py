from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "apps.policy"
    label = "policy"
    verbose_name = _("Policy")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from apps.core.notifications.kinds import register_notification_kind
        from apps.policy.context_processors import remember_on_login
        from apps.policy.services import POLICY_KIND

        user_logged_in.connect(remember_on_login, dispatch_uid="policy-ack-banner")
        register_notification_kind(POLICY_KIND, _("Policy changes"), ("wecom", "dingtalk"))
