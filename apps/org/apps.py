from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "apps.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from apps.core.scoping import register_scope_resolver
        from apps.org.roles import sync_builtin_roles
        from apps.org.scope import assignable_people, resolve_user_scope

        register_scope_resolver(resolve_user_scope, user_unit="employee__department", people=assignable_people)
        # Built-in roles need the permissions, which exist only after migrate.
        post_migrate.connect(sync_builtin_roles, sender=self, dispatch_uid="org_sync_builtin_roles")
