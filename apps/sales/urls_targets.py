"""Pages of sales targets and their decomposition."""

from django.urls import path

from apps.sales.views import targets

urlpatterns = [
    path("targets/", targets.target_list_view, name="target_list"),
    path("targets/new/", targets.target_create_view, name="target_create"),
    path("targets/<int:pk>/", targets.target_editor_view, name="target_editor"),
    path("targets/<int:pk>/nodes/add/", targets.target_add_node_view, name="target_add_node"),
    path("targets/<int:pk>/nodes/<int:node_pk>/cell/", targets.target_cell_view, name="target_cell"),
    path("targets/<int:pk>/nodes/<int:node_pk>/spread/", targets.target_spread_view, name="target_spread"),
    path("targets/<int:pk>/nodes/<int:node_pk>/propose/", targets.target_propose_view, name="target_propose"),
    path("targets/<int:pk>/revise/", targets.target_move_view, name="target_revise"),
    path("targets/<int:pk>/<slug:move>/", targets.target_transition_view, name="target_transition"),
    path("targets/nodes/<int:node_pk>/", targets.target_node_detail_view, name="targetnode_detail"),
]
