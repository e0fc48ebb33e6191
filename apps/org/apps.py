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
        from apps.org.scope import access_changed, assignable_people, resolve_user_scope, watch_access

        register_scope_resolver(resolve_user_scope, user_unit="employee__department", people=assignable_people)
        # Built-in roles need the permissions, which exist only after migrate.
        post_migrate.connect(sync_builtin_roles, sender=self, dispatch_uid="org_sync_builtin_roles")
        # Cached access (``org.scope.user_access``) is moved by every write to users, roles, grants and departments,
        # and by every migrate (new permissions, a restored database).
        watch_access()
        post_migrate.connect(access_changed, sender=self, dispatch_uid="org_access_changed")
