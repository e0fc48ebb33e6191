"""Pages of products, opportunities (list, kanban, detail, form, stage move), win probabilities and sales plans."""

from django.urls import path

from apps.sales.views import opportunities, plans, products

urlpatterns = [
    path("products/", products.product_list_view, name="product_list"),
    path("products/new/", products.product_create_view, name="product_create"),
    path("products/<int:pk>/edit/", products.product_update_view, name="product_update"),
    path("products/<int:pk>/delete/", products.product_delete_view, name="product_delete"),
    path("opportunities/", opportunities.OpportunityListView.as_view(), name="opportunity_list"),
    path("opportunities/board/", opportunities.opportunity_board_view, name="opportunity_board"),
    path("opportunities/new/", opportunities.opportunity_create_view, name="opportunity_create"),
    path("opportunities/<int:pk>/", opportunities.opportunity_detail_view, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", opportunities.opportunity_update_view, name="opportunity_update"),
    path("opportunities/<int:pk>/move/", opportunities.opportunity_move_view, name="opportunity_move"),
    path("opportunities/stage-settings/", opportunities.stage_settings_view, name="stage_settings"),
    path("plans/", plans.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", plans.plan_create_view, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail_view, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_update_view, name="plan_update"),
    path("plans/<int:pk>/<slug:move>/", plans.plan_transition_view, name="plan_transition"),
    path("plan-actions/<int:pk>/progress/", plans.plan_action_progress_view, name="plan_action_progress"),
]
