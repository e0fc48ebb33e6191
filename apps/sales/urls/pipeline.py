"""Pages of products, opportunities (list, kanban, detail, form, stage move), win probabilities and sales plans."""

from django.urls import path

from apps.sales.views import opportunities, plans, products

urlpatterns = [
    path("products/", products.ProductListView.as_view(), name="product_list"),
    path("products/new/", products.ProductCreateView.as_view(), name="product_create"),
    path("products/<int:pk>/edit/", products.ProductUpdateView.as_view(), name="product_update"),
    path("products/<int:pk>/delete/", products.ProductDeleteView.as_view(), name="product_delete"),
    path("opportunities/", opportunities.OpportunityListView.as_view(), name="opportunity_list"),
    path("opportunities/export/", opportunities.opportunity_export, name="opportunity_export"),
    path("opportunities/board/", opportunities.opportunity_board_view, name="opportunity_board"),
    path("opportunities/new/", opportunities.OpportunityCreateView.as_view(), name="opportunity_create"),
    path("opportunities/<int:pk>/", opportunities.OpportunityDetailView.as_view(), name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", opportunities.OpportunityUpdateView.as_view(), name="opportunity_update"),
    path("opportunities/<int:pk>/move/", opportunities.opportunity_move_view, name="opportunity_move"),
    path("opportunities/stage-settings/", opportunities.stage_settings_view, name="stage_settings"),
    path("plans/", plans.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", plans.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", plans.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.PlanUpdateView.as_view(), name="plan_update"),
    path("plans/<int:pk>/submit/", plans.PlanSubmitView.as_view(), name="plan_submit"),
    path("plans/<int:pk>/approve/", plans.PlanApproveView.as_view(), name="plan_approve"),
    path("plans/<int:pk>/return/", plans.PlanReturnView.as_view(), name="plan_return"),
    path("plans/<int:pk>/start/", plans.PlanStartView.as_view(), name="plan_start"),
    path("plans/<int:pk>/close/", plans.PlanCloseView.as_view(), name="plan_close"),
    path("plan-actions/<int:pk>/progress/", plans.PlanActionProgressView.as_view(), name="plan_action_progress"),
]
