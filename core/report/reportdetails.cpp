// About this run: date, scenario command, time scale, server and machine.
#include "reportwriter.h"

using ReportStyle::Language;

void ReportWriter::details()
{
    heading(L("About this run", "关于本次运行"));
    ReportBlock t;
    t.kind = ReportBlock::Kind::Table;
    t.header << L("Item", "项目") << L("Value", "值");
    const auto add = [&](const QString &k, const QString &v) {
        if (!v.isEmpty())
            t.rows << QList<ReportCell> { { k, ReportCell::Style::Strong }, { v } };
    };
    add(L("Date", "日期"), doc.date);
    if (Scenario::builtinNames().contains(run.scenario.name))
        add(L("Scenario", "场景"), QStringLiteral("loopscope run --scenario %1").arg(run.scenario.name));
    add(L("Time scale", "时间缩放"), num(run.options.timeScale, 2));
    add(L("Server", "服务器"),
        run.options.target.isEmpty() ? L("in-process", "进程内") : run.options.target.toString());
    add(L("Machine", "机器"),
        L("%1, %2 cores, Qt %3", "%1，%2 核，Qt %3")
            .arg(run.machine.value(QStringLiteral("os")).toString())
            .arg(run.machine.value(QStringLiteral("cores")).toInt())
            .arg(run.machine.value(QStringLiteral("qt")).toString()));
    add(L("Seed document", "种子文档"), run.scenario.seed);
    doc.blocks.push_back(t);
}
