#include "reportwriter.h"

#include <QSet>
#include <algorithm>

using ReportStyle::Language;

namespace ReportText {

QStringList headline(const RunResult &run, Language lang)
{
    const auto L = [lang](const char *en, const char *zh) { return ReportStyle::pick(lang, en, zh); };
    QLocale locale(lang == Language::Chinese ? QLocale(QLocale::Chinese, QLocale::China)
                                             : QLocale(QLocale::English, QLocale::UnitedStates));
    const auto sig = [&](double v) {
        const double a = std::abs(v);
        return locale.toString(v, 'f', a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
    };
    const auto ms = [&](double v) { return locale.toString(v, 'f', std::abs(v) >= 100 ? 0 : 1); };
    QStringList out;
    QList<const VariantResult *> ran;
    for (const VariantResult &v : run.variants) {
        if (v.error.isEmpty() && v.metrics.value(QStringLiteral("makespan_s")) > 0)
            ran << &v;
    }
    if (ran.isEmpty()) {
        out << L("No variant finished any request.", "没有任何变体完成请求。");
        return out;
    }
    const auto title = [&](const VariantResult *v) { return ReportText::variantTitle(run, *v, lang); };
    const auto makespan
        = [](const VariantResult *v) { return v->metrics.value(QStringLiteral("makespan_s")); };
    if (ran.size() == 1 && ran.front()->isServerSideOnly() && run.scenario.name == QLatin1String("record")) {
        // Recorded: whatever load reached the server (`serve --record`, the window's Record).
        const VariantResult *v = ran.front();
        QSet<QString> clients; // address, User-Agent and X-LoopScope-User
        for (const RequestRecord &r : v->server)
            clients.insert(r.clientAddressText() + QLatin1Char('\n') + r.userAgentText() + QLatin1Char('\n')
                           + r.loopscopeUserText());
        out << L("%1: %2 requests from %3 clients recorded in %4 s; p95 latency %5 ms (server-side), %6 "
                 "requests/s, %7 failed.",
                 "%1：录制了 %3 个客户端的 %2 个请求，用时 %4 秒；p95 延迟 %5 毫秒（服务器端），每秒 %6 "
                 "个请求，"
                 "%7 个失败。")
                   .arg(title(v), locale.toString(qint64(v->metrics.value(QStringLiteral("requests")))),
                        locale.toString(qsizetype(clients.size())), sig(makespan(v)), ms(v->latency.p95Ms),
                        sig(v->metrics.value(QStringLiteral("achieved_rps"))),
                        locale.toString(qint64(v->metrics.value(QStringLiteral("errors")))));
    } else if (ran.size() == 1 && ran.front()->client.isEmpty() && !ran.front()->server.isEmpty()) {
        // Observed over OTLP: no simulated users, the requests came from outside services.
        const VariantResult *v = ran.front();
        QSet<quint16> lanes;
        for (const RequestRecord &r : v->server)
            lanes.insert(r.loopThread);
        out << L("%1: %2 observed requests on %3 service lanes in %4 s; p95 latency %5 ms, %6 requests/s, "
                 "%7 failed.",
                 "%1：在 %3 条服务通道上观测到 %2 个请求，用时 %4 秒；p95 延迟 %5 毫秒，每秒 %6 个请求，%7 "
                 "个失败。")
                   .arg(title(v), locale.toString(qint64(v->metrics.value(QStringLiteral("requests")))),
                        locale.toString(qsizetype(lanes.size())), sig(makespan(v)), ms(v->latency.p95Ms),
                        sig(v->metrics.value(QStringLiteral("achieved_rps"))),
                        locale.toString(qint64(v->metrics.value(QStringLiteral("errors")))));
    } else if (ran.size() == 1) {
        const VariantResult *v = ran.front();
        out << L("%1: %2 requests from %3 users in %4 s; p95 latency %5 ms, %6 requests/s, %7 failed.",
                 "%1：%3 个用户的 %2 个请求用时 %4 秒；p95 延迟 %5 毫秒，每秒 %6 个请求，%7 个失败。")
                   .arg(title(v), locale.toString(qint64(v->metrics.value(QStringLiteral("requests")))),
                        locale.toString(v->load.users), sig(makespan(v)), ms(v->latency.p95Ms),
                        sig(v->metrics.value(QStringLiteral("achieved_rps"))),
                        locale.toString(qint64(v->metrics.value(QStringLiteral("errors")))));
    } else {
        const auto [fastIt, slowIt] = std::minmax_element(
            ran.begin(), ran.end(),
            [&](const VariantResult *a, const VariantResult *b) { return makespan(a) < makespan(b); });
        const VariantResult *fast = *fastIt, *slow = *slowIt;
        const double ratio = makespan(slow) / makespan(fast);
        if (ratio < 1.1)
            out << L("%1 and %2 took about as long: %3 s and %4 s for %5 requests each.",
                     "%1 和 %2 用时相近：各 %5 个请求分别用了 %3 秒和 %4 秒。")
                       .arg(title(fast), title(slow), sig(makespan(fast)), sig(makespan(slow)),
                            locale.toString(qint64(fast->metrics.value(QStringLiteral("requests")))));
        else
            out << L("%1 answered its %2 requests in %3 s; %5 took %6 s, %4× as long.",
                     "%1 用 %3 秒完成了 %2 个请求；%5 用了 %6 秒，是它的 %4 倍。")
                       .arg(title(fast),
                            locale.toString(qint64(fast->metrics.value(QStringLiteral("requests")))),
                            sig(makespan(fast)), locale.toString(ratio, 'f', 1), title(slow),
                            sig(makespan(slow)));
        QStringList p95;
        for (const VariantResult *v : ran)
            p95 << QStringLiteral("%1 %2").arg(v->name, ms(v->latency.p95Ms));
        out << L("p95 latency (ms): %1.", "p95 延迟（毫秒）：%1。")
                   .arg(p95.join(lang == Language::Chinese ? QStringLiteral("，") : QStringLiteral(", ")));
    }
    QStringList loopWait; // ready to go on, but the loop was busy (the loop_wait phase)
    for (const VariantResult *v : ran)
        loopWait << QStringLiteral("%1 %2").arg(v->name,
                                                sig(v->metrics.value(QStringLiteral("loop_wait_s"))));
    if (std::any_of(ran.begin(), ran.end(), [](const VariantResult *v) {
            return v->metrics.value(QStringLiteral("loop_wait_s")) > 0;
        }))
        out << L("Time waiting for a busy loop (s): %1.", "等待繁忙事件循环的时间（秒）：%1。")
                   .arg(loopWait.join(lang == Language::Chinese ? QStringLiteral("，")
                                                                : QStringLiteral(", ")));
    if (!run.checks.isEmpty()) {
        int failed = 0;
        for (const FigureCheck &c : run.checks)
            failed += !c.pass;
        if (failed == 0)
            out << L("All %1 figures the seed expects were met (PASS).",
                     "种子文档预期的 %1 项数值全部符合（通过）。")
                       .arg(run.checks.size());
        else
            out << L("%1 of %2 figures the seed expects were missed (FAIL).",
                     "种子文档预期的 %2 项数值中有 %1 项不符合（未通过）。")
                       .arg(failed)
                       .arg(run.checks.size());
    }
    return out;
}

} // namespace ReportText
