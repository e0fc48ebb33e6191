"""Pages of sales targets and their decomposition."""

from django.urls import path

from apps.core.routes import move_routes, record_routes
from apps.sales.views import targets

urlpatterns = [
    *record_routes("targets/", targets, "Target", "list create", actions="revise"),
    path("targets/<int:pk>/", targets.TargetEditorView.as_view(), name="target_editor"),
    path("targets/<int:pk>/nodes/add/", targets.TargetAddNodeView.as_view(), name="target_add_node"),
    path("targets/<int:pk>/nodes/<int:node_pk>/cell/", targets.target_cell_view, name="target_cell"),
    path("targets/nodes/<int:pk>/spread/", targets.TargetSpreadView.as_view(), name="target_spread"),
    path("targets/nodes/<int:pk>/propose/", targets.TargetProposeView.as_view(), name="target_propose"),
    *move_routes("targets/", "Target", targets.TargetMoveView),
    path("targets/nodes/<int:pk>/", targets.TargetNodeDetailView.as_view(), name="targetnode_detail"),
]
