"""Pages of sales targets and their decomposition."""

from django.urls import path

from apps.sales.views import targets

urlpatterns = [
    path("targets/", targets.TargetListView.as_view(), name="target_list"),
    path("targets/new/", targets.TargetCreateView.as_view(), name="target_create"),
    path("targets/<int:pk>/", targets.TargetEditorView.as_view(), name="target_editor"),
    path("targets/<int:pk>/nodes/add/", targets.TargetAddNodeView.as_view(), name="target_add_node"),
    path("targets/<int:pk>/nodes/<int:node_pk>/cell/", targets.target_cell_view, name="target_cell"),
    path("targets/nodes/<int:pk>/spread/", targets.TargetSpreadView.as_view(), name="target_spread"),
    path("targets/nodes/<int:pk>/propose/", targets.TargetProposeView.as_view(), name="target_propose"),
    path("targets/<int:pk>/revise/", targets.TargetReviseView.as_view(), name="target_revise"),
    path("targets/<int:pk>/submit/", targets.TargetSubmitView.as_view(), name="target_submit"),
    path("targets/<int:pk>/approve/", targets.TargetApproveView.as_view(), name="target_approve"),
    path("targets/<int:pk>/return/", targets.TargetReturnView.as_view(), name="target_return"),
    path("targets/nodes/<int:pk>/", targets.TargetNodeDetailView.as_view(), name="targetnode_detail"),
]
