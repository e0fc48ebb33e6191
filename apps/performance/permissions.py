"""Who may do what in performance assessment (arts. 11–13).

Staff see their own scorecards, confirm or appeal them; department managers review their departments'
scorecards and report violations; senior management computes, finalises and publishes cycles and decides appeals,
rewards, penalties and violations; the leadership group decides rewards and penalties too (art. 13 names them).
"""

from enum import StrEnum

from apps.org.choices import BuiltinRole


class Perm(StrEnum):
    VIEW_CYCLE = "performance.view_assessmentcycle"
    ADD_CYCLE = "performance.add_assessmentcycle"
    COMPUTE_CYCLE = "performance.compute_assessmentcycle"
    FINALISE_CYCLE = "performance.finalise_assessmentcycle"
    VIEW_KPI = "performance.view_kpi"
    VIEW_ASSESSMENT = "performance.view_assessment"
    REVIEW_ASSESSMENT = "performance.review_assessment"
    VIEW_APPEAL = "performance.view_appeal"
    ADD_APPEAL = "performance.add_appeal"
    DECIDE_APPEAL = "performance.decide_appeal"
    VIEW_VIOLATION = "performance.view_violation"
    ADD_VIOLATION = "performance.add_violation"
    DECIDE_VIOLATION = "performance.decide_violation"
    VIEW_REWARD = "performance.view_rewardpenalty"
    DECIDE_REWARD = "performance.decide_rewardpenalty"


_READ = [Perm.VIEW_CYCLE, Perm.VIEW_KPI, Perm.VIEW_ASSESSMENT, Perm.VIEW_APPEAL, Perm.VIEW_REWARD, Perm.VIEW_VIOLATION]
_STAFF = [*_READ, Perm.ADD_APPEAL]
_MANAGER = [*_STAFF, Perm.REVIEW_ASSESSMENT, Perm.ADD_VIOLATION]
_SENIOR = [
    *_MANAGER,
    Perm.ADD_CYCLE,
    Perm.COMPUTE_CYCLE,
    Perm.FINALISE_CYCLE,
    Perm.DECIDE_APPEAL,
    Perm.DECIDE_VIOLATION,
    Perm.DECIDE_REWARD,
]

BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: [str(p) for p in _STAFF],
    BuiltinRole.DEPARTMENT_MANAGER: [str(p) for p in _MANAGER],
    BuiltinRole.SENIOR_MANAGEMENT: [str(p) for p in _SENIOR],
    BuiltinRole.LEADERSHIP_GROUP: [str(p) for p in [*_READ, Perm.DECIDE_REWARD, Perm.DECIDE_APPEAL]],
    BuiltinRole.SYSTEM_ADMIN: [str(p) for p in _READ],
}
