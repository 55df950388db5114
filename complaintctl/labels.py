"""Words printed in reports and bulletins, in the policy's language (zh or en)."""

from __future__ import annotations

from collections.abc import Mapping

_LABELS: dict[str, tuple[str, str]] = {
    # headline figures
    "received": ("受理投诉", "Complaints received"),
    "resolved": ("已处理完毕", "Resolved"),
    "closed": ("已结案", "Closed"),
    "invalid": ("无效投诉", "Invalid"),
    "repeats": ("重复投诉", "Repeat complaints"),
    "customer": ("顾客投诉", "Customer complaints"),
    "non_customer": ("非顾客投诉", "Non-customer complaints"),
    "on_time_rate": ("按时率", "On-time rate"),
    "median_days": ("处理时长中位数(工作日)", "Median time to resolve (working days)"),
    "p90_days": ("处理时长P90(工作日)", "P90 time to resolve (working days)"),
    "satisfaction_rate": ("回访满意率", "Revisit satisfaction"),
    "open_at_end": ("期末未结", "Open at period end"),
    "overdue_at_end": ("期末超时", "Overdue at period end"),
    # sections
    "headline": ("主要指标", "Key figures"),
    "classification": ("顾客投诉分类统计表", "Classification table (category × unit)"),
    "non_customer_classification": ("非顾客投诉分类统计表", "Non-customer complaints (category × unit)"),
    "by_severity": ("按级别", "By severity"),
    "by_channel": ("按渠道", "By channel"),
    "by_class": ("按投诉人类别", "By complainant class"),
    "clocks": ("各时限按时率", "On-time rate per clock"),
    "satisfaction": ("回访满意度", "Revisit satisfaction"),
    "people": ("人员工作量", "Work per person"),
    "register": ("投诉登记周报", "Weekly complaint register"),
    "charts": ("统计图表", "Charts"),
    "featured": ("典型案例", "Featured cases"),
    "report_title": ("投诉统计报告", "Complaint report"),
    "bulletin_title": ("投诉案例通报", "Complaint case bulletin"),
    # columns
    "figure": ("指标", "Figure"),
    "value": ("本期", "This period"),
    "previous": ("上期", "Previous"),
    "change": ("变化", "Change"),
    "vs_previous": ("较上期", "vs previous"),
    "category": ("投诉类别", "Category"),
    "unit": ("责任部门", "Unit"),
    "total": ("合计", "Total"),
    "item": ("项目", "Item"),
    "count": ("数量", "Count"),
    "clock": ("时限", "Clock"),
    "on_time": ("按时", "On time"),
    "late": ("超时", "Late"),
    "rate": ("按时率", "Rate"),
    "person": ("人员", "Person"),
    "p_received": ("受理", "Received"),
    "p_handled": ("经办", "Handled"),
    "p_closed": ("结案", "Closed"),
    "p_on_time": ("按时结案", "Closed on time"),
    "id": ("编号", "ID"),
    "received_at": ("受理时间", "Received"),
    "channel": ("渠道", "Channel"),
    "complainant_class": ("投诉人类别", "Complainant class"),
    "subject": ("投诉事由", "Subject"),
    "severity": ("级别", "Severity"),
    "handler": ("处理人", "Handler"),
    "status": ("状态", "Status"),
    "outcome": ("处理结果", "Outcome"),
    "resolved_at": ("处理完毕时间", "Resolved"),
    "repeat": ("重复", "Repeat"),
    # bulletin
    "period": ("统计期间", "Period"),
    "as_of": ("数据截至", "Figures as of"),
    "what_happened": ("事件经过", "What happened"),
    "what_was_done": ("处理情况", "What was done"),
    "root_cause": ("原因分析", "Root cause"),
    "lesson": ("经验教训", "Lesson"),
    "preventive_action": ("改进措施", "Preventive action"),
    "why_featured": ("入选原因", "Why featured"),
    "why_major": ("重大投诉", "major complaint"),
    "why_repeat": ("重复投诉", "repeat complaint"),
    "why_slow": ("处理时间最长", "slowest to resolve"),
    "why_lesson": ("有经验教训", "has a lesson"),
    "days_to_resolve": ("处理用时(工作日)", "Working days to resolve"),
    "no_cases": ("本期无典型案例。", "No featured cases this period."),
    "masking_note": ("按规定,投诉人姓名、电话、地址及房号均已隐去(R-RP-4)。",
                     "Complainants' names, phone numbers, addresses and unit numbers are masked (R-RP-4)."),
    "none": ("无", "none"),
    "satisfied": ("满意", "Satisfied"),
    "neutral": ("一般", "Neutral"),
    "dissatisfied": ("不满意", "Dissatisfied"),
    "unassigned": ("未分派", "Unassigned"),
    "intake": ("录入", "Intake"),
    "response": ("首次响应", "First response"),
    "dispatch": ("派单", "Dispatch"),
    "resolution": ("处理完成", "Resolution"),
    "revisit": ("回访", "Revisit"),
    "report": ("书面报告", "Written report"),
    "notice": ("无法按时告知", "Cannot-meet notice"),
    "completion": ("完工报告", "Completion report"),
    "verification": ("验证", "Verification"),
    "board-report": ("董事会报告", "Board report"),
    "opinion": ("综合意见", "Consolidated opinion"),
}


def labels(language: str) -> Mapping[str, str]:
    """All labels for one language (unknown keys are the caller's to fall back on)."""
    i = 0 if language == "zh" else 1
    return {k: v[i] for k, v in _LABELS.items()}


def label(language: str, key: str) -> str:
    pair = _LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if language == "zh" else pair[1]
